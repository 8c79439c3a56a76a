package dev.ferrokafka.interop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Scenario data, client configuration and polling shared by the Java interop tests. */
final class Scenario {
    static final int PARTITIONS = 3;
    /** Kafka's default message.max.bytes (1 MiB + record-batch overhead), same on both brokers. */
    static final int MESSAGE_MAX_BYTES = 1048588;
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private Scenario() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 10);
    }

    /** Keyed records with two headers: 10 distinct keys, so every key has an ordered sequence. */
    static List<ProducerRecord<String, String>> keyedRecords(String topic, int count, String tag) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, "key-" + (i % 10),
                    String.format("%s-value-%06d", tag, i).repeat(3));
            r.headers().add(new RecordHeader("trace-id", ("t" + i).getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader("source", "interop".getBytes(StandardCharsets.UTF_8)));
            records.add(r);
        }
        return records;
    }

    static KafkaProducer<String, String> producer(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Poll until at least `count` records arrived; fails after PATIENCE. */
    static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        eventually("%d records".formatted(count), () -> {
            consumer.poll(Duration.ofMillis(300)).forEach(got::add);
            return got.size() >= count;
        });
        return got;
    }

    /** Call check until it returns true; fail with `what` after PATIENCE. */
    static void eventually(String what, Callable<Boolean> check) {
        Instant deadline = Instant.now().plus(PATIENCE);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (check.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + PATIENCE.toSeconds() + "s waiting for " + what, last);
    }

    static String header(ConsumerRecord<?, ?> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
