// The Producer contract against the broker: send with Future and Callback, keyed ordering,
// headers, flush, partitionsFor, metrics, close, and the exceptions Java's client throws.
package dev.ferrokafka.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProducerContractTest {

    @Test
    void sendCompletesFutureAndCallbackInOrderPerKey() throws Exception {
        String topic = TestCluster.topic("send");
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            List<RecordMetadata> seen = new CopyOnWriteArrayList<>();
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(p.send(new ProducerRecord<>(topic, "same-key", "v" + i), (md, e) -> {
                    assertNull(e);
                    seen.add(md);
                }));
            }
            p.flush();
            long last = -1;
            int partition = -1;
            for (Future<RecordMetadata> f : futures) {
                assertTrue(f.isDone(), "flush completes every future");
                RecordMetadata md = f.get();
                assertEquals(topic, md.topic());
                if (partition >= 0) {
                    assertEquals(partition, md.partition(), "one key, one partition");
                }
                partition = md.partition();
                assertTrue(md.offset() > last, "offsets increase in send order");
                last = md.offset();
                assertTrue(md.serializedValueSize() >= 2);
                assertEquals("same-key".length(), md.serializedKeySize());
            }
            assertEquals(50, seen.size(), "every callback ran");
        }
    }

    @Test
    void headersExplicitPartitionAndTimestampRoundTrip() throws Exception {
        String topic = TestCluster.topic("hdr");
        long ts = System.currentTimeMillis() - 60_000; // recent: older records fall to retention
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            RecordHeaders h = new RecordHeaders();
            h.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
            h.add("empty", null);
            RecordMetadata md = p.send(new ProducerRecord<>(topic, 2, ts, "k", "v", h)).get(30, TimeUnit.SECONDS);
            assertEquals(2, md.partition());
            assertEquals(ts, md.timestamp());
        }
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(null))) {
            c.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 2)));
            c.seekToBeginning(List.of());
            var records = ConsumerContractTest.pollUntil(c, 1);
            var r = records.get(0);
            assertEquals("k", r.key());
            assertEquals("v", r.value());
            assertEquals(ts, r.timestamp());
            assertEquals("abc", new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8));
            assertNull(r.headers().lastHeader("empty").value());
        }
    }

    @Test
    void partitionsForAndMetrics() throws Exception {
        String topic = TestCluster.topic("meta");
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            p.send(new ProducerRecord<>(topic, "x")).get(30, TimeUnit.SECONDS);
            List<PartitionInfo> parts = p.partitionsFor(topic);
            assertEquals(3, parts.size());
            Set<Integer> ids = new HashSet<>();
            for (PartitionInfo pi : parts) {
                assertEquals(topic, pi.topic());
                assertNotNull(pi.leader());
                ids.add(pi.partition());
            }
            assertEquals(Set.of(0, 1, 2), ids);
            assertFalse(p.metrics().isEmpty());
            assertTrue(p.metrics().keySet().stream().anyMatch(m -> m.name().equals("record-send-total")));
        }
    }

    @Test
    void oversizedRecordFailsWithRecordTooLarge() {
        Map<String, Object> props = TestCluster.producerProps();
        props.put("max.request.size", 1000);
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(props)) {
            List<Exception> cb = new CopyOnWriteArrayList<>();
            Future<RecordMetadata> f = p.send(new ProducerRecord<>(TestCluster.topic("big"), "x".repeat(5000)),
                    (md, e) -> cb.add(e));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (cb.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the callback runs right after the future completes
            }
            assertInstanceOf(RecordTooLargeException.class, cb.get(0));
        }
    }

    @Test
    void badConfigurationThrowsConfigException() {
        Map<String, Object> props = TestCluster.producerProps();
        props.remove("key.serializer");
        assertThrows(ConfigException.class, () -> new FerroKafkaProducer<String, String>(props));
        Map<String, Object> bad = TestCluster.producerProps();
        bad.put("value.serializer", "com.example.NoSuchSerializer");
        assertThrows(ConfigException.class, () -> new FerroKafkaProducer<String, String>(bad));
        Map<String, Object> badValue = TestCluster.producerProps();
        badValue.put("compression.type", "brotli");
        assertThrows(ConfigException.class, () -> new FerroKafkaProducer<String, String>(badValue));
    }

    @Test
    void unreachableBrokerTimesOutWithinMaxBlock() {
        Map<String, Object> props = TestCluster.producerProps();
        props.put("bootstrap.servers", "127.0.0.1:1");
        props.put("max.block.ms", 1000);
        props.put("delivery.timeout.ms", 3000);
        props.put("request.timeout.ms", 1000);
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(props)) {
            Future<RecordMetadata> f = p.send(new ProducerRecord<>("nowhere", "x"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            p.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void closedProducerAndTransactionsRefuse() {
        FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps());
        assertThrows(UnsupportedOperationException.class, p::initTransactions);
        assertThrows(UnsupportedOperationException.class, p::beginTransaction);
        p.close(Duration.ofSeconds(5));
        p.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> p.send(new ProducerRecord<>("t", "x")));
    }
}
