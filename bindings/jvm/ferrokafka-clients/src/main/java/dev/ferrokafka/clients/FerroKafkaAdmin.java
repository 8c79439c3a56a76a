// kafka-clients' Admin over the native core, for what Spring (KafkaAdmin, NewTopic beans) and
// the tests use: topics (create/delete/list/describe), partitions, the cluster, consumer groups
// (list, describe, offsets, alter and delete offsets, delete), configs (describe, incremental
// alter), partition offsets (listOffsets) and deleteRecords. Each operation runs its blocking
// native call on the admin thread and completes kafka-clients' KafkaFutures; results keep
// kafka-clients' types. Operations the core does not implement live in
// UnsupportedAdminOperations (UnsupportedOperationException naming the operation).
package dev.ferrokafka.clients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.ferrokafka.clients.internal.ClientConfigs;
import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.ConfigEntries;
import dev.ferrokafka.clients.internal.CreatedTopics;
import dev.ferrokafka.clients.internal.Native;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.apache.kafka.common.utils.Utils;

public class FerroKafkaAdmin extends UnsupportedAdminOperations {
    /** KafkaAdminClient's message for a call made once it is closing or closed. */
    private static final String CLOSED = "Cannot accept new calls when AdminClient is closing.";
    private final ExecutorService thread;

    public FerroKafkaAdmin(Map<String, Object> configs) {
        super(init(configs));
        String clientId = String.valueOf(configs.getOrDefault(AdminClientConfig.CLIENT_ID_CONFIG, "adminclient"));
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferrokafka-admin | " + clientId);
            t.setDaemon(true);
            return t;
        });
    }

    public FerroKafkaAdmin(Properties props) {
        this(Utils.propsToMap(props));
    }

    private static long init(Map<String, Object> configs) {
        new AdminClientConfig(configs); // validates names, types and required keys like AdminClient
        String[][] kv = ClientConfigs.forCore(configs, ClientConfigs.ADMIN);
        Native.init();
        return Native.adminNew(kv[0], kv[1]);
    }

    /** Runs `op` on the admin thread and completes the future with its result or exception. */
    private <T> KafkaFuture<T> async(Supplier<T> op) {
        KafkaFutureImpl<T> f = new KafkaFutureImpl<>();
        long h;
        try {
            h = enter(CLOSED);
        } catch (IllegalStateException e) {
            f.completeExceptionally(e);
            return f;
        }
        try {
            thread.execute(() -> {
                try {
                    f.complete(op.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                } finally {
                    exit();
                }
            });
        } catch (RuntimeException rejected) {
            exit();
            f.completeExceptionally(new IllegalStateException(CLOSED));
        }
        return f;
    }

    private long h() {
        long h = enter(CLOSED);
        exit();
        return h;
    }

    // ---- topics ----

    @Override
    public CreateTopicsResult createTopics(Collection<NewTopic> newTopics, CreateTopicsOptions options) {
        Map<String, KafkaFuture<CreateTopicsResult.TopicMetadataAndConfig>> out = new LinkedHashMap<>();
        for (NewTopic t : newTopics) {
            out.put(t.name(), async(() -> {
                Map<String, String> cfg = t.configs() == null ? Map.of() : t.configs();
                // The topic's id, counts and configs as the CreateTopics response has them, as
                // KafkaAdminClient reads them (validateOnly included).
                return CreatedTopics.read(Native.adminCreateTopic(h(), t.name(), t.numPartitions(), t.replicationFactor(),
                        cfg.keySet().toArray(new String[0]), cfg.values().toArray(new String[0]),
                        options.shouldValidateOnly()));
            }));
        }
        return FerroKafkaAdminResults.createTopics(out);
    }

    @Override
    public DeleteTopicsResult deleteTopics(TopicCollection topics, DeleteTopicsOptions options) {
        if (!(topics instanceof TopicCollection.TopicNameCollection names)) {
            throw unsupported("deleteTopics by topic id");
        }
        Map<String, KafkaFuture<Void>> out = new LinkedHashMap<>();
        for (String name : names.topicNames()) {
            out.put(name, async(() -> {
                Native.adminDeleteTopic(h(), name);
                return null;
            }));
        }
        return FerroKafkaAdminResults.deleteTopics(out);
    }

    @Override
    public ListTopicsResult listTopics(ListTopicsOptions options) {
        return FerroKafkaAdminResults.listTopics(async(() -> {
            // Names, ids and the internal flag from one Metadata answer, as KafkaAdminClient
            // reads them: a topic deleted meanwhile is not listed (listing then describing
            // failed the whole listing with UNKNOWN_TOPIC_OR_PARTITION).
            Codec.Reader r = new Codec.Reader(Native.adminListTopicListings(h(), options.shouldListInternal()));
            Map<String, TopicListing> out = new LinkedHashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                String name = r.str();
                Uuid id = new Uuid(r.i64(), r.i64());
                boolean internal = r.i8() != 0;
                out.put(name, new TopicListing(name, id, internal));
            }
            return out;
        }));
    }

    @Override
    public DescribeTopicsResult describeTopics(TopicCollection topics, DescribeTopicsOptions options) {
        if (!(topics instanceof TopicCollection.TopicNameCollection names)) {
            throw unsupported("describeTopics by topic id");
        }
        KafkaFuture<Map<String, TopicDescription>> all = async(() -> {
            // Only existing topics are described: a missing one fails at once, as Kafka answers
            // UNKNOWN_TOPIC_OR_PARTITION, instead of waiting for it to appear.
            Set<String> existing = Set.of(Native.adminListTopics(h(), true));
            List<String> wanted = names.topicNames().stream().filter(existing::contains).toList();
            if (wanted.isEmpty()) {
                return Map.of();
            }
            return describe(wanted);
        });
        Map<String, KafkaFuture<TopicDescription>> byName = new LinkedHashMap<>();
        for (String name : names.topicNames()) {
            byName.put(name, all.thenApply(m -> {
                TopicDescription d = m.get(name);
                if (d == null) {
                    throw org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(
                            org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                }
                return d;
            }));
        }
        return FerroKafkaAdminResults.describeTopics(byName);
    }

    /**
     * Describes existing topics (on the admin thread) with their nodes as the cluster describes
     * them (host and port, not only ids) and empty ELR lists, as KafkaAdminClient builds them.
     */
    private Map<String, TopicDescription> describe(List<String> names) {
        Map<Integer, Node> nodes = new HashMap<>();
        for (Node n : clusterNodes()) {
            nodes.put(n.id(), n);
        }
        Codec.Reader r = new Codec.Reader(Native.adminDescribeTopics(h(), names.toArray(new String[0])));
        Map<String, TopicDescription> out = new HashMap<>();
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            String name = r.str();
            Uuid id = new Uuid(r.i64(), r.i64());
            boolean internal = r.i8() != 0;
            List<TopicPartitionInfo> parts = new ArrayList<>();
            for (PartitionInfo p : r.partitions(name)) {
                Node leader = p.leader() == null || p.leader().id() < 0 ? null : nodes.getOrDefault(p.leader().id(), p.leader());
                parts.add(new TopicPartitionInfo(p.partition(), leader, known(p.replicas(), nodes),
                        known(p.inSyncReplicas(), nodes), List.of(), List.of()));
            }
            out.put(name, new TopicDescription(name, internal, parts, null, id));
        }
        return out;
    }

    private static List<Node> known(Node[] ids, Map<Integer, Node> nodes) {
        List<Node> out = new ArrayList<>(ids.length);
        for (Node n : ids) {
            out.add(nodes.getOrDefault(n.id(), n));
        }
        return out;
    }

    @Override
    public CreatePartitionsResult createPartitions(Map<String, NewPartitions> newPartitions, CreatePartitionsOptions options) {
        Map<String, KafkaFuture<Void>> out = new LinkedHashMap<>();
        newPartitions.forEach((topic, np) -> out.put(topic, async(() -> {
            Native.adminCreatePartitions(h(), topic, np.totalCount(), options.validateOnly());
            return null;
        })));
        return FerroKafkaAdminResults.createPartitions(out);
    }

    // ---- cluster ----

    @Override
    public DescribeClusterResult describeCluster(DescribeClusterOptions options) {
        KafkaFuture<Object[]> all = async(this::cluster);
        @SuppressWarnings("unchecked")
        KafkaFuture<Collection<Node>> nodes = all.thenApply(a -> (Collection<Node>) a[0]);
        return FerroKafkaAdminResults.describeCluster(nodes, all.thenApply(a -> (Node) a[1]),
                all.thenApply(a -> (String) a[2]), KafkaFuture.completedFuture(null));
    }

    /** `{nodes, controller, clusterId}` from the native DescribeCluster. */
    private Object[] cluster() {
        Codec.Reader r = new Codec.Reader(Native.adminDescribeCluster(h()));
        String clusterId = r.str();
        int controller = r.i32();
        int n = r.i32();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = r.i32();
            String host = r.str();
            int port = r.i32();
            nodes.add(new Node(id, host, port, r.str()));
        }
        Node ctrl = nodes.stream().filter(x -> x.id() == controller).findFirst().orElse(Node.noNode());
        return new Object[] {nodes, ctrl, clusterId};
    }

    @SuppressWarnings("unchecked")
    private List<Node> clusterNodes() {
        return (List<Node>) cluster()[0];
    }

    // ---- consumer groups ----

    @Override
    public ListConsumerGroupsResult listConsumerGroups(ListConsumerGroupsOptions options) {
        return FerroKafkaAdminResults.listConsumerGroups(async(() -> {
            Codec.Reader r = new Codec.Reader(Native.adminListGroups(h()));
            Collection<Object> out = new ArrayList<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                String id = r.str();
                String protocol = r.str();
                String state = r.str();
                String type = r.str();
                // As KafkaAdminClient: consumer groups only (protocol type "consumer", or none).
                if (protocol != null && !protocol.isEmpty() && !protocol.equals("consumer")) {
                    continue;
                }
                out.add(new ConsumerGroupListing(id, protocol == null || protocol.isEmpty(),
                        state == null ? Optional.empty() : Optional.of(ConsumerGroupState.parse(state)),
                        type == null ? Optional.empty() : Optional.of(org.apache.kafka.common.GroupType.parse(type))));
            }
            return out;
        }));
    }

    @Override
    public ListConsumerGroupOffsetsResult listConsumerGroupOffsets(Map<String, ListConsumerGroupOffsetsSpec> groupSpecs,
                                                                   ListConsumerGroupOffsetsOptions options) {
        Map<String, KafkaFuture<Map<TopicPartition, OffsetAndMetadata>>> out = new LinkedHashMap<>();
        groupSpecs.forEach((group, spec) -> out.put(group, async(() -> {
            Collection<TopicPartition> wanted = spec.topicPartitions();
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>(Codec.readOffsets(Native.adminGroupOffsets(h(), group)));
            if (wanted != null) {
                m.keySet().retainAll(wanted);
            }
            return m;
        })));
        return FerroKafkaAdminResults.listConsumerGroupOffsets(out);
    }

    @Override
    public AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(String groupId, Map<TopicPartition, OffsetAndMetadata> offsets,
                                                                     AlterConsumerGroupOffsetsOptions options) {
        return FerroKafkaAdminResults.alterConsumerGroupOffsets(async(() -> {
            Native.adminAlterGroupOffsets(h(), groupId, Codec.offsets(offsets));
            Map<TopicPartition, org.apache.kafka.common.protocol.Errors> m = new HashMap<>();
            offsets.keySet().forEach(tp -> m.put(tp, org.apache.kafka.common.protocol.Errors.NONE));
            return m;
        }));
    }

    @Override
    public DeleteConsumerGroupsResult deleteConsumerGroups(Collection<String> groupIds, DeleteConsumerGroupsOptions options) {
        Map<String, KafkaFuture<Void>> out = new LinkedHashMap<>();
        for (String g : groupIds) {
            out.put(g, async(() -> {
                Native.adminDeleteGroup(h(), g);
                return null;
            }));
        }
        return FerroKafkaAdminResults.deleteConsumerGroups(out);
    }

    @Override
    public DescribeConsumerGroupsResult describeConsumerGroups(Collection<String> groupIds, DescribeConsumerGroupsOptions options) {
        Map<String, KafkaFuture<ConsumerGroupDescription>> out = new LinkedHashMap<>();
        for (String g : groupIds) {
            out.put(g, async(() -> {
                Codec.Reader r;
                try {
                    r = new Codec.Reader(Native.adminDescribeGroup(h(), g));
                } catch (org.apache.kafka.common.errors.GroupIdNotFoundException e) {
                    // DescribeConsumerGroupsHandler's own message for this code.
                    throw new org.apache.kafka.common.errors.GroupIdNotFoundException("Group " + g + " not found.");
                }
                String id = r.str();
                String state = r.str();
                String protocolType = r.str();
                String assignor = r.str();
                Node coordinator = new Node(r.i32(), r.str(), r.i32());
                List<MemberDescription> members = new ArrayList<>();
                int n = r.i32();
                for (int i = 0; i < n; i++) {
                    String memberId = r.str();
                    Optional<String> instanceId = Optional.ofNullable(r.str());
                    String clientId = r.str();
                    String host = r.str();
                    Set<TopicPartition> assigned = new HashSet<>();
                    int parts = r.i32();
                    for (int p = 0; p < parts; p++) {
                        assigned.add(new TopicPartition(r.str(), r.i32()));
                    }
                    members.add(new MemberDescription(memberId, instanceId, clientId, host, new MemberAssignment(assigned)));
                }
                // A group the coordinator does not know is reported as Dead, as by Kafka.
                return new ConsumerGroupDescription(id, protocolType.isEmpty(), members, assignor,
                        ConsumerGroupState.parse(state), coordinator, null);
            }));
        }
        return new DescribeConsumerGroupsResult(out);
    }

    @Override
    public DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(String groupId, Set<TopicPartition> partitions,
                                                                       DeleteConsumerGroupOffsetsOptions options) {
        KafkaFuture<Map<TopicPartition, org.apache.kafka.common.protocol.Errors>> f = async(() -> {
            Map<TopicPartition, Long> parts = new LinkedHashMap<>();
            partitions.forEach(tp -> parts.put(tp, 0L));
            Native.adminDeleteGroupOffsets(h(), groupId, partitionValues(parts));
            Map<TopicPartition, org.apache.kafka.common.protocol.Errors> m = new HashMap<>();
            partitions.forEach(tp -> m.put(tp, org.apache.kafka.common.protocol.Errors.NONE));
            return m;
        });
        return FerroKafkaAdminResults.deleteConsumerGroupOffsets(f, partitions);
    }

    // ---- configs ----

    private static int resourceType(ConfigResource resource) {
        return resource.type().id();
    }

    @Override
    public DescribeConfigsResult describeConfigs(Collection<ConfigResource> resources, DescribeConfigsOptions options) {
        Map<ConfigResource, KafkaFuture<Config>> out = new LinkedHashMap<>();
        for (ConfigResource res : resources) {
            out.put(res, async(() -> {
                List<ConfigEntry> entries = ConfigEntries.read(Native.adminDescribeConfigs(h(), resourceType(res), res.name(),
                        options.includeSynonyms()));
                return new Config(entries);
            }));
        }
        return FerroKafkaAdminResults.describeConfigs(out);
    }

    @Override
    public AlterConfigsResult incrementalAlterConfigs(Map<ConfigResource, Collection<AlterConfigOp>> configs,
                                                      AlterConfigsOptions options) {
        Map<ConfigResource, KafkaFuture<Void>> out = new LinkedHashMap<>();
        configs.forEach((res, ops) -> out.put(res, async(() -> {
            Codec.Writer w = new Codec.Writer().i32(ops.size());
            for (AlterConfigOp op : ops) {
                w.i32(op.opType().id()).str(op.configEntry().name()).str(op.configEntry().value());
            }
            Native.adminAlterConfigs(h(), resourceType(res), res.name(), w.toByteArray(), options.shouldValidateOnly());
            return null;
        })));
        return FerroKafkaAdminResults.alterConfigs(out);
    }

    // ---- partition offsets and records ----

    /** `[count][topic, partition, value]`, the layout the native offset/record calls read. */
    private static byte[] partitionValues(Map<TopicPartition, Long> values) {
        Codec.Writer w = new Codec.Writer().i32(values.size());
        values.forEach((tp, v) -> w.str(tp.topic()).i32(tp.partition()).i64(v));
        return w.toByteArray();
    }

    @Override
    public ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> topicPartitionOffsets, ListOffsetsOptions options) {
        Map<TopicPartition, Long> query = new LinkedHashMap<>();
        topicPartitionOffsets.forEach((tp, spec) -> query.put(tp, FerroKafkaAdminResults.offsetQuery(spec)));
        KafkaFuture<Map<TopicPartition, Object>> all = async(() -> {
            Map<TopicPartition, Object> m = new HashMap<>();
            // A partition of a missing topic fails at once, as KafkaAdminClient's metadata
            // lookup fails it, instead of being retried by the core until the API timeout.
            Set<String> existing = Set.of(Native.adminListTopics(h(), true));
            Map<TopicPartition, Long> known = new LinkedHashMap<>();
            query.forEach((tp, q) -> {
                if (existing.contains(tp.topic())) {
                    known.put(tp, q);
                } else {
                    m.put(tp, new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("Failed to fetch "
                            + "metadata for partition " + tp + " because metadata for topic `" + tp.topic()
                            + "` could not be found"));
                }
            });
            if (known.isEmpty()) {
                return m;
            }
            Codec.Reader r = new Codec.Reader(Native.adminListOffsets(h(), partitionValues(known)));
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(r.str(), r.i32());
                long offset = r.i64();
                long timestamp = r.i64();
                int epoch = r.i32();
                m.put(tp, new ListOffsetsResult.ListOffsetsResultInfo(offset, timestamp,
                        epoch < 0 ? Optional.empty() : Optional.of(epoch)));
            }
            return m;
        });
        Map<TopicPartition, KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> out = new LinkedHashMap<>();
        for (TopicPartition tp : query.keySet()) {
            out.put(tp, all.thenApply(m -> {
                Object v = m.get(tp);
                if (v instanceof RuntimeException e) {
                    throw e;
                }
                return (ListOffsetsResult.ListOffsetsResultInfo) v;
            }));
        }
        return new ListOffsetsResult(out);
    }

    @Override
    public DeleteRecordsResult deleteRecords(Map<TopicPartition, RecordsToDelete> recordsToDelete, DeleteRecordsOptions options) {
        Map<TopicPartition, Long> before = new LinkedHashMap<>();
        recordsToDelete.forEach((tp, r) -> before.put(tp, r.beforeOffset()));
        KafkaFuture<Map<TopicPartition, Long>> all = async(() -> {
            Codec.Reader r = new Codec.Reader(Native.adminDeleteRecords(h(), partitionValues(before)));
            Map<TopicPartition, Long> m = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                m.put(new TopicPartition(r.str(), r.i32()), r.i64());
            }
            return m;
        });
        Map<TopicPartition, KafkaFuture<DeletedRecords>> out = new LinkedHashMap<>();
        for (TopicPartition tp : before.keySet()) {
            out.put(tp, all.thenApply(m -> new DeletedRecords(m.get(tp))));
        }
        return new DeleteRecordsResult(out);
    }

    // ---- lifecycle ----

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return Map.of();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        throw new IllegalStateException("Telemetry is not enabled: ferrokafka does not push client metrics");
    }

    @Override
    public void close(Duration timeout) {
        long h = markClosing();
        if (h == 0) {
            return;
        }
        thread.shutdown();
        try {
            thread.awaitTermination(Math.max(0, Math.min(timeout.toMillis(), 3_600_000)), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Native.adminClose(h);
        freeHandle(5000);
    }

    @Override
    protected void free(long h) {
        Native.adminFree(h);
    }
}
