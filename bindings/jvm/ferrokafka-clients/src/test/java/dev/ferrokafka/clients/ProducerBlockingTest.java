// send() blocks its caller for topic metadata and for buffer.memory, bounded by max.block.ms,
// and then fails exactly as kafka-clients' KafkaProducer 4.x does. Every test runs against both
// FerroKafkaProducer and KafkaProducer itself (the reference), through a broker behind a proxy
// whose answers can be held back (a broker that cannot keep up).
package dev.ferrokafka.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProducerBlockingTest {
    private static final String VALUE = "v".repeat(500);
    private static PausableProxy proxy;
    private static FerroKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        proxy = new PausableProxy();
        // Clients are told the proxy's address, so every connection goes through it.
        broker = FerroKafkaBroker.start(Map.of("num.partitions", "1",
                "advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port()));
        proxy.start(broker.port());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        broker.close();
    }

    private static Producer<String, String> producer(String impl, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", "127.0.0.1:" + proxy.port());
        p.put("key.serializer", StringSerializer.class);
        p.put("value.serializer", StringSerializer.class);
        p.put("buffer.memory", 4096);
        p.put("batch.size", 1024);
        p.put("linger.ms", 0);
        p.putAll(extra);
        return impl.equals("kafka") ? new KafkaProducer<>(p) : new FerroKafkaProducer<>(p);
    }

    /** Sends one record and waits for it: the topic's metadata is known afterwards. */
    private static String warmTopic(Producer<String, String> p) throws Exception {
        String topic = TestCluster.topic("block");
        p.send(new ProducerRecord<>(topic, 0, null, "warm")).get(30, TimeUnit.SECONDS);
        return topic;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferrokafka", "kafka"})
    void fullBufferBlocksSendThenFailsWithBufferExhausted(String impl) throws Exception {
        try (Producer<String, String> p = producer(impl, Map.of("max.block.ms", 500))) {
            String topic = warmTopic(p);
            proxy.pause();
            List<Future<RecordMetadata>> accepted = new ArrayList<>();
            Future<RecordMetadata> refused = null;
            AtomicReference<Exception> callbackError = new AtomicReference<>();
            AtomicReference<Thread> callbackThread = new AtomicReference<>();
            try {
                for (int i = 0; i < 100 && refused == null; i++) {
                    Future<RecordMetadata> f = p.send(new ProducerRecord<>(topic, 0, null, VALUE), (md, e) -> {
                        if (e != null) {
                            callbackError.set(e);
                            callbackThread.set(Thread.currentThread());
                        }
                    });
                    // A send that ran out of time returns an already failed future.
                    if (f.isDone()) {
                        refused = f;
                    } else {
                        accepted.add(f);
                    }
                }
            } finally {
                proxy.resume();
            }
            assertNotNull(refused, "a send into a full buffer fails within max.block.ms");
            Future<RecordMetadata> failed = refused;
            ExecutionException e = assertThrows(ExecutionException.class, failed::get);
            BufferExhaustedException cause = assertInstanceOf(BufferExhaustedException.class, e.getCause());
            String m = cause.getMessage();
            assertTrue(m.matches("Failed to allocate 1024 bytes within the configured max blocking time 500 ms\\. "
                    + "Total memory: 4096 bytes\\. Available memory: \\d+ bytes\\. Poolable size: 1024 bytes"), m);
            // The callback ran on the sending thread, before send returned.
            assertSame(cause, callbackError.get());
            assertSame(Thread.currentThread(), callbackThread.get());
            assertTrue(accepted.size() >= 4, "what fit was accepted: " + accepted.size());
            for (Future<RecordMetadata> f : accepted) {
                f.get(30, TimeUnit.SECONDS); // nothing accepted is lost
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferrokafka", "kafka"})
    void burstLargerThanBufferMemoryBlocksThenDeliversEveryRecordInOrder(String impl) throws Exception {
        int n = 60; // about 7 × buffer.memory
        try (Producer<String, String> p = producer(impl, Map.of())) {
            String topic = warmTopic(p);
            proxy.pause();
            AtomicInteger sent = new AtomicInteger();
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    futures.add(p.send(new ProducerRecord<>(topic, 0, null, i + ":" + VALUE)));
                    sent.incrementAndGet();
                }
            });
            try {
                writer.start();
                // The writer stops at a full buffer: its count stays put while the broker is held.
                int seen;
                do {
                    seen = sent.get();
                    Thread.sleep(1000);
                } while (sent.get() != seen);
                assertTrue(seen < n && writer.isAlive(), "send blocked at a full buffer after " + seen);
            } finally {
                proxy.resume();
            }
            writer.join(60_000);
            assertEquals(n, futures.size());
            long last = 0; // "warm" is offset 0
            for (Future<RecordMetadata> f : futures) {
                RecordMetadata md = f.get(30, TimeUnit.SECONDS);
                assertEquals(last + 1, md.offset(), "every record, in send order");
                last = md.offset();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferrokafka", "kafka"})
    void unknownMetadataBlocksSendThenFailsWithTimeout(String impl) throws Exception {
        // A broker that answers nothing: the topic's metadata never arrives.
        proxy.pause();
        // KafkaProducer's close waits out its InitProducerId to the silent broker, for up to
        // request.timeout.ms: 3 s rather than the default 30 keeps this test short.
        try (Producer<String, String> p = producer(impl, Map.of("max.block.ms", 500, "request.timeout.ms", 3000))) {
            AtomicReference<Exception> callbackError = new AtomicReference<>();
            Future<RecordMetadata> f = p.send(new ProducerRecord<>("no-metadata", "x"),
                    (md, e) -> callbackError.set(e));
            assertTrue(f.isDone(), "send returned after max.block.ms with a failed future");
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            TimeoutException cause = assertInstanceOf(TimeoutException.class, e.getCause());
            assertEquals("Topic no-metadata not present in metadata after 500 ms.", cause.getMessage());
            assertSame(cause, callbackError.get());
            p.close(Duration.ZERO);
        } finally {
            proxy.resume();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferrokafka", "kafka"})
    void partitionTheTopicLacksBlocksSendThenFailsWithTimeout(String impl) throws Exception {
        try (Producer<String, String> p = producer(impl, Map.of("max.block.ms", 500))) {
            String topic = warmTopic(p); // 1 partition (num.partitions=1)
            AtomicReference<Exception> callbackError = new AtomicReference<>();
            long start = System.nanoTime();
            Future<RecordMetadata> f = p.send(new ProducerRecord<>(topic, 5, null, "x"),
                    (md, e) -> callbackError.set(e));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(f.isDone(), "send returned after max.block.ms with a failed future");
            assertTrue(waitedMs >= 450, "send waited for the partition (" + waitedMs + " ms)");
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            TimeoutException cause = assertInstanceOf(TimeoutException.class, e.getCause());
            // KafkaProducer names the partition when its last metadata update came in time, the
            // topic when the wait for one ran out first: either is Java's answer.
            String partitionMessage = "Partition 5 of topic " + topic
                    + " with partition count 1 is not present in metadata after 500 ms.";
            String topicMessage = "Topic " + topic + " not present in metadata after 500 ms.";
            assertTrue(cause.getMessage().equals(partitionMessage) || cause.getMessage().equals(topicMessage),
                    cause.getMessage());
            assertSame(cause, callbackError.get());
            // The producer still works for the partition that exists.
            assertEquals(0, p.send(new ProducerRecord<>(topic, 0, null, "y")).get(30, TimeUnit.SECONDS).partition());
        }
    }
}
