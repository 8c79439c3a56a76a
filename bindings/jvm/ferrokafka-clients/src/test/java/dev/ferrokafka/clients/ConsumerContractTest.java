// The Consumer contract against the broker: group subscribe with rebalance callbacks, manual
// commits and resuming from them, assign/seek/position, pause/resume, offsets lookups,
// commitAsync callbacks, patterns, two members splitting partitions, and wakeup.
package dev.ferrokafka.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerContractTest {

    static <K, V> List<ConsumerRecord<K, V>> pollUntil(Consumer<K, V> c, int n) {
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertTrue(out.size() >= n, "expected " + n + " records, got " + out.size());
        return out;
    }

    static void produce(String topic, int n) throws Exception {
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            p.flush();
        }
    }

    static final class RecordingListener implements ConsumerRebalanceListener {
        final List<Collection<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
        final List<Collection<TopicPartition>> revoked = new CopyOnWriteArrayList<>();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked.add(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.add(partitions);
        }

        Set<TopicPartition> allAssigned() {
            Set<TopicPartition> s = new HashSet<>();
            assigned.forEach(s::addAll);
            return s;
        }
    }

    @Test
    void subscribeCommitAndResumeFromCommittedOffsets() throws Exception {
        String topic = TestCluster.topic("group");
        String group = TestCluster.topic("g");
        produce(topic, 30);
        RecordingListener l = new RecordingListener();
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(group))) {
            c.subscribe(List.of(topic), l);
            assertEquals(Set.of(topic), c.subscription());
            List<ConsumerRecord<String, String>> got = pollUntil(c, 30);
            assertEquals(30, got.size());
            assertEquals(3, l.allAssigned().size(), "onPartitionsAssigned got all three partitions");
            assertEquals(3, c.assignment().size());
            c.commitSync();
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(c.assignment());
            long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            assertEquals(30, total);
            assertTrue(c.groupMetadata().generationId() > 0);
            assertFalse(c.groupMetadata().memberId().isEmpty());
        }
        assertFalse(l.revoked.isEmpty(), "close revokes the partitions");
        produce(topic, 5);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(group))) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 5);
            Set<String> values = new HashSet<>();
            got.forEach(r -> values.add(r.value()));
            assertEquals(Set.of("v0", "v1", "v2", "v3", "v4"), values, "resumes after the committed offsets, nothing twice");
            assertTrue(c.poll(Duration.ofMillis(300)).isEmpty());
        }
    }

    @Test
    void commitSpecificOffsetsAndAsyncCallback() throws Exception {
        String topic = TestCluster.topic("async");
        String group = TestCluster.topic("g");
        produce(topic, 9);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(group))) {
            c.subscribe(List.of(topic));
            pollUntil(c, 9);
            TopicPartition tp0 = new TopicPartition(topic, 0);
            c.commitSync(Map.of(tp0, new OffsetAndMetadata(1, "meta")));
            OffsetAndMetadata o = c.committed(Set.of(tp0)).get(tp0);
            assertEquals(1, o.offset());
            assertEquals("meta", o.metadata());
            AtomicReference<Exception> err = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            c.commitAsync(Map.of(tp0, new OffsetAndMetadata(2)), (offsets, e) -> {
                err.set(e);
                done.countDown();
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (done.getCount() > 0 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)); // callbacks run on the polling thread
            }
            assertEquals(0, done.getCount());
            assertNull(err.get());
            assertEquals(2, c.committed(Set.of(tp0)).get(tp0).offset());

            // Without offsets: every position is committed and handed to the callback.
            AtomicReference<Map<TopicPartition, OffsetAndMetadata>> handed = new AtomicReference<>();
            CountDownLatch all = new CountDownLatch(1);
            c.commitAsync((offsets, e) -> {
                err.set(e);
                handed.set(offsets);
                all.countDown();
            });
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (all.getCount() > 0 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100));
            }
            assertEquals(0, all.getCount());
            assertNull(err.get());
            assertEquals(c.assignment(), handed.get().keySet());
            for (TopicPartition tp : c.assignment()) {
                assertEquals(c.position(tp), handed.get().get(tp).offset());
                assertEquals(c.position(tp), c.committed(Set.of(tp)).get(tp).offset());
                // Everything was read: the last fetch's high watermark is the position.
                assertEquals(OptionalLong.of(0), c.currentLag(tp));
            }
        }
    }

    @Test
    void assignSeekPositionPauseAndOffsetLookups() throws Exception {
        String topic = TestCluster.topic("assign");
        // Recent timestamps: records older than log.retention.hours are deleted by the broker.
        long base = System.currentTimeMillis() - 60_000;
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, 0, base + i * 1000, "k", "v" + i));
            }
            p.flush();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(null))) {
            c.assign(List.of(tp));
            assertEquals(Set.of(tp), c.assignment());
            c.pause(List.of(tp));
            assertEquals(Set.of(tp), c.paused());
            assertTrue(c.poll(Duration.ofMillis(300)).isEmpty(), "a paused partition returns nothing");
            c.resume(List.of(tp));
            assertTrue(c.paused().isEmpty());
            assertEquals("v0", pollUntil(c, 1).get(0).value());
            assertEquals(Map.of(tp, 0L), c.beginningOffsets(List.of(tp)));
            assertEquals(Map.of(tp, 10L), c.endOffsets(List.of(tp)));
            assertEquals(4L, c.offsetsForTimes(Map.of(tp, base + 4000)).get(tp).offset());
            assertNull(c.offsetsForTimes(Map.of(tp, base + 3_600_000)).get(tp));
            c.seek(tp, 7);
            assertEquals(7, c.position(tp));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 3);
            assertEquals("v7", got.get(0).value());
            assertEquals(10, c.position(tp));
            c.seekToEnd(List.of());
            assertEquals(10, c.position(tp));
            assertTrue(c.listTopics().containsKey(topic));
            assertEquals(3, c.partitionsFor(topic).size());
            assertThrows(IllegalStateException.class, () -> c.position(new TopicPartition(topic, 1)));
            assertThrows(InvalidGroupIdException.class, c::commitSync);
        }
    }

    @Test
    void wakeupInterruptsABlockedPoll() throws Exception {
        String topic = TestCluster.topic("wake");
        produce(topic, 1);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(TestCluster.topic("g")))) {
            c.subscribe(List.of(topic));
            pollUntil(c, 1);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    // the test ends anyway
                }
                c.wakeup();
            });
            t.start();
            long start = System.nanoTime();
            assertThrows(WakeupException.class, () -> c.poll(Duration.ofSeconds(30)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "wakeup ends the poll early");
            t.join();
            c.wakeup();
            assertThrows(WakeupException.class, () -> c.poll(Duration.ofSeconds(30)), "a pending wakeup fails the next call");
            assertTrue(c.poll(Duration.ofMillis(100)).isEmpty(), "and only that one");
        }
    }

    @Test
    void twoMembersSplitPartitionsWithRevokeCallbacks() throws Exception {
        String topic = TestCluster.topic("split");
        String group = TestCluster.topic("g");
        produce(topic, 30);
        Map<String, Object> props = TestCluster.consumerProps(group);
        props.put("partition.assignment.strategy", List.of(org.apache.kafka.clients.consumer.RangeAssignor.class));
        RecordingListener l1 = new RecordingListener();
        RecordingListener l2 = new RecordingListener();
        try (FerroKafkaConsumer<String, String> c1 = new FerroKafkaConsumer<>(props);
             FerroKafkaConsumer<String, String> c2 = new FerroKafkaConsumer<>(props)) {
            c1.subscribe(List.of(topic), l1);
            pollUntil(c1, 1);
            assertEquals(3, c1.assignment().size());
            c2.subscribe(List.of(topic), l2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && (c1.assignment().size() + c2.assignment().size() != 3
                    || c1.assignment().isEmpty() || c2.assignment().isEmpty())) {
                c1.poll(Duration.ofMillis(100));
                c2.poll(Duration.ofMillis(100));
            }
            Set<TopicPartition> union = new HashSet<>(c1.assignment());
            union.addAll(c2.assignment());
            assertEquals(3, union.size(), "the members split all partitions");
            assertFalse(c1.assignment().isEmpty());
            assertFalse(c2.assignment().isEmpty());
            assertFalse(l1.revoked.isEmpty(), "the first member had partitions revoked");
        }
    }

    @Test
    void kafkaClients4SubscriptionPatternAndCloseOptions() throws Exception {
        String prefix = TestCluster.topic("re2");
        produce(prefix + "-a", 2);
        produce(prefix + "-b", 2);
        FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(TestCluster.topic("g")));
        try {
            c.subscribe(new org.apache.kafka.clients.consumer.SubscriptionPattern(prefix + "-.*"));
            pollUntil(c, 4);
            assertEquals(Set.of(prefix + "-a", prefix + "-b"), c.subscription());
        } finally {
            c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
        }
        assertThrows(IllegalStateException.class, () -> c.poll(Duration.ZERO));
    }

    @Test
    void patternSubscriptionAndListenerExceptionsSurfaceFromPoll() throws Exception {
        String prefix = TestCluster.topic("pat");
        produce(prefix + "-a", 2);
        produce(prefix + "-b", 2);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(TestCluster.topic("g")))) {
            c.subscribe(Pattern.compile(Pattern.quote(prefix) + "-.*"), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
            });
            pollUntil(c, 4);
            assertEquals(Set.of(prefix + "-a", prefix + "-b"), c.subscription());
        }
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(TestCluster.topic("g")))) {
            c.subscribe(List.of(prefix + "-a"), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    throw new IllegalArgumentException("boom");
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            RuntimeException thrown = null;
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    c.poll(Duration.ofMillis(100));
                } catch (RuntimeException e) {
                    thrown = e;
                }
            }
            assertTrue(thrown != null && String.valueOf(thrown.getMessage() + thrown.getCause()).contains("boom"));
        }
    }

    @Test
    void aBadRecordFailsPollWithoutLosingTheOthers() throws Exception {
        String topic = TestCluster.topic("poison");
        try (FerroKafkaProducer<String, String> p = new FerroKafkaProducer<>(TestCluster.producerProps())) {
            for (String v : List.of("1", "2", "oops", "4")) {
                p.send(new ProducerRecord<>(topic, 0, "k", v));
            }
            p.flush();
        }
        Map<String, Object> props = TestCluster.consumerProps(null);
        props.put("value.deserializer", RefuseOops.class);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(props)) {
            c.assign(List.of(tp));
            List<String> got = new ArrayList<>();
            org.apache.kafka.common.errors.RecordDeserializationException bad = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (bad == null && System.nanoTime() < deadline) {
                try {
                    c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
                } catch (org.apache.kafka.common.errors.RecordDeserializationException e) {
                    bad = e;
                }
            }
            assertEquals(List.of("1", "2"), got);
            assertEquals(2, bad.offset());
            c.seek(tp, bad.offset() + 1);
            assertEquals("4", pollUntil(c, 1).get(0).value(), "the record after the bad one is not lost");
        }
    }

    public static final class RefuseOops extends org.apache.kafka.common.serialization.StringDeserializer {
        @Override
        public String deserialize(String topic, byte[] data) {
            String s = super.deserialize(topic, data);
            if ("oops".equals(s)) {
                throw new org.apache.kafka.common.errors.SerializationException("cannot read " + s);
            }
            return s;
        }
    }

    @Test
    void misuseIsReportedLikeJava() {
        try (FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps(null))) {
            assertThrows(IllegalStateException.class, () -> c.poll(Duration.ofMillis(10)));
            assertThrows(InvalidGroupIdException.class, () -> c.subscribe(List.of("t")));
            // KafkaConsumer checks the group before the topics.
            assertThrows(InvalidGroupIdException.class, () -> c.subscribe((Collection<String>) null));
        }
        FerroKafkaConsumer<String, String> c = new FerroKafkaConsumer<>(TestCluster.consumerProps("g"));
        assertThrows(IllegalArgumentException.class, () -> c.subscribe((Collection<String>) null));
        c.assign(List.of(new TopicPartition("t", 0)));
        assertEquals(Set.of(), c.subscription());
        assertThrows(IllegalStateException.class, () -> c.subscribe(List.of("t")));
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.poll(Duration.ofMillis(10)));
    }
}
