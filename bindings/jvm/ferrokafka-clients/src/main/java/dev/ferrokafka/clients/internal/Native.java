// The JNI entry points of libferrokafka_jni (bindings/jvm/native/src). Batches cross as byte
// arrays in Codec's layout; every method throws the kafka-clients exception NativeError maps.
package dev.ferrokafka.clients.internal;

public final class Native {
    static {
        NativeLibrary.load();
    }

    private Native() {}

    /** Loads the library (the static initializer does the work). */
    public static void init() {}

    // producer
    public static native long producerNew(String[] keys, String[] values);
    public static native void producerSend(long h, long id, String topic, int partition, long timestamp,
                                           byte[] key, byte[] value, byte[] headers);
    public static native byte[] producerCompletions(long h, long waitMs, int max);
    public static native void producerFlush(long h);
    public static native byte[] producerPartitionsFor(long h, String topic);
    public static native byte[] producerMetrics(long h);
    public static native void producerClose(long h, long timeoutMs);
    public static native void producerFree(long h);

    // consumer
    public static native long consumerNew(String[] keys, String[] values);
    public static native void consumerSubscribe(long h, String[] topics, Object bridge);
    public static native void consumerSubscribePattern(long h, String pattern, Object bridge);
    public static native void consumerUnsubscribe(long h);
    public static native void consumerAssign(long h, byte[] tps);
    public static native byte[] consumerAssignment(long h);
    public static native String[] consumerSubscription(long h);
    public static native byte[] consumerPoll(long h, long timeoutMs);
    public static native void consumerCommitSync(long h, byte[] offsets, long timeoutMs);
    public static native void consumerCommitAsync(long h, byte[] offsets, long id);
    public static native byte[] consumerCommitResults(long h);
    public static native void consumerWakeup(long h);
    public static native void consumerEnforceRebalance(long h);
    public static native byte[] consumerGroupMember(long h);
    /** {@code membership}: 0 DEFAULT, 1 LEAVE_GROUP, 2 REMAIN_IN_GROUP. */
    public static native void consumerClose(long h, long timeoutMs, int membership);
    public static native void consumerFree(long h);
    public static native long consumerPosition(long h, String topic, int partition, long timeoutMs);
    public static native byte[] consumerCommitted(long h, byte[] tps, long timeoutMs);
    public static native byte[] consumerCurrentOffsets(long h);
    public static native long consumerCurrentLag(long h, String topic, int partition);
    public static native void consumerSeek(long h, String topic, int partition, long offset);
    public static native void consumerSeekToEdge(long h, byte[] tps, boolean end);
    public static native void consumerPause(long h, byte[] tps, boolean pause);
    public static native byte[] consumerPaused(long h);
    public static native byte[] consumerOffsetsForTimes(long h, byte[] query, long timeoutMs);
    public static native byte[] consumerEdgeOffsets(long h, byte[] tps, boolean end, long timeoutMs);
    public static native byte[] consumerListTopics(long h, long timeoutMs);
    public static native byte[] consumerMetrics(long h);

    // admin
    public static native long adminNew(String[] keys, String[] values);
    public static native byte[] adminCreateTopic(long h, String name, int partitions, int replication,
                                                 String[] configKeys, String[] configValues, boolean validateOnly);
    public static native void adminDeleteTopic(long h, String name);
    public static native String[] adminListTopics(long h, boolean includeInternal);

    /** `[count][name, idHigh, idLow, internal]...` from one Metadata answer. */
    public static native byte[] adminListTopicListings(long h, boolean includeInternal);
    public static native byte[] adminDescribeTopics(long h, String[] names);
    public static native byte[] adminDescribeCluster(long h);
    public static native void adminCreatePartitions(long h, String name, int total, boolean validateOnly);
    public static native byte[] adminListGroups(long h);
    public static native byte[] adminGroupOffsets(long h, String group);
    public static native void adminAlterGroupOffsets(long h, String group, byte[] offsets);
    public static native void adminDeleteGroup(long h, String group);
    public static native byte[] adminDescribeConfigs(long h, int resourceType, String name, boolean synonyms);
    public static native void adminAlterConfigs(long h, int resourceType, String name, byte[] ops, boolean validateOnly);
    public static native byte[] adminListOffsets(long h, byte[] query);
    public static native byte[] adminDeleteRecords(long h, byte[] before);
    public static native byte[] adminDescribeGroup(long h, String group);
    public static native void adminDeleteGroupOffsets(long h, String group, byte[] partitions);
    public static native void adminClose(long h);
    public static native void adminFree(long h);

    // embedded broker
    public static native long brokerStart(String dir, String listen, String[] keys, String[] values);
    public static native String brokerBootstrap(long h);
    public static native int brokerPort(long h);
    public static native void brokerStop(long h);
    public static native void brokerFree(long h);
}
