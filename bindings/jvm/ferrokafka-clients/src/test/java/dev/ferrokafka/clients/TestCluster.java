// Shared helpers of the contract tests: one bundled broker per test JVM (or a real Apache
// Kafka when -Dferrokafka.bootstrap=host:port is given), unique topic names, client configs.
package dev.ferrokafka.clients;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

final class TestCluster {
    private static FerroKafkaBroker broker;

    private TestCluster() {}

    static synchronized String bootstrap() {
        String external = System.getProperty("ferrokafka.bootstrap", "");
        if (!external.isEmpty()) {
            return external;
        }
        if (broker == null) {
            broker = FerroKafkaBroker.start(Map.of("num.partitions", "3", "group.initial.rebalance.delay.ms", "0"));
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        }
        return broker.bootstrapServers();
    }

    static String topic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> producerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap());
        p.put("key.serializer", StringSerializer.class);
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", 5);
        return p;
    }

    static Map<String, Object> consumerProps(String group) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap());
        p.put("key.deserializer", StringDeserializer.class);
        p.put("value.deserializer", StringDeserializer.class);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", false);
        if (group != null) {
            p.put("group.id", group);
        }
        return p;
    }
}
