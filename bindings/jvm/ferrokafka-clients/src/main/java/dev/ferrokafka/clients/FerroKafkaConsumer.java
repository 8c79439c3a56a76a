// kafka-clients' Consumer over the native core: poll fetches records a batch at a time and
// deserializes them in Java with the configured Deserializer (header-aware); rebalance
// callbacks run on the polling thread; wakeup() interrupts a blocking call with
// WakeupException; commitAsync callbacks run on the polling thread, as in KafkaConsumer.
// Like KafkaConsumer it is single-threaded (ConcurrentModificationException otherwise) except
// for wakeup(). This class owns the Consumer API and its checks; the thread guard
// (ConsumerThreadGuard), construction from configs (ConsumerSetup), the subscription state and
// calls (ConsumerSubscriptions), commitAsync's bookkeeping (AsyncCommits), position changes
// (ConsumerPositions) and the offset/metadata lookups (ConsumerLookups) live beside it.
package dev.ferrokafka.clients;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import dev.ferrokafka.clients.internal.ClientConfigs;
import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeHandle;
import dev.ferrokafka.clients.internal.PolledRecords;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
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
    private static final long DEFAULT_CLOSE_MS = 30_000;

    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final String clientId;
    private final String groupId;
    private final String groupInstanceId;
    private final ConsumerThreadGuard guard = new ConsumerThreadGuard(this::enter, this::exit, CLOSED);
    private final AsyncCommits asyncCommits = new AsyncCommits();
    private final ConsumerLookups lookups = new ConsumerLookups(guard, this::requireGroup);
    private final ConsumerPositions positions = new ConsumerPositions(guard);
    private final ConsumerSubscriptions subscriptions = new ConsumerSubscriptions(guard, this::requireGroup);

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
        this(ConsumerSetup.create(configs, keyDeserializer, valueDeserializer));
    }

    @SuppressWarnings("unchecked")
    private FerroKafkaConsumer(ConsumerSetup setup) {
        super(setup.handle());
        this.keyDeserializer = (Deserializer<K>) setup.key();
        this.valueDeserializer = (Deserializer<V>) setup.value();
        this.clientId = setup.clientId();
        this.groupId = setup.groupId();
        this.groupInstanceId = setup.instanceId();
    }

    /** The client.id this consumer uses (generated when not configured). */
    public String clientId() {
        return clientId;
    }

    // ---- single-threaded access, as KafkaConsumer enforces it (ConsumerThreadGuard) ----

    private long acquire() {
        return guard.acquire();
    }

    private void release() {
        guard.release();
    }

    private void requireGroup() {
        if (groupId == null) {
            throw new InvalidGroupIdException("To use the group management or offset commit APIs, you must "
                    + "provide a valid group.id in the consumer configuration.");
        }
    }

    // ---- subscription (ConsumerSubscriptions) ----

    @Override
    public Set<TopicPartition> assignment() {
        return subscriptions.assignment();
    }

    @Override
    public Set<String> subscription() {
        return subscriptions.subscription();
    }

    @Override
    public void subscribe(Collection<String> topics) {
        subscribe(topics, null);
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
        subscriptions.subscribe(topics, callback);
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
        subscriptions.subscribe(pattern, callback);
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        subscriptions.assign(partitions);
    }

    @Override
    public void unsubscribe() {
        subscriptions.unsubscribe();
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
            if (!subscriptions.hasAssignmentSource()) {
                throw new IllegalStateException("Consumer is not subscribed to any topics or assigned any partitions");
            }
            runCommitCallbacks(h);
            byte[] batch;
            try {
                batch = Native.consumerPoll(h, Math.max(0, timeout.toMillis()));
            } finally {
                subscriptions.rethrowListenerFailure();
            }
            return decode(h, batch);
        } finally {
            release();
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
            throw AsyncCommits.commitFailed(e);
        } finally {
            release();
        }
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
            // Without offsets Java commits every position and hands those to the callback.
            Map<TopicPartition, OffsetAndMetadata> copy = offsets == null
                    ? ConsumerLookups.readOffsets(Native.consumerCurrentOffsets(h), Set.of())
                    : new HashMap<>(offsets);
            long id = asyncCommits.register(copy, callback);
            Native.consumerCommitAsync(h, copy.isEmpty() ? null : Codec.offsets(copy), id);
        } finally {
            release();
        }
    }

    /** Runs the callbacks of finished async commits on this (the polling) thread. */
    private void runCommitCallbacks(long h) {
        asyncCommits.runCallbacks(h);
    }

    // ---- positions (ConsumerPositions) ----

    @Override
    public void seek(TopicPartition partition, long offset) {
        positions.seek(partition, offset);
    }

    @Override
    public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
        seek(partition, offsetAndMetadata.offset());
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        positions.seekToEdge(partitions, false);
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        positions.seekToEdge(partitions, true);
    }

    @Override
    public long position(TopicPartition partition) {
        return positions.position(partition, -1);
    }

    @Override
    public long position(TopicPartition partition, Duration timeout) {
        return positions.position(partition, timeout.toMillis());
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
        return lookups.committed(partitions, -1);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        return lookups.committed(partitions, timeout.toMillis());
    }

    @Override
    public Set<TopicPartition> paused() {
        return positions.paused();
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        positions.pause(partitions, true);
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        positions.pause(partitions, false);
    }

    // ---- lookups (ConsumerLookups) ----

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch) {
        return lookups.offsetsForTimes(timestampsToSearch, -1);
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch, Duration timeout) {
        return lookups.offsetsForTimes(timestampsToSearch, timeout.toMillis());
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return lookups.edgeOffsets(partitions, false, -1);
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return lookups.edgeOffsets(partitions, false, timeout.toMillis());
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return lookups.edgeOffsets(partitions, true, -1);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return lookups.edgeOffsets(partitions, true, timeout.toMillis());
    }

    @Override
    public OptionalLong currentLag(TopicPartition topicPartition) {
        return lookups.currentLag(topicPartition);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return partitionsFor(topic, Duration.ofMillis(-1));
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
        return lookups.partitionsFor(topic, timeout.toMillis());
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics() {
        return lookups.listTopics(-1);
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
        return lookups.listTopics(timeout.toMillis());
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
        subscriptions.rethrowListenerFailure();
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
