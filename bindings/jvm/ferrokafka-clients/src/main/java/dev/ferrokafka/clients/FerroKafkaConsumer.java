// kafka-clients' Consumer over the native core: poll fetches records a batch at a time and
// deserializes them in Java with the configured Deserializer (header-aware); rebalance
// callbacks run on the polling thread; wakeup() interrupts a blocking call with
// WakeupException; commitAsync callbacks run on the polling thread, as in KafkaConsumer.
// Like KafkaConsumer it is single-threaded (ConcurrentModificationException otherwise) except
// for wakeup().
package dev.ferrokafka.clients;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import dev.ferrokafka.clients.internal.ClientConfigs;
import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeError;
import dev.ferrokafka.clients.internal.NativeHandle;
import dev.ferrokafka.clients.internal.PolledRecords;
import dev.ferrokafka.clients.internal.RebalanceBridge;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class FerroKafkaConsumer<K, V> extends NativeHandle implements Consumer<K, V> {
    private static final Logger log = LoggerFactory.getLogger(FerroKafkaConsumer.class);
    private static final String CLOSED = "This consumer has already been closed.";
    private static final long NO_THREAD = -1L;
    private static final long DEFAULT_CLOSE_MS = 30_000;
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final String clientId;
    private final String groupId;
    private final String groupInstanceId;
    private final AtomicLong owner = new AtomicLong(NO_THREAD);
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicLong commitIds = new AtomicLong();
    private final Map<Long, PendingCommit> asyncCommits = new ConcurrentHashMap<>();
    private volatile RebalanceBridge bridge;
    private boolean hasAssignmentSource;
    /** How partitions are chosen, as SubscriptionState's type: NONE, topics/pattern (group), or user-assigned. */
    private Source source = Source.NONE;

    private enum Source { NONE, TOPICS, PATTERN, ASSIGNED }

    private static final String MUTUALLY_EXCLUSIVE = "Subscription to topics, partitions and pattern are mutually exclusive";

    /** As SubscriptionState.setSubscriptionType: switching between kinds needs an unsubscribe first. */
    private void become(Source next) {
        if (source != Source.NONE && source != next) {
            throw new IllegalStateException(MUTUALLY_EXCLUSIVE);
        }
    }

    private record PendingCommit(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {}

    private record Init(long handle, Deserializer<?> key, Deserializer<?> value, String clientId, String groupId,
                        String instanceId) {}

    public FerroKafkaConsumer(Map<String, Object> configs) {
        this(configs, null, null);
    }

    public FerroKafkaConsumer(Properties properties) {
        this(Utils.propsToMap(properties), null, null);
    }

    public FerroKafkaConsumer(Properties properties, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this(Utils.propsToMap(properties), keyDeserializer, valueDeserializer);
    }

    public FerroKafkaConsumer(Map<String, Object> configs, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this(init(configs, keyDeserializer, valueDeserializer));
    }

    @SuppressWarnings("unchecked")
    private FerroKafkaConsumer(Init init) {
        super(init.handle);
        this.keyDeserializer = (Deserializer<K>) init.key;
        this.valueDeserializer = (Deserializer<V>) init.value;
        this.clientId = init.clientId;
        this.groupId = init.groupId;
        this.groupInstanceId = init.instanceId;
    }

    private static Init init(Map<String, Object> configs, Deserializer<?> keyDes, Deserializer<?> valueDes) {
        Map<String, Object> props = new HashMap<>(configs);
        if (keyDes != null) {
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, keyDes.getClass());
        }
        if (valueDes != null) {
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDes.getClass());
        }
        // Validates names, types and required keys exactly as KafkaConsumer does.
        ConsumerConfig config = new ConsumerConfig(props);
        String groupId = config.getString(ConsumerConfig.GROUP_ID_CONFIG);
        String clientId = config.getString(ConsumerConfig.CLIENT_ID_CONFIG);
        if (clientId == null || clientId.isEmpty()) {
            clientId = "consumer-" + (groupId == null ? "" : groupId + "-") + CLIENT_IDS.incrementAndGet();
        }
        Map<String, Object> originals = config.originals(Collections.singletonMap(ConsumerConfig.CLIENT_ID_CONFIG, clientId));
        Deserializer<?> k = keyDes;
        if (k == null) {
            k = config.getConfiguredInstance(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, Deserializer.class);
            k.configure(originals, true);
        }
        Deserializer<?> v = valueDes;
        if (v == null) {
            v = config.getConfiguredInstance(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Deserializer.class);
            v.configure(originals, false);
        }
        Map<String, Object> core = new HashMap<>(configs);
        core.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        if (groupId == null || groupId.isEmpty()) {
            core.remove(ConsumerConfig.GROUP_ID_CONFIG);
            groupId = null;
        }
        String[][] kv = ClientConfigs.forCore(core, ClientConfigs.CONSUMER);
        Native.init();
        long h = Native.consumerNew(kv[0], kv[1]);
        return new Init(h, k, v, clientId, groupId, config.getString(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    }

    /** The client.id this consumer uses (generated when not configured). */
    public String clientId() {
        return clientId;
    }

    // ---- single-threaded access, as KafkaConsumer enforces it ----

    private long acquire() {
        long me = Thread.currentThread().getId();
        if (owner.get() != me && !owner.compareAndSet(NO_THREAD, me)) {
            throw new ConcurrentModificationException("KafkaConsumer is not safe for multi-threaded access");
        }
        depth.incrementAndGet();
        try {
            return enter(CLOSED);
        } catch (RuntimeException e) {
            release(false);
            throw e;
        }
    }

    private void release() {
        release(true);
    }

    private void release(boolean entered) {
        if (entered) {
            exit();
        }
        if (depth.decrementAndGet() == 0) {
            owner.set(NO_THREAD);
        }
    }

    private void requireGroup() {
        if (groupId == null) {
            throw new InvalidGroupIdException("To use the group management or offset commit APIs, you must "
                    + "provide a valid group.id in the consumer configuration.");
        }
    }

    // ---- subscription ----

    @Override
    public Set<TopicPartition> assignment() {
        long h = acquire();
        try {
            return Collections.unmodifiableSet(new HashSet<>(new Codec.Reader(Native.consumerAssignment(h)).tps()));
        } finally {
            release();
        }
    }

    @Override
    public Set<String> subscription() {
        long h = acquire();
        try {
            if (source == Source.ASSIGNED) {
                // Manually assigned partitions are no subscription (KafkaConsumer answers empty).
                return Collections.emptySet();
            }
            return Collections.unmodifiableSet(new HashSet<>(List.of(Native.consumerSubscription(h))));
        } finally {
            release();
        }
    }

    @Override
    public void subscribe(Collection<String> topics) {
        subscribe(topics, null);
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
        long h = acquire();
        try {
            // KafkaConsumer's order of checks: the group first, then the topics.
            requireGroup();
            if (topics == null) {
                throw new IllegalArgumentException("Topic collection to subscribe to cannot be null");
            }
            if (topics.isEmpty()) {
                unsubscribe();
                return;
            }
            for (String t : topics) {
                if (Utils.isBlank(t)) {
                    throw new IllegalArgumentException("Topic collection to subscribe to cannot contain null or empty topic");
                }
            }
            become(Source.TOPICS);
            source = Source.TOPICS;
            RebalanceBridge b = callback == null ? null : new RebalanceBridge(callback);
            Native.consumerSubscribe(h, topics.toArray(new String[0]), b);
            if (b != null) {
                bridge = b;
            }
            hasAssignmentSource = true;
        } finally {
            release();
        }
    }

    @Override
    public void subscribe(Pattern pattern) {
        subscribe(pattern, null);
    }

    /**
     * kafka-clients 4.x (KIP-848): a broker-side RE2/J pattern. The core matches patterns on the
     * client, as for {@link #subscribe(Pattern, ConsumerRebalanceListener)}, and RE2/J's syntax is
     * a subset of java.util.regex's, so the pattern is compiled as a Java regex.
     */
    @Override
    public void subscribe(SubscriptionPattern pattern, ConsumerRebalanceListener callback) {
        if (pattern == null || pattern.pattern() == null || pattern.pattern().isEmpty()) {
            throw new IllegalArgumentException("Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
        }
        subscribe(Pattern.compile(pattern.pattern()), callback);
    }

    @Override
    public void subscribe(SubscriptionPattern pattern) {
        subscribe(pattern, null);
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener callback) {
        requireGroup();
        if (pattern == null || pattern.toString().isEmpty()) {
            throw new IllegalArgumentException("Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
        }
        long h = acquire();
        try {
            become(Source.PATTERN);
            source = Source.PATTERN;
            RebalanceBridge b = callback == null ? null : new RebalanceBridge(callback);
            Native.consumerSubscribePattern(h, unquote(pattern.pattern()), b);
            if (b != null) {
                bridge = b;
            }
            hasAssignmentSource = true;
        } finally {
            release();
        }
    }

    /** Java's `\\Q...\\E` quoting (Pattern.quote) as escaped characters, which the core's regex reads. */
    static String unquote(String pattern) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            int q = pattern.indexOf("\\Q", i);
            if (q < 0) {
                out.append(pattern, i, pattern.length());
                break;
            }
            out.append(pattern, i, q);
            int e = pattern.indexOf("\\E", q + 2);
            String lit = pattern.substring(q + 2, e < 0 ? pattern.length() : e);
            for (char ch : lit.toCharArray()) {
                if ("\\.[]{}()*+-?^$|&~#".indexOf(ch) >= 0) {
                    out.append('\\');
                }
                out.append(ch);
            }
            i = e < 0 ? pattern.length() : e + 2;
        }
        return out.toString();
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        if (partitions == null) {
            throw new IllegalArgumentException("Topic partition collection to assign to cannot be null");
        }
        long h = acquire();
        try {
            if (partitions.isEmpty()) {
                unsubscribe();
                return;
            }
            for (TopicPartition tp : partitions) {
                if (tp == null || Utils.isBlank(tp.topic())) {
                    throw new IllegalArgumentException("Topic partitions to assign to cannot have null or empty topic");
                }
            }
            become(Source.ASSIGNED);
            source = Source.ASSIGNED;
            Native.consumerAssign(h, Codec.tps(partitions));
            hasAssignmentSource = true;
        } finally {
            release();
        }
    }

    @Override
    public void unsubscribe() {
        long h = acquire();
        try {
            // As KafkaConsumer: a subscribed member's listener gives up its partitions, then the
            // member leaves the group (the core sends LeaveGroup); a listener's exception is
            // thrown after that.
            RebalanceBridge b = bridge;
            if (b != null && !subscription().isEmpty()) {
                b.revoke(assignment());
            }
            Native.consumerUnsubscribe(h);
            hasAssignmentSource = false;
            source = Source.NONE;
            RuntimeException failure = b == null ? null : b.takeFailure();
            if (failure != null) {
                throw failure;
            }
        } finally {
            release();
        }
    }

    // ---- poll ----

    /** kafka-clients 3.x only (removed from the interface in 4.0). */
    @Deprecated
    public ConsumerRecords<K, V> poll(long timeoutMs) {
        return poll(Duration.ofMillis(timeoutMs));
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        long h = acquire();
        try {
            if (!hasAssignmentSource) {
                throw new IllegalStateException("Consumer is not subscribed to any topics or assigned any partitions");
            }
            runCommitCallbacks(h);
            byte[] batch;
            try {
                batch = Native.consumerPoll(h, Math.max(0, timeout.toMillis()));
            } finally {
                rethrowListenerFailure();
            }
            return decode(h, batch);
        } finally {
            release();
        }
    }

    private void rethrowListenerFailure() {
        RebalanceBridge b = bridge;
        RuntimeException f = b == null ? null : b.takeFailure();
        if (f != null) {
            throw f instanceof KafkaException ? f : new KafkaException("User rebalance callback throws an error", f);
        }
    }

    private ConsumerRecords<K, V> decode(long h, byte[] batch) {
        return PolledRecords.decode(batch, keyDeserializer, valueDeserializer,
                (tp, offset) -> Native.consumerSeek(h, tp.topic(), tp.partition(), offset));
    }

    // ---- commits ----

    @Override
    public void commitSync() {
        commitSyncInner(null, -1);
    }

    @Override
    public void commitSync(Duration timeout) {
        commitSyncInner(null, timeout.toMillis());
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commitSyncInner(offsets, -1);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        commitSyncInner(offsets, timeout.toMillis());
    }

    private void commitSyncInner(Map<TopicPartition, OffsetAndMetadata> offsets, long timeoutMs) {
        long h = acquire();
        try {
            requireGroup();
            runCommitCallbacks(h);
            if (offsets != null && offsets.isEmpty()) {
                return;
            }
            Native.consumerCommitSync(h, offsets == null ? null : Codec.offsets(offsets), timeoutMs);
        } catch (RebalanceInProgressException | IllegalGenerationException | UnknownMemberIdException e) {
            throw commitFailed(e);
        } finally {
            release();
        }
    }

    private static CommitFailedException commitFailed(Exception cause) {
        CommitFailedException e = new CommitFailedException("Commit cannot be completed since the group has already "
                + "rebalanced and assigned the partitions to another member: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    @Override
    public void commitAsync() {
        commitAsync(null, null);
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        commitAsync(null, callback);
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        long h = acquire();
        try {
            requireGroup();
            runCommitCallbacks(h);
            long id = commitIds.incrementAndGet();
            // Without offsets Java commits every position and hands those to the callback.
            Map<TopicPartition, OffsetAndMetadata> copy = offsets == null
                    ? readOffsets(Native.consumerCurrentOffsets(h), Set.of())
                    : new HashMap<>(offsets);
            asyncCommits.put(id, new PendingCommit(copy, callback));
            Native.consumerCommitAsync(h, copy.isEmpty() ? null : Codec.offsets(copy), id);
        } finally {
            release();
        }
    }

    /** Runs the callbacks of finished async commits on this (the polling) thread. */
    private void runCommitCallbacks(long h) {
        if (asyncCommits.isEmpty()) {
            return;
        }
        Codec.Reader r = new Codec.Reader(Native.consumerCommitResults(h));
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            long id = r.i64();
            Exception error = null;
            if (r.i8() != 0) {
                error = NativeError.create(r.i32(), r.i32(), r.str());
                if (error instanceof RebalanceInProgressException || error instanceof IllegalGenerationException
                        || error instanceof UnknownMemberIdException) {
                    error = commitFailed(error);
                }
            }
            PendingCommit p = asyncCommits.remove(id);
            if (p != null && p.callback != null) {
                try {
                    p.callback.onComplete(p.offsets, error);
                } catch (RuntimeException e) {
                    log.error("commitAsync callback failed", e);
                }
            } else if (error != null) {
                log.warn("Asynchronous auto-commit of offsets failed: {}", error.getMessage());
            }
        }
    }

    // ---- positions ----

    @Override
    public void seek(TopicPartition partition, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("seek offset must not be a negative number");
        }
        long h = acquire();
        try {
            Native.consumerSeek(h, partition.topic(), partition.partition(), offset);
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            throw new IllegalStateException("No current assignment for partition " + partition);
        } finally {
            release();
        }
    }

    @Override
    public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
        seek(partition, offsetAndMetadata.offset());
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        seekToEdge(partitions, false);
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        seekToEdge(partitions, true);
    }

    private void seekToEdge(Collection<TopicPartition> partitions, boolean end) {
        if (partitions == null) {
            throw new IllegalArgumentException("Partitions collection cannot be null");
        }
        long h = acquire();
        try {
            Collection<TopicPartition> parts = partitions.isEmpty()
                    ? new Codec.Reader(Native.consumerAssignment(h)).tps() : partitions;
            if (!parts.isEmpty()) {
                Native.consumerSeekToEdge(h, Codec.tps(parts), end);
            }
        } finally {
            release();
        }
    }

    @Override
    public long position(TopicPartition partition) {
        return positionInner(partition, -1);
    }

    @Override
    public long position(TopicPartition partition, Duration timeout) {
        return positionInner(partition, timeout.toMillis());
    }

    private long positionInner(TopicPartition partition, long timeoutMs) {
        long h = acquire();
        try {
            if (!new Codec.Reader(Native.consumerAssignment(h)).tps().contains(partition)) {
                throw new IllegalStateException("You can only check the position for partitions assigned to this consumer.");
            }
            try {
                return Native.consumerPosition(h, partition.topic(), partition.partition(), timeoutMs);
            } catch (org.apache.kafka.common.errors.OffsetOutOfRangeException e) {
                throw new NoOffsetForPartitionException(partition);
            }
        } finally {
            release();
        }
    }

    /** kafka-clients 3.x only (removed from the interface in 4.0). */
    @Deprecated
    public OffsetAndMetadata committed(TopicPartition partition) {
        return committed(Collections.singleton(partition)).get(partition);
    }

    /** kafka-clients 3.x only (removed from the interface in 4.0). */
    @Deprecated
    public OffsetAndMetadata committed(TopicPartition partition, Duration timeout) {
        return committed(Collections.singleton(partition), timeout).get(partition);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return committedInner(partitions, -1);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        return committedInner(partitions, timeout.toMillis());
    }

    private Map<TopicPartition, OffsetAndMetadata> committedInner(Set<TopicPartition> partitions, long timeoutMs) {
        long h = acquire();
        try {
            requireGroup();
            return readOffsets(Native.consumerCommitted(h, Codec.tps(partitions), timeoutMs), partitions);
        } finally {
            release();
        }
    }

    /** Decodes `[count][topic, partition, offset, leaderEpoch, metadata]...`; each of
     * `asked` missing from it maps to null, as {@code committed} answers. */
    private static Map<TopicPartition, OffsetAndMetadata> readOffsets(byte[] bytes, Set<TopicPartition> asked) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : asked) {
            out.put(tp, null);
        }
        out.putAll(Codec.readOffsets(bytes));
        return out;
    }

    @Override
    public Set<TopicPartition> paused() {
        long h = acquire();
        try {
            return Collections.unmodifiableSet(new HashSet<>(new Codec.Reader(Native.consumerPaused(h)).tps()));
        } finally {
            release();
        }
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        pauseInner(partitions, true);
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        pauseInner(partitions, false);
    }

    private void pauseInner(Collection<TopicPartition> partitions, boolean pause) {
        long h = acquire();
        try {
            List<TopicPartition> assigned = new Codec.Reader(Native.consumerAssignment(h)).tps();
            for (TopicPartition tp : partitions) {
                if (!assigned.contains(tp)) {
                    throw new IllegalStateException("No current assignment for partition " + tp);
                }
            }
            Native.consumerPause(h, Codec.tps(partitions), pause);
        } finally {
            release();
        }
    }

    // ---- lookups ----

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch) {
        return offsetsForTimesInner(timestampsToSearch, -1);
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch, Duration timeout) {
        return offsetsForTimesInner(timestampsToSearch, timeout.toMillis());
    }

    private Map<TopicPartition, OffsetAndTimestamp> offsetsForTimesInner(Map<TopicPartition, Long> query, long timeoutMs) {
        Codec.Writer w = new Codec.Writer().i32(query.size());
        for (Map.Entry<TopicPartition, Long> e : query.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("The target time for partition " + e.getKey() + " is "
                        + e.getValue() + ". The target time cannot be negative.");
            }
            w.str(e.getKey().topic()).i32(e.getKey().partition()).i64(e.getValue());
        }
        long h = acquire();
        try {
            Codec.Reader r = new Codec.Reader(Native.consumerOffsetsForTimes(h, w.toByteArray(), timeoutMs));
            Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(r.str(), r.i32());
                if (r.i8() == 1) {
                    long offset = r.i64();
                    long ts = r.i64();
                    int epoch = r.i32();
                    out.put(tp, new OffsetAndTimestamp(offset, ts, epoch < 0 ? Optional.empty() : Optional.of(epoch)));
                } else {
                    out.put(tp, null);
                }
            }
            return out;
        } finally {
            release();
        }
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return edgeOffsets(partitions, false, -1);
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return edgeOffsets(partitions, false, timeout.toMillis());
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return edgeOffsets(partitions, true, -1);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return edgeOffsets(partitions, true, timeout.toMillis());
    }

    private Map<TopicPartition, Long> edgeOffsets(Collection<TopicPartition> partitions, boolean end, long timeoutMs) {
        long h = acquire();
        try {
            Codec.Reader r = new Codec.Reader(Native.consumerEdgeOffsets(h, Codec.tps(partitions), end, timeoutMs));
            Map<TopicPartition, Long> out = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(r.str(), r.i32());
                out.put(tp, r.i64());
            }
            return out;
        } finally {
            release();
        }
    }

    @Override
    public OptionalLong currentLag(TopicPartition topicPartition) {
        // The last fetch's high watermark minus the position; empty until both are known, as
        // in Java (no request is sent).
        long h = acquire();
        try {
            long lag = Native.consumerCurrentLag(h, topicPartition.topic(), topicPartition.partition());
            return lag == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(lag);
        } finally {
            release();
        }
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return partitionsFor(topic, Duration.ofMillis(-1));
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
        List<PartitionInfo> parts = listTopicsInner(timeout.toMillis()).get(topic);
        return parts == null ? Collections.emptyList() : parts;
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics() {
        return listTopicsInner(-1);
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
        return listTopicsInner(timeout.toMillis());
    }

    private Map<String, List<PartitionInfo>> listTopicsInner(long timeoutMs) {
        long h = acquire();
        try {
            Codec.Reader r = new Codec.Reader(Native.consumerListTopics(h, timeoutMs));
            Map<String, List<PartitionInfo>> out = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                String topic = r.str();
                out.put(topic, r.partitions(topic));
            }
            return out;
        } finally {
            release();
        }
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        long h = enter(CLOSED);
        try {
            return ClientConfigs.metrics(Native.consumerMetrics(h), "consumer-fetch-manager-metrics", clientId);
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

    // ---- group ----

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        long h = acquire();
        try {
            requireGroup();
            Codec.Reader r = new Codec.Reader(Native.consumerGroupMember(h));
            String member = r.str();
            int generation = r.i32();
            return new ConsumerGroupMetadata(groupId, generation, member, Optional.ofNullable(groupInstanceId));
        } finally {
            release();
        }
    }

    @Override
    public void enforceRebalance() {
        enforceRebalance(null);
    }

    @Override
    public void enforceRebalance(String reason) {
        long h = acquire();
        try {
            Native.consumerEnforceRebalance(h);
        } finally {
            release();
        }
    }

    @Override
    public void wakeup() {
        // Not under acquire(): this is the one method another thread may call.
        long h;
        try {
            h = enter(CLOSED);
        } catch (IllegalStateException closed) {
            return;
        }
        try {
            Native.consumerWakeup(h);
        } finally {
            exit();
        }
    }

    @Override
    public void close() {
        close(Duration.ofMillis(DEFAULT_CLOSE_MS));
    }

    /**
     * kafka-clients 4.1 (KIP-1092): closes within the options' timeout (30 s if none), leaving
     * the group or staying in it as the membership operation asks (DEFAULT: a dynamic member
     * leaves, a static one stays).
     */
    @Override
    public void close(CloseOptions options) {
        int membership = switch (options.groupMembershipOperation()) {
            case LEAVE_GROUP -> 1;
            case REMAIN_IN_GROUP -> 2;
            default -> 0;
        };
        close(options.timeout().orElse(Duration.ofMillis(DEFAULT_CLOSE_MS)), membership);
    }

    @Override
    public void close(Duration timeout) {
        close(timeout, 0);
    }

    private void close(Duration timeout, int membership) {
        if (timeout.toMillis() < 0) {
            throw new IllegalArgumentException("The timeout cannot be negative.");
        }
        long h;
        try {
            h = acquire();
        } catch (IllegalStateException alreadyClosed) {
            return;
        }
        try {
            try {
                runCommitCallbacks(h);
            } catch (RuntimeException e) {
                log.warn("commitAsync callbacks failed while closing", e);
            }
            Native.consumerClose(h, Math.min(timeout.toMillis(), 365L * 24 * 3600 * 1000), membership);
            markClosing();
        } finally {
            release();
            freeHandle(5000);
            Utils.closeQuietly(keyDeserializer, "consumer key deserializer");
            Utils.closeQuietly(valueDeserializer, "consumer value deserializer");
            onClosed();
        }
        rethrowListenerFailure();
    }

    /**
     * Called once, after the consumer closed (successfully or not), for subclasses: the Spring
     * starter tells its factory's listeners here. A hook rather than an override of close, whose
     * overloads include kafka-clients 4's close(CloseOptions), absent from 3.x.
     */
    protected void onClosed() {}

    @Override
    protected void free(long h) {
        Native.consumerFree(h);
    }
}
