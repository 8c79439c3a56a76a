// Builds a FerroEmbeddedKafkaBroker from @EmbeddedFerroKafka (as spring-kafka-test's
// EmbeddedKafkaBrokerFactory does for @EmbeddedKafka), resolving placeholders with `resolver`.
package dev.ferrokafka.test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

final class FerroKafkaBrokerFactory {
    private FerroKafkaBrokerFactory() {}

    static FerroEmbeddedKafkaBroker create(EmbeddedFerroKafka a, Function<String, String> resolver) {
        List<String> topics = new ArrayList<>();
        for (String t : a.topics()) {
            for (String part : resolver.apply(t).split(",")) {
                if (!part.isBlank()) {
                    topics.add(part.trim());
                }
            }
        }
        FerroEmbeddedKafkaBroker broker = new FerroEmbeddedKafkaBroker(a.count(), a.partitions(), topics.toArray(new String[0]));
        broker.kafkaPorts(a.ports());
        broker.adminTimeout(a.adminTimeout());
        Map<String, String> props = new HashMap<>();
        if (!a.brokerPropertiesLocation().isEmpty()) {
            Resource r = new DefaultResourceLoader().getResource(resolver.apply(a.brokerPropertiesLocation()));
            Properties p = new Properties();
            try (InputStream in = r.getInputStream()) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read broker properties from " + r + ": " + e, e);
            }
            p.forEach((k, v) -> props.put(String.valueOf(k), resolver.apply(String.valueOf(v))));
        }
        for (String kv : a.brokerProperties()) {
            String resolved = resolver.apply(kv);
            int eq = resolved.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("broker property must be key=value: " + kv);
            }
            props.put(resolved.substring(0, eq).trim(), resolved.substring(eq + 1).trim());
        }
        broker.brokerProperties(props);
        broker.brokerListProperty(a.bootstrapServersProperty().isEmpty() ? null : a.bootstrapServersProperty());
        return broker;
    }
}
