// Field by field: the shapes program (shapes/ShapesProgram, kafka-clients API only) run with
// Apache's KafkaProducer/KafkaConsumer/Admin.create and with FerroKafkaProducer/
// FerroKafkaConsumer/FerroKafkaAdmin against the same broker must record the same map, except
// for the differences listed (and explained) in DIFFERENCES.
package dev.ferrokafka.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ferrokafka.clients.shapes.Clients;
import dev.ferrokafka.clients.shapes.ShapesProgram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ClientShapesTest {
    /**
     * Keys left out of the comparison, each a deliberate or core-bound difference ("*" stands
     * for any text in a key).
     */
    static final Map<String, String> DIFFERENCES = Map.ofEntries(
            // Deliberate: after close KafkaProducer.partitionsFor answers from its metadata cache
            // or throws KafkaException("Requested metadata update after close"); ferrokafka's
            // closed producer has no cache and throws IllegalStateException like send().
            Map.entry("producerClosed.partitionsFor", "deliberate: IllegalStateException after close"));

    static final Clients APACHE = new Clients() {
        @Override
        public <K, V> Producer<K, V> producer(Map<String, Object> props) {
            return new KafkaProducer<>(props);
        }

        @Override
        public <K, V> Consumer<K, V> consumer(Map<String, Object> props) {
            return new KafkaConsumer<>(props);
        }

        @Override
        public Admin admin(Map<String, Object> props) {
            return Admin.create(props);
        }
    };

    static final Clients FERROKAFKA = new Clients() {
        @Override
        public <K, V> Producer<K, V> producer(Map<String, Object> props) {
            return new FerroKafkaProducer<>(props);
        }

        @Override
        public <K, V> Consumer<K, V> consumer(Map<String, Object> props) {
            return new FerroKafkaConsumer<>(props);
        }

        @Override
        public Admin admin(Map<String, Object> props) {
            return new FerroKafkaAdmin(props);
        }
    };

    private static FerroKafkaBroker noAutoCreate;

    private static synchronized String noAutoCreateBootstrap() {
        if (noAutoCreate == null) {
            noAutoCreate = FerroKafkaBroker.start(Map.of("auto.create.topics.enable", "false"));
        }
        return noAutoCreate.bootstrapServers();
    }

    @AfterAll
    static void stop() {
        if (noAutoCreate != null) {
            noAutoCreate.close();
        }
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, String> compared(Map<String, String> all) {
        Map<String, String> out = new TreeMap<>(all);
        out.keySet().removeIf(k -> DIFFERENCES.keySet().stream().anyMatch(d -> matches(d, k)));
        return out;
    }

    /** `pattern` is a key, or keys with "*" standing for any text. */
    static boolean matches(String pattern, String key) {
        return key.matches(java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
    }

    /** One line per differing key, for the failure message. */
    static String diff(Map<String, String> expected, Map<String, String> actual) {
        List<String> lines = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            String e = expected.get(k);
            String a = actual.get(k);
            if (!java.util.Objects.equals(e, a)) {
                lines.add(k + "\n    apache:     " + e + "\n    ferrokafka: " + a);
            }
        }
        return String.join("\n", lines);
    }

    /** Writes a run's map to target/shapes-<name>.txt, to read when the comparison fails. */
    static void dump(String name, Map<String, String> m) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "shapes-" + name + ".txt"), b);
    }

    @Test
    void apacheAndFerrokafkaClientsRecordTheSameShapes() throws Exception {
        String bootstrap = TestCluster.bootstrap();
        Map<String, String> apache = ShapesProgram.run(APACHE, bootstrap, noAutoCreateBootstrap(), run());
        Map<String, String> ours = ShapesProgram.run(FERROKAFKA, bootstrap, noAutoCreateBootstrap(), run());
        dump("apache", apache);
        dump("ferrokafka", ours);
        // Sanity: the program got through every part with Apache's clients.
        assertEquals("5", apache.get("group.count"));
        assertTrue(apache.containsKey("admin.closed.describeTopics"), apache.keySet().toString());
        // Every listed difference names recorded keys (the list cannot hide a renamed key).
        for (String d : DIFFERENCES.keySet()) {
            assertTrue(apache.keySet().stream().anyMatch(k -> matches(d, k)), "no recorded key matches " + d);
        }
        Map<String, String> a = compared(apache);
        Map<String, String> f = compared(ours);
        assertTrue(a.equals(f), "differences (" + a.size() + " keys compared):\n" + diff(a, f));
    }
}
