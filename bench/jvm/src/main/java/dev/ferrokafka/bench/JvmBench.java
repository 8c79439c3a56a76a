// One run, same machine, same broker (the bundled one): FerroKafkaProducer vs KafkaProducer and
// FerroKafkaConsumer vs KafkaConsumer for 1,000,000 x 100 B and 100,000 x 1 KB records, then
// the embedded broker's start (and topic creation) vs spring-kafka-test's EmbeddedKafkaKraftBroker.
// Prints a table with ratios (ours / Java: > 1 means ferrokafka is faster).
package dev.ferrokafka.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ferrokafka.clients.FerroKafkaAdmin;
import dev.ferrokafka.clients.FerroKafkaBroker;
import dev.ferrokafka.clients.FerroKafkaConsumer;
import dev.ferrokafka.clients.FerroKafkaProducer;
import dev.ferrokafka.test.FerroEmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

public final class JvmBench {
    private JvmBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        StringBuilder table = new StringBuilder();
        table.append(String.format("%-34s %14s %14s %8s%n", "case", "ferrokafka", "java", "ratio"));
        try (FerroKafkaBroker broker = FerroKafkaBroker.start(Map.of("num.partitions", "3"))) {
            String bootstrap = broker.bootstrapServers();
            for (int[] c : new int[][] {{1_000_000, 100}, {100_000, 1024}}) {
                int n = c[0];
                int size = c[1];
                String label = String.format("%,d x %d B", n, size);
                String topicOurs = topic(bootstrap);
                String topicJava = topic(bootstrap);
                double pOurs = produce(new FerroKafkaProducer<>(producerProps(bootstrap)), topicOurs, n, size);
                double pJava = produce(new KafkaProducer<>(producerProps(bootstrap)), topicJava, n, size);
                row(table, "produce " + label + " (msg/s)", pOurs, pJava);
                // Each consumer reads the same topic (written once) from the beginning.
                double cOurs = consume(new FerroKafkaConsumer<>(consumerProps(bootstrap)), topicOurs, n);
                double cJava = consume(new KafkaConsumer<>(consumerProps(bootstrap)), topicOurs, n);
                row(table, "consume " + label + " (msg/s)", cOurs, cJava);
            }
        }
        // Embedded broker start + creating one 3-partition topic, as @EmbeddedKafka does.
        long t0 = System.nanoTime();
        FerroEmbeddedKafkaBroker ours = new FerroEmbeddedKafkaBroker(1, 3, "order-export");
        ours.afterPropertiesSet();
        double oursMs = (System.nanoTime() - t0) / 1e6;
        ours.destroy();
        t0 = System.nanoTime();
        EmbeddedKafkaKraftBroker kraft = new EmbeddedKafkaKraftBroker(1, 3, "order-export");
        kraft.afterPropertiesSet();
        double kraftMs = (System.nanoTime() - t0) / 1e6;
        kraft.destroy();
        table.append(String.format("%-34s %12.0f ms %12.0f ms %7.1fx%n", "embedded broker start + topic", oursMs, kraftMs, kraftMs / oursMs));
        System.out.print(table);
        System.exit(0);
    }

    private static void row(StringBuilder t, String name, double ours, double java) {
        t.append(String.format("%-34s %,14.0f %,14.0f %7.2fx%n", name, ours, java, ours / java));
        System.out.printf("%s: ferrokafka %,.0f, java %,.0f%n", name, ours, java);
    }

    private static String topic(String bootstrap) throws Exception {
        String t = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin a = new FerroKafkaAdmin(Map.of("bootstrap.servers", bootstrap))) {
            a.createTopics(List.of(new NewTopic(t, 3, (short) 1))).all().get();
        }
        return t;
    }

    private static Map<String, Object> producerProps(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class);
        p.put("value.serializer", ByteArraySerializer.class);
        p.put("acks", "all");
        p.put("linger.ms", 5);
        p.put("batch.size", 65536);
        return p;
    }

    private static Map<String, Object> consumerProps(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        p.put("max.poll.records", 2000);
        return p;
    }

    private static double produce(Producer<byte[], byte[]> p, String topic, int n, int size) {
        byte[] value = new byte[size];
        try (p) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, value));
            }
            p.flush();
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double consume(Consumer<byte[], byte[]> c, String topic, int n) {
        try (c) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            c.assign(parts);
            c.seekToBeginning(parts);
            long t0 = System.nanoTime();
            long got = 0;
            while (got < n) {
                got += c.poll(Duration.ofMillis(500)).count();
                if (System.nanoTime() - t0 > 300_000_000_000L) {
                    throw new IllegalStateException("consumed only " + got + " of " + n);
                }
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
