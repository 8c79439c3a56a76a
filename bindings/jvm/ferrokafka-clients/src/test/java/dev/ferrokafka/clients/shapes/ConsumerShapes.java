// The consumer part of the shapes program (kafka-clients API only): every ConsumerRecord field
// (and toString), poll result shapes, positions, committed offsets (missing ones included),
// offset lookups, partitionsFor/listTopics, assignment/subscription/paused/groupMetadata, and
// the misuse errors users meet (unassigned partitions, no group, no subscription, wakeup, a
// closed consumer). The group part is handed to AdminShapes while the member is alive.
package dev.ferrokafka.clients.shapes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

final class ConsumerShapes {
    private final Clients clients;
    private final Shapes out;
    private final String bootstrap;

    ConsumerShapes(Clients clients, Shapes out, String bootstrap) {
        this.clients = clients;
        this.out = out;
        this.bootstrap = bootstrap;
    }

    Map<String, Object> props(String clientId, String group) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", StringDeserializer.class);
        p.put("value.deserializer", StringDeserializer.class);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", false);
        p.put("allow.auto.create.topics", false);
        p.put("client.id", clientId);
        if (group != null) {
            p.put("group.id", group);
        }
        return p;
    }

    static String headers(Iterable<Header> headers) {
        List<String> hs = new ArrayList<>();
        for (Header h : headers) {
            hs.add(h.key() + "=" + (h.value() == null ? "null" : new String(h.value())));
        }
        return hs.toString();
    }

    void record(String key, ConsumerRecord<String, String> r) {
        out.put(key + ".fields", "topic=" + r.topic() + " partition=" + r.partition() + " offset=" + r.offset()
                + " timestamp=" + r.timestamp() + " timestampType=" + r.timestampType()
                + " key=" + r.key() + " value=" + r.value() + " headers=" + headers(r.headers())
                + " keySize=" + r.serializedKeySize() + " valueSize=" + r.serializedValueSize()
                + " leaderEpoch=" + r.leaderEpoch() + " leaderEpochType=" + Shapes.optionalType(r.leaderEpoch())
                + " deliveryCount=" + r.deliveryCount());
        out.put(key + ".toString", r.toString());
        out.put(key + ".headersClass", r.headers().getClass().getName());
    }

    static List<ConsumerRecord<String, String>> pollUntil(Consumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    /** The group member's part; `whileMember` runs (admin calls) while it is in the group. */
    void group(Topics t, String group, Runnable whileMember) throws Exception {
        Consumer<String, String> c = clients.consumer(props("shapes-c1", group));
        Set<TopicPartition> main = Set.of(new TopicPartition(t.main, 0), new TopicPartition(t.main, 1),
                new TopicPartition(t.main, 2));
        TopicPartition one0 = new TopicPartition(t.one, 0);
        try {
            out.put("group.subscriptionBefore", c.subscription());
            c.subscribe(List.of(t.main));
            out.put("group.subscription", c.subscription());
            List<ConsumerRecord<String, String>> got = pollUntil(c, 5);
            out.put("group.count", got.size());
            TreeMap<String, ConsumerRecord<String, String>> byPosition = new TreeMap<>();
            got.forEach(r -> byPosition.put(r.partition() + "." + r.offset(), r));
            byPosition.forEach((pos, r) -> record("group.record." + pos, r));
            out.put("group.assignment", Shapes.sorted(c.assignment()));
            out.put("group.paused", c.paused());
            ConsumerGroupMetadata gm = c.groupMetadata();
            out.put("group.metadata", "groupId=" + gm.groupId() + " generation=" + gm.generationId()
                    + " memberIdStartsWithClientId=" + gm.memberId().startsWith("shapes-c1-")
                    + " instanceId=" + gm.groupInstanceId());
            out.put("group.metadata.toString", gm.toString());
            for (int i = 0; i < 3; i++) {
                out.put("group.position." + i, c.position(new TopicPartition(t.main, i)));
            }
            Set<TopicPartition> asked = new HashSet<>(main);
            asked.add(one0);
            Map<TopicPartition, OffsetAndMetadata> none = c.committed(asked);
            out.put("group.committed.before", Shapes.sorted(none) + " size=" + none.size()
                    + " containsMissing=" + none.containsKey(one0));
            c.commitSync(Map.of(new TopicPartition(t.main, 0), new OffsetAndMetadata(1, "meta")));
            Map<TopicPartition, OffsetAndMetadata> one = c.committed(asked);
            out.put("group.committed.afterOne", Shapes.sorted(one) + " size=" + one.size());
            c.commitSync();
            Map<TopicPartition, OffsetAndMetadata> all = c.committed(asked, Duration.ofSeconds(30));
            out.put("group.committed.afterAll", Shapes.sorted(all) + " size=" + all.size());
            out.error("group.committed.unmodifiable", () -> {
                all.put(one0, null);
                return null;
            });

            TopicPartition m0 = new TopicPartition(t.main, 0);
            c.pause(List.of(m0));
            out.put("group.pausedAfterPause", c.paused());
            out.put("group.pollWhilePaused", c.poll(Duration.ofMillis(300)).count());
            c.resume(List.of(m0));
            out.put("group.pausedAfterResume", c.paused());
            out.error("misuse.seekUnassigned", () -> {
                c.seek(one0, 0);
                return null;
            });
            out.error("misuse.positionUnassigned", () -> c.position(one0));
            out.error("misuse.pauseUnassigned", () -> {
                c.pause(List.of(one0));
                return null;
            });
            out.error("misuse.seekNegative", () -> {
                c.seek(m0, -1);
                return null;
            });
            out.error("misuse.assignWhileSubscribed", () -> {
                c.assign(List.of(one0));
                return null;
            });
            out.error("misuse.commitUnassigned", () -> {
                c.commitSync(Map.of(one0, new OffsetAndMetadata(1)));
                return null;
            });

            whileMember.run();
        } finally {
            c.close(Duration.ofSeconds(30));
        }
        out.error("consumerClosed.poll", () -> c.poll(Duration.ofMillis(10)));
        out.error("consumerClosed.assignment", c::assignment);
        out.error("consumerClosed.wakeup", () -> {
            c.wakeup();
            return null;
        });
        out.error("consumerClosed.closeAgain", () -> {
            c.close();
            return null;
        });
    }

    /** Without a group: assign, poll shapes, lookups, wakeup and misuse. */
    void standalone(Topics t) throws Exception {
        TopicPartition one0 = new TopicPartition(t.one, 0);
        TopicPartition lat0 = new TopicPartition(t.logAppendTime, 0);
        TopicPartition acks0 = new TopicPartition(t.acks0, 0);
        Map<String, Object> props = props("shapes-c2", null);
        props.put("max.poll.records", 2);
        try (Consumer<String, String> c = clients.consumer(props)) {
            out.error("misuse.pollUnsubscribed", () -> c.poll(Duration.ofMillis(10)));
            out.error("misuse.groupMetadataNoGroup", c::groupMetadata);
            out.error("misuse.committedNoGroup", () -> c.committed(Set.of(one0)));
            out.error("misuse.subscribeNoGroup", () -> {
                c.subscribe(List.of(t.one));
                return null;
            });
            out.error("misuse.subscribeNull", () -> {
                c.subscribe((List<String>) null);
                return null;
            });
            out.error("misuse.assignNull", () -> {
                c.assign(null);
                return null;
            });
            c.assign(List.of(one0));
            out.put("standalone.assignment", c.assignment());
            out.put("standalone.subscription", c.subscription());
            out.put("standalone.position", c.position(one0));
            ConsumerRecords<String, String> first = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (first.isEmpty() && System.nanoTime() < deadline) {
                first = c.poll(Duration.ofMillis(200));
            }
            out.put("poll.first.count", first.count());
            out.put("poll.first.partitions", first.partitions());
            out.put("poll.first.nextOffsets", first.nextOffsets());
            out.put("poll.first.offsets", offsets(first.records(one0)));
            out.put("poll.first.recordsOfUnfetched", first.records(lat0));
            ConsumerRecords<String, String> second = c.poll(Duration.ofSeconds(5));
            out.put("poll.second.count", second.count());
            out.put("poll.second.nextOffsets", second.nextOffsets());
            out.put("standalone.positionAfter", c.position(one0));
            if (!first.isEmpty()) {
                record("standalone.record.one.0", first.iterator().next());
            }
            out.error("misuse.commitNoGroup", () -> {
                c.commitSync();
                return null;
            });

            Set<TopicPartition> lookups = Set.of(one0, lat0, acks0, new TopicPartition(t.main, 0));
            out.put("lookup.beginningOffsets", Shapes.sorted(c.beginningOffsets(lookups)));
            out.put("lookup.endOffsets", Shapes.sorted(c.endOffsets(lookups, Duration.ofSeconds(30))));
            Map<TopicPartition, Long> times = new HashMap<>();
            times.put(one0, ProducerShapes.T0 + 1002);
            times.put(new TopicPartition(t.main, 0), ProducerShapes.T0 - 1000);
            times.put(new TopicPartition(t.main, 1), 9_999_999_999_999L);
            out.put("lookup.offsetsForTimes", Shapes.sorted(c.offsetsForTimes(times)));
            out.error("lookup.offsetsForTimesNegative", () -> c.offsetsForTimes(Map.of(one0, -5L)));
            out.put("lookup.partitionsFor", Shapes.sorted(c.partitionsFor(t.main)));
            out.put("lookup.partitionsForMissing", c.partitionsFor("missing-" + out.run()));
            Map<String, List<org.apache.kafka.common.PartitionInfo>> topics = c.listTopics();
            Map<String, Integer> ours = new TreeMap<>();
            topics.forEach((name, parts) -> {
                if (name.contains(out.run())) {
                    ours.put(name, parts.size());
                }
            });
            out.put("lookup.listTopics", ours);
            out.put("lookup.listTopicsHasInternal", topics.containsKey("__consumer_offsets"));

            c.assign(List.of(lat0, acks0));
            c.seekToBeginning(List.of());
            TreeMap<String, ConsumerRecord<String, String>> more = new TreeMap<>();
            for (ConsumerRecord<String, String> r : pollUntil(c, 2)) {
                more.put(r.topic().replace(out.run(), "") + "." + r.offset(), r);
            }
            more.forEach((k, r) -> record("standalone.record." + k, r));

            c.wakeup();
            out.error("wakeup.poll", () -> c.poll(Duration.ofSeconds(5)));
            out.error("wakeup.pollAfter", () -> c.poll(Duration.ofMillis(100)).count());
            c.wakeup();
            out.error("wakeup.position", () -> c.position(lat0));
            c.unsubscribe();
            out.put("standalone.assignmentAfterUnsubscribe", c.assignment());
        }
    }

    private static List<Long> offsets(List<ConsumerRecord<String, String>> rs) {
        return rs.stream().map(ConsumerRecord::offset).toList();
    }
}
