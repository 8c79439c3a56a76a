// kafka-clients' Producer over the native core: serializes in Java with the configured
// Serializer (header-aware), enqueues each record in the core, and completes the returned
// future and the Callback by request id from results fetched a batch at a time by one
// callback thread (as Java runs callbacks on its I/O thread). Transactions are not supported yet.
package dev.ferrokafka.clients;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ferrokafka.clients.internal.ClientConfigs;
import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeError;
import dev.ferrokafka.clients.internal.NativeHandle;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class FerroKafkaProducer<K, V> extends NativeHandle implements Producer<K, V> {
    private static final Logger log = LoggerFactory.getLogger(FerroKafkaProducer.class);
    private static final String CLOSED = "Cannot perform operation after producer has been closed";
    private static final String NO_TX = "transactions are not supported by ferrokafka yet; "
            + "remove transactional.id / transaction-id-prefix (the idempotent producer stays on)";
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final String clientId;
    private final int maxRequestSize;
    private final long bufferMemory;
    private final CompressionType compression;
    private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Set<String> invalidTopics = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Object progress = new Object();
    private final Thread callbackThread;

    private record Pending(CompletableFuture<RecordMetadata> future, Callback callback, TopicPartition tp,
                           int keySize, int valueSize) {}

    public FerroKafkaProducer(Map<String, Object> configs) {
        this(configs, null, null);
    }

    public FerroKafkaProducer(Properties properties) {
        this(Utils.propsToMap(properties), null, null);
    }

    public FerroKafkaProducer(Properties properties, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        this(Utils.propsToMap(properties), keySerializer, valueSerializer);
    }

    @SuppressWarnings("unchecked")
    public FerroKafkaProducer(Map<String, Object> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        this(init(configs, keySerializer, valueSerializer));
    }

    private record Init(long handle, Serializer<?> key, Serializer<?> value, String clientId, int maxRequestSize,
                        long bufferMemory, CompressionType compression) {}

    @SuppressWarnings("unchecked")
    private FerroKafkaProducer(Init init) {
        super(init.handle);
        this.keySerializer = (Serializer<K>) init.key;
        this.valueSerializer = (Serializer<V>) init.value;
        this.clientId = init.clientId;
        this.maxRequestSize = init.maxRequestSize;
        this.bufferMemory = init.bufferMemory;
        this.compression = init.compression;
        long native0 = init.handle;
        this.callbackThread = new Thread(() -> runCallbacks(native0), "ferrokafka-producer-network-thread | " + clientId);
        this.callbackThread.setDaemon(true);
        this.callbackThread.start();
    }

    private static Init init(Map<String, Object> configs, Serializer<?> keySer, Serializer<?> valueSer) {
        Map<String, Object> props = new HashMap<>(configs);
        if (keySer != null) {
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, keySer.getClass());
        }
        if (valueSer != null) {
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSer.getClass());
        }
        // Validates names, types and required keys exactly as KafkaProducer does.
        ProducerConfig config = new ProducerConfig(props);
        String clientId = config.getString(ProducerConfig.CLIENT_ID_CONFIG);
        if (clientId == null || clientId.isEmpty()) {
            clientId = "producer-" + CLIENT_IDS.incrementAndGet();
        }
        Map<String, Object> originals = config.originals(Collections.singletonMap(ProducerConfig.CLIENT_ID_CONFIG, clientId));
        Serializer<?> k = keySer;
        if (k == null) {
            k = config.getConfiguredInstance(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, Serializer.class);
            k.configure(originals, true);
        }
        Serializer<?> v = valueSer;
        if (v == null) {
            v = config.getConfiguredInstance(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, Serializer.class);
            v.configure(originals, false);
        }
        Map<String, Object> core = new HashMap<>(configs);
        core.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        String[][] kv = ClientConfigs.forCore(core, ClientConfigs.PRODUCER);
        Native.init();
        long h = Native.producerNew(kv[0], kv[1]);
        return new Init(h, k, v, clientId, config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                config.getLong(ProducerConfig.BUFFER_MEMORY_CONFIG),
                CompressionType.forName(config.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG)));
    }

    /** The client.id this producer uses (generated when not configured). */
    public String clientId() {
        return clientId;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        if (isClosing()) {
            throw new IllegalStateException(CLOSED);
        }
        String topic = record.topic();
        Headers headers = record.headers();
        byte[] key;
        byte[] value;
        try {
            key = keySerializer.serialize(topic, headers, record.key());
        } catch (ClassCastException e) {
            throw new SerializationException("Can't convert key of class " + record.key().getClass().getName()
                    + " to class " + keySerializer.getClass().getName() + " specified in key.serializer", e);
        }
        try {
            value = valueSerializer.serialize(topic, headers, record.value());
        } catch (ClassCastException e) {
            throw new SerializationException("Can't convert value of class " + record.value().getClass().getName()
                    + " to class " + valueSerializer.getClass().getName() + " specified in value.serializer", e);
        }
        if (headers instanceof RecordHeaders rh) {
            rh.setReadOnly();
        }
        byte[] hdrs = encodeHeaders(headers);
        int partition = record.partition() == null ? -1 : record.partition();
        long ts = record.timestamp() == null ? Long.MIN_VALUE : record.timestamp();
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        long id = ids.incrementAndGet();
        Pending p = new Pending(future, callback, new TopicPartition(topic, partition),
                key == null ? -1 : key.length, value == null ? -1 : value.length);
        pending.put(id, p);
        long h;
        try {
            h = enter(CLOSED);
        } catch (IllegalStateException e) {
            pending.remove(id);
            throw e;
        }
        try {
            ensureValidRecordSize(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    compression, key, value, headers.toArray()));
            Native.producerSend(h, id, topic, partition, ts, key, value, hdrs);
        } catch (ApiException e) {
            pending.remove(id);
            complete(p, null, e instanceof InvalidTopicException ? invalidTopic(topic) : e);
        } catch (RuntimeException e) {
            pending.remove(id);
            throw e;
        } finally {
            exit();
        }
        return future;
    }

    /** KafkaProducer's size check of a serialized record (the same estimate, the same messages). */
    private void ensureValidRecordSize(int size) {
        if (size > maxRequestSize) {
            throw new RecordTooLargeException("The message is " + size + " bytes when serialized which is larger than "
                    + maxRequestSize + ", which is the value of the " + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " configuration.");
        }
        if (size > bufferMemory) {
            throw new RecordTooLargeException("The message is " + size + " bytes when serialized which is larger than the "
                    + "total memory buffer you have configured with the " + ProducerConfig.BUFFER_MEMORY_CONFIG + " configuration.");
        }
    }

    private static byte[] encodeHeaders(Headers headers) {
        Header[] arr = headers.toArray();
        if (arr.length == 0) {
            return null;
        }
        Codec.Writer w = new Codec.Writer().i32(arr.length);
        for (Header hd : arr) {
            w.str(hd.key()).bytes(hd.value());
        }
        return w.toByteArray();
    }

    private void complete(Pending p, RecordMetadata md, Exception error) {
        if (error == null) {
            p.future.complete(md);
        } else {
            p.future.completeExceptionally(error);
            md = new RecordMetadata(p.tp, -1, -1, RecordBatch.NO_TIMESTAMP, -1, -1);
        }
        if (p.callback != null) {
            try {
                p.callback.onCompletion(md, error);
            } catch (Throwable t) {
                log.error("Error executing user-provided callback on message for topic-partition '{}'", p.tp, t);
            }
        }
    }

    /** The callback thread: fetches delivery results a batch at a time until the producer closed. */
    private void runCallbacks(long h) {
        // This thread uses the handle until the native result stream ends (after close());
        // close() joins it before freeing, so it needs no per-call accounting, and it takes the
        // handle from the constructor: a producer closed before this thread started is not an
        // error here (the stream has ended, the first fetch returns null).
        while (true) {
            byte[] batch;
            try {
                batch = Native.producerCompletions(h, 200, 8192);
            } catch (RuntimeException e) {
                log.error("ferrokafka: fetching delivery results failed", e);
                break;
            }
            if (batch == null) {
                break;
            }
            Codec.Reader r = new Codec.Reader(batch);
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                long id = r.i64();
                // Removed only after its callback ran: flush() waits on this map, and Java's flush
                // returns once callbacks have completed.
                Pending p = pending.get(id);
                if (r.i8() == 0) {
                    int partition = r.i32();
                    long offset = r.i64();
                    long ts = r.i64();
                    if (p != null) {
                        TopicPartition tp = new TopicPartition(p.tp.topic(), partition);
                        complete(p, new RecordMetadata(tp, offset, 0, ts, p.keySize, p.valueSize), null);
                    }
                } else {
                    RuntimeException e = NativeError.create(r.i32(), r.i32(), r.str());
                    if (p != null) {
                        complete(p, null, e);
                    }
                }
                pending.remove(id);
            }
            if (n > 0) {
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        }
        // Anything left was never handed to the core (the producer is gone).
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                complete(p, null, new org.apache.kafka.common.KafkaException("Producer is closed forcefully."));
            }
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    @Override
    public void flush() {
        long target = ids.get();
        long h;
        try {
            h = enter(CLOSED);
        } catch (IllegalStateException closed) {
            // As KafkaProducer: after close nothing is left to flush, and flush returns.
            return;
        }
        try {
            Native.producerFlush(h);
        } finally {
            exit();
        }
        synchronized (progress) {
            // firstEntry(), not isEmpty() then firstKey(): the callback thread removes entries
            // concurrently, so the map can empty between two calls.
            java.util.Map.Entry<Long, Pending> first;
            while ((first = pending.firstEntry()) != null
                    && first.getKey() <= target
                    && callbackThread.isAlive()) {
                try {
                    progress.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new org.apache.kafka.common.errors.InterruptException(e);
                }
            }
        }
    }

    /**
     * KafkaProducer's InvalidTopicException: "Invalid topics: [t]" from the metadata update that
     * found the name invalid, then just the name while its metadata remembers it as invalid.
     */
    private InvalidTopicException invalidTopic(String topic) {
        return invalidTopics.add(topic) ? new InvalidTopicException(Set.of(topic)) : new InvalidTopicException(topic);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        java.util.Objects.requireNonNull(topic, "topic cannot be null");
        long h = enter(CLOSED);
        try {
            return new Codec.Reader(Native.producerPartitionsFor(h, topic)).partitions(topic);
        } catch (InvalidTopicException e) {
            throw invalidTopic(topic);
        } finally {
            exit();
        }
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        long h = enter(CLOSED);
        try {
            return ClientConfigs.metrics(Native.producerMetrics(h), "producer-metrics", clientId);
        } finally {
            exit();
        }
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new IllegalStateException("Telemetry is not enabled: ferrokafka does not push client metrics");
    }

    /** Registers a metric for client telemetry (not enabled: nothing to do). */
    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {}

    /** See registerMetricForSubscription. */
    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {}

    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE));
    }

    @Override
    public void close(Duration timeout) {
        long ms = Math.min(Math.max(0, timeout.toMillis()), 365L * 24 * 3600 * 1000);
        boolean fromCallback = Thread.currentThread() == callbackThread;
        long h = markClosing();
        if (h == 0) {
            return;
        }
        // Called from a callback, Java closes forcefully: nothing may wait for this thread.
        Native.producerClose(h, fromCallback ? 0 : ms);
        if (fromCallback) {
            // The callback thread is still inside a batch: it ends by itself once the result
            // stream closes; the native object is then left to process exit (never freed while used).
            return;
        }
        try {
            callbackThread.join(Math.max(ms, 1000) + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!callbackThread.isAlive()) {
            freeHandle(5000);
        }
        Utils.closeQuietly(keySerializer, "producer keySerializer");
        Utils.closeQuietly(valueSerializer, "producer valueSerializer");
    }

    @Override
    protected void free(long h) {
        Native.producerFree(h);
    }

    // ---- transactions: not in the core yet ----

    @Override
    public void initTransactions() {
        throw new UnsupportedOperationException(NO_TX);
    }

    @Override
    public void beginTransaction() {
        throw new UnsupportedOperationException(NO_TX);
    }

    /** kafka-clients 3.x only (removed from the interface in 4.0). */
    @Deprecated
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId) {
        throw new UnsupportedOperationException(NO_TX);
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        throw new UnsupportedOperationException(NO_TX);
    }

    @Override
    public void commitTransaction() {
        throw new UnsupportedOperationException(NO_TX);
    }

    @Override
    public void abortTransaction() {
        throw new UnsupportedOperationException(NO_TX);
    }
}
