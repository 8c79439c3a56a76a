// The producer part of the shapes program (kafka-clients API only): RecordMetadata from futures
// and callbacks (keyed, null key/value, partitioner-chosen, default timestamp, LogAppendTime,
// acks=0), partitionsFor, and what failures look like: which exception, thrown by send() or
// failing the future and the callback (bad topic name, records too large for the producer and
// for the broker, a partition out of range, a serializer mismatch, an unknown topic when the
// broker does not create topics, a closed producer).
package dev.ferrokafka.clients.shapes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

final class ProducerShapes {
    /**
     * The record timestamps both runs give explicitly: recent (brokers delete records older than
     * retention.ms by their timestamps), the same for both runs of one test JVM.
     */
    static final long T0 = System.currentTimeMillis() / 1000 * 1000 - 60_000;

    private final Clients clients;
    private final Shapes out;
    private final String bootstrap;

    ProducerShapes(Clients clients, Shapes out, String bootstrap) {
        this.clients = clients;
        this.out = out;
        this.bootstrap = bootstrap;
    }

    Map<String, Object> props(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", StringSerializer.class);
        p.put("value.serializer", StringSerializer.class);
        p.put("client.id", clientId);
        p.put("linger.ms", 5);
        return p;
    }

    static String metadata(RecordMetadata md) {
        if (md == null) {
            return "null";
        }
        return "topic=" + md.topic() + " partition=" + md.partition() + " offset=" + md.offset()
                + " hasOffset=" + md.hasOffset() + " timestamp=" + md.timestamp() + " hasTimestamp=" + md.hasTimestamp()
                + " keySize=" + md.serializedKeySize() + " valueSize=" + md.serializedValueSize() + " toString=" + md;
    }

    /** Sends `record` with a callback and records: send() throwing, the future, the callback. */
    <K, V> RecordMetadata send(String key, Producer<K, V> p, ProducerRecord<K, V> record) throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        AtomicReference<String> cb = new AtomicReference<>();
        Future<RecordMetadata> f;
        try {
            f = p.send(record, (md, e) -> {
                cb.set("metadata=" + metadata(md) + " exception=" + (e == null ? "null" : Shapes.describe(e)));
                called.countDown();
            });
        } catch (Exception e) {
            out.put(key + ".send", Shapes.describe(e));
            return null;
        }
        out.put(key + ".send", "returned " + (f == null ? "null" : "a future"));
        RecordMetadata md = null;
        try {
            md = f.get(30, TimeUnit.SECONDS);
            out.put(key + ".future", metadata(md));
        } catch (Exception e) {
            out.put(key + ".future", Shapes.describe(e));
        }
        out.put(key + ".callback", called.await(30, TimeUnit.SECONDS) ? cb.get() : "not called");
        return md;
    }

    void run(Topics t, String noAutoCreateBootstrap) throws Exception {
        Map<String, Object> main = props("shapes-producer");
        // Sends to a bad topic name wait for metadata up to max.block.ms (60 s by default).
        main.put("max.block.ms", 3000);
        try (Producer<String, String> p = clients.producer(main)) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("h1", "x".getBytes());
            headers.add("h2", null);
            send("send.keyed", p, new ProducerRecord<>(t.main, 0, T0, "k1", "v1", headers));
            out.put("send.keyed.headersAfterSend", headers.toString());
            send("send.nulls", p, new ProducerRecord<String, String>(t.main, 1, (Long) (T0 + 1), null, null));
            send("send.partitioned.alpha", p, new ProducerRecord<>(t.main, null, T0 + 2, "alpha", "a"));
            send("send.partitioned.beta", p, new ProducerRecord<>(t.main, null, T0 + 3, "beta", "b"));
            long before = System.currentTimeMillis();
            Future<RecordMetadata> f = p.send(new ProducerRecord<>(t.main, 2, "k5", ""));
            RecordMetadata now = f.get(30, TimeUnit.SECONDS);
            long after = System.currentTimeMillis();
            out.put("send.defaultTimestamp.inRange", now.timestamp() >= before && now.timestamp() <= after);
            out.hide(String.valueOf(now.timestamp()), "sendTime");
            out.put("send.defaultTimestamp", metadata(now));

            RecordMetadata lat = p.send(new ProducerRecord<>(t.logAppendTime, null, T0, "k", "v")).get(30, TimeUnit.SECONDS);
            out.put("send.logAppendTime.notCreateTime", lat.timestamp() != T0 && lat.timestamp() > T0);
            out.hide(String.valueOf(lat.timestamp()), "logAppendTime");
            out.put("send.logAppendTime", metadata(lat));

            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>(t.one, 0, T0 + 1000 + i, "o" + i, "one-" + i));
            }
            p.flush();

            List<PartitionInfo> parts = p.partitionsFor(t.main);
            // In Cluster's (hash) order, which differs between topic names: compared sorted.
            out.put("producer.partitionsFor", Shapes.sorted(parts));

            send("error.badTopicName", p, new ProducerRecord<>("bad topic!", "k", "v"));
            send("error.tooLargeForProducer", p, new ProducerRecord<>(t.main, 0, "k", "x".repeat(2 * 1024 * 1024)));
            send("error.partitionOutOfRange", p, new ProducerRecord<>(t.main, 7, "k", "v"));
            out.error("error.partitionsForBadName", () -> p.partitionsFor("bad topic!"));
            @SuppressWarnings({"unchecked", "rawtypes"})
            Producer<Object, Object> raw = (Producer) p;
            send("error.serializerMismatch", raw, new ProducerRecord<>(t.main, 0, "k", 42));
        }

        Map<String, Object> big = props("shapes-big");
        big.put("max.request.size", 4 * 1024 * 1024);
        try (Producer<String, String> p = clients.producer(big)) {
            send("error.tooLargeForBroker", p, new ProducerRecord<>(t.main, 0, "k", "y".repeat(1_200_000)));
        }

        Map<String, Object> acks0 = props("shapes-acks0");
        acks0.put("acks", "0");
        try (Producer<String, String> p = clients.producer(acks0)) {
            send("send.acks0.keyed", p, new ProducerRecord<>(t.acks0, 0, T0, "k", "v"));
            p.flush();
        }

        Map<String, Object> unknown = props("shapes-unknown");
        unknown.put("bootstrap.servers", noAutoCreateBootstrap);
        unknown.put("max.block.ms", 1500);
        Producer<String, String> p = clients.producer(unknown);
        try {
            send("error.unknownTopic", p, new ProducerRecord<>("missing-" + out.run(), "k", "v"));
            out.error("error.unknownTopic.partitionsFor", () -> p.partitionsFor("missing-" + out.run()));
        } finally {
            p.close();
        }
        send("producerClosed.send", p, new ProducerRecord<>(t.main, "k", "v"));
        out.error("producerClosed.flush", () -> {
            p.flush();
            return null;
        });
        out.error("producerClosed.partitionsFor", () -> p.partitionsFor(t.main));
        out.error("producerClosed.closeAgain", () -> {
            p.close();
            return null;
        });
    }
}
