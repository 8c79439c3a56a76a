package dev.ferrokafka.interop;

import static dev.ferrokafka.interop.Scenario.MESSAGE_MAX_BYTES;
import static dev.ferrokafka.interop.Scenario.PARTITIONS;
import static dev.ferrokafka.interop.Scenario.eventually;
import static dev.ferrokafka.interop.Scenario.header;
import static dev.ferrokafka.interop.Scenario.keyedRecords;
import static dev.ferrokafka.interop.Scenario.pollUntil;
import static dev.ferrokafka.interop.Scenario.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java kafka-clients (producer, consumer, AdminClient) against the broker under test. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaClientsInteropTest {
    private static BrokerTarget target;
    private static Admin admin;
    private static String bootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        target = BrokerTarget.start();
        bootstrap = target.bootstrap();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private static String createTopic(String prefix) throws Exception {
        String topic = unique(prefix);
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
        return topic;
    }

    private static List<RecordMetadata> produce(List<ProducerRecord<String, String>> records, Properties extra)
            throws Exception {
        try (KafkaProducer<String, String> producer = Scenario.producer(bootstrap, extra)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (ProducerRecord<String, String> r : records) {
                futures.add(producer.send(r));
            }
            List<RecordMetadata> acks = new ArrayList<>();
            for (Future<RecordMetadata> f : futures) {
                acks.add(f.get(60, TimeUnit.SECONDS));
            }
            return acks;
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, PARTITIONS).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS)
                .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Set<String> ids(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> r.partition() + ":" + r.offset()).collect(Collectors.toSet());
    }

    @Test
    void createTopicWithThreePartitions() throws Exception {
        String topic = createTopic("java-create");
        assertTrue(admin.listTopics().names().get().contains(topic));
        TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertEquals(PARTITIONS, described.partitions().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void keyedRecordsWithHeadersRoundTripUnderEachCodec(String codec) throws Exception {
        String topic = createTopic("java-" + codec);
        List<ProducerRecord<String, String>> sent = keyedRecords(topic, 60, codec);
        Properties compression = new Properties();
        compression.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        produce(sent, compression);

        List<ConsumerRecord<String, String>> got;
        try (KafkaConsumer<String, String> consumer = Scenario.consumer(bootstrap, unique("java-g"))) {
            consumer.subscribe(List.of(topic));
            got = pollUntil(consumer, sent.size());
        }

        assertEquals(sent.size(), got.size());
        Map<String, List<String>> byKey = new HashMap<>();
        Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
        for (ConsumerRecord<String, String> r : got) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
            partitionsByKey.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.partition());
            assertEquals("interop", header(r, "source"));
            assertEquals("trace-id", r.headers().toArray()[0].key());
        }
        Map<String, List<String>> expected = new HashMap<>();
        sent.forEach(r -> expected.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
        assertEquals(expected, byKey, "every key's values in production order");
        partitionsByKey.values().forEach(p -> assertEquals(1, p.size(), "a key spread over partitions"));
    }

    @Test
    void commitThenRestartedConsumerResumesAtTheCommittedOffset() throws Exception {
        String topic = createTopic("java-resume");
        List<ProducerRecord<String, String>> sent = keyedRecords(topic, 30, "resume");
        produce(sent, new Properties());
        String group = unique("java-resume");

        List<ConsumerRecord<String, String>> seen;
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        try (KafkaConsumer<String, String> first = Scenario.consumer(bootstrap, group)) {
            first.subscribe(List.of(topic));
            seen = pollUntil(first, 10);
            for (ConsumerRecord<String, String> r : seen) {
                commit.merge(new TopicPartition(topic, r.partition()), new OffsetAndMetadata(r.offset() + 1),
                        (a, b) -> a.offset() >= b.offset() ? a : b);
            }
            first.commitSync(commit);
        }
        assertEquals(commit.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())),
                committed(group));

        List<ConsumerRecord<String, String>> rest;
        try (KafkaConsumer<String, String> second = Scenario.consumer(bootstrap, group)) {
            second.subscribe(List.of(topic));
            rest = pollUntil(second, sent.size() - seen.size());
        }
        Set<String> overlap = new HashSet<>(ids(seen));
        overlap.retainAll(ids(rest));
        assertTrue(overlap.isEmpty(), "records before the committed offset were delivered again: " + overlap);
        Set<String> all = new HashSet<>(ids(seen));
        all.addAll(ids(rest));
        assertEquals(sent.size(), all.size());
    }

    @Test
    void twoConsumersInAGroupSplitThePartitions() throws Exception {
        String topic = createTopic("java-split");
        String group = unique("java-split");
        try (KafkaConsumer<String, String> a = Scenario.consumer(bootstrap, group);
             KafkaConsumer<String, String> b = Scenario.consumer(bootstrap, group)) {
            a.subscribe(List.of(topic));
            b.subscribe(List.of(topic));
            Map<String, List<ConsumerRecord<String, String>>> got = Map.of("a", new ArrayList<>(), "b", new ArrayList<>());
            Runnable pollBoth = () -> {
                a.poll(Duration.ofMillis(200)).forEach(got.get("a")::add);
                b.poll(Duration.ofMillis(200)).forEach(got.get("b")::add);
            };
            eventually("both consumers to own disjoint partitions", () -> {
                pollBoth.run();
                Set<TopicPartition> both = new HashSet<>(a.assignment());
                both.addAll(b.assignment());
                return !a.assignment().isEmpty() && !b.assignment().isEmpty()
                        && a.assignment().size() + b.assignment().size() == PARTITIONS && both.size() == PARTITIONS;
            });
            List<ProducerRecord<String, String>> sent = keyedRecords(topic, 90, "split");
            produce(sent, new Properties());
            eventually("all records", () -> {
                pollBoth.run();
                return got.get("a").size() + got.get("b").size() >= sent.size();
            });
            for (var entry : Map.of("a", a, "b", b).entrySet()) {
                Set<Integer> owned = entry.getValue().assignment().stream().map(TopicPartition::partition)
                        .collect(Collectors.toSet());
                List<ConsumerRecord<String, String>> mine = got.get(entry.getKey());
                assertFalse(mine.isEmpty(), "consumer " + entry.getKey() + " received nothing");
                assertTrue(mine.stream().allMatch(r -> owned.contains(r.partition())),
                        "consumer " + entry.getKey() + " read a partition it does not own");
            }
            List<ConsumerRecord<String, String>> all = new ArrayList<>(got.get("a"));
            all.addAll(got.get("b"));
            assertEquals(sent.size(), ids(all).size());
        }
    }

    @Test
    void idempotentProducerWritesEachRecordOnceWithContiguousOffsets() throws Exception {
        String topic = createTopic("java-idem");
        List<ProducerRecord<String, String>> sent = keyedRecords(topic, 500, "idem");
        Properties idempotent = new Properties();
        idempotent.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        List<RecordMetadata> acks = produce(sent, idempotent);
        for (int p = 0; p < PARTITIONS; p++) {
            final int partition = p;
            List<Long> offsets = acks.stream().filter(m -> m.partition() == partition).map(RecordMetadata::offset)
                    .sorted().toList();
            assertEquals(LongStreamRange.of(offsets.size()), offsets, "partition " + p + " offsets");
        }
        assertEquals((long) sent.size(), endOffsets(topic).values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void describeTheGroupWithLag() throws Exception {
        String topic = createTopic("java-lag");
        produce(keyedRecords(topic, 30, "lag"), new Properties());
        String group = unique("java-lag");
        try (KafkaConsumer<String, String> consumer = Scenario.consumer(bootstrap, group)) {
            consumer.subscribe(List.of(topic));
            pollUntil(consumer, 30);
            Map<TopicPartition, Long> ends = endOffsets(topic);
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            ends.forEach((tp, end) -> commit.put(tp, new OffsetAndMetadata(Math.max(0, end - 2))));
            consumer.commitSync(commit);

            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(60, TimeUnit.SECONDS);
            assertEquals(GroupState.STABLE, described.groupState());
            assertEquals(1, described.members().size());
            assertEquals(PARTITIONS, described.members().iterator().next().assignment().topicPartitions().size());

            Map<TopicPartition, Long> committed = committed(group);
            Map<TopicPartition, Long> lag = new HashMap<>();
            committed.forEach((tp, offset) -> lag.put(tp, ends.get(tp) - offset));
            Map<TopicPartition, Long> expected = new HashMap<>();
            ends.forEach((tp, end) -> expected.put(tp, Math.min(2, end)));
            assertEquals(expected, lag);
        }
    }

    @Test
    void resetOffsetsToEarliestAndToAnOffset() throws Exception {
        String topic = createTopic("java-reset");
        List<ProducerRecord<String, String>> sent = keyedRecords(topic, 30, "reset");
        produce(sent, new Properties());
        String group = unique("java-reset");
        try (KafkaConsumer<String, String> consumer = Scenario.consumer(bootstrap, group)) {
            consumer.subscribe(List.of(topic));
            pollUntil(consumer, sent.size());
            consumer.commitSync();
        } // the group must be empty to reset it

        Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            earliest.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
        }
        admin.alterConsumerGroupOffsets(group, earliest).all().get(60, TimeUnit.SECONDS);
        assertTrue(committed(group).values().stream().allMatch(o -> o == 0));

        TopicPartition p0 = new TopicPartition(topic, 0);
        admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(1))).all().get(60, TimeUnit.SECONDS);
        assertEquals(1L, committed(group).get(p0));

        try (KafkaConsumer<String, String> again = Scenario.consumer(bootstrap, group)) {
            again.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> rest = pollUntil(again, sent.size() - 1);
            assertEquals(sent.size() - 1, rest.size());
            assertEquals(1L, rest.stream().filter(r -> r.partition() == 0).mapToLong(ConsumerRecord::offset).min()
                    .orElseThrow());
        }
    }

    @Test
    void deleteTheTopic() throws Exception {
        String topic = createTopic("java-delete");
        admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        eventually("the topic to disappear", () -> !admin.listTopics().names().get().contains(topic));
    }

    @Test
    void aRecordOverMessageMaxBytesGetsRecordTooLarge() throws Exception {
        String topic = createTopic("java-big");
        Properties big = new Properties();
        // The client-side limit is raised so the broker itself must reject the record.
        big.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * MESSAGE_MAX_BYTES));
        big.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64 * MESSAGE_MAX_BYTES));
        byte[] bytes = new byte[MESSAGE_MAX_BYTES + 1024];
        new Random(7).nextBytes(bytes);
        String value = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        try (KafkaProducer<String, String> producer = Scenario.producer(bootstrap, big)) {
            Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, "big", value));
            ExecutionException failure = assertThrows(ExecutionException.class, () -> sent.get(60, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, failure.getCause());
        }
    }

    /** 0, 1, ..., n-1 as a List of Long. */
    private static final class LongStreamRange {
        static List<Long> of(int n) {
            return IntStream.range(0, n).mapToObj(i -> (long) i).toList();
        }
    }
}
