// kafka-clients' Admin over the native core, for what Spring (KafkaAdmin, NewTopic beans) and
// the tests use: topics (create/delete/list/describe), partitions, the cluster, consumer groups
// (list, offsets, alter offsets, delete). Each operation runs its blocking native call on the
// admin thread and completes kafka-clients' KafkaFutures; results keep kafka-clients' types.
// Operations the core does not implement (ACLs, quotas, SCRAM, reassignments, transactions...)
// throw UnsupportedOperationException naming the operation.
package dev.ferrokafka.clients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeHandle;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.utils.Utils;

public class FerroKafkaAdmin extends NativeHandle implements Admin {
    private static final String CLOSED = "The AdminClient is closed";
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

    private static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(op + " is not supported by ferrokafka's admin client yet");
    }

    // ---- topics ----

    @Override
    public CreateTopicsResult createTopics(Collection<NewTopic> newTopics, CreateTopicsOptions options) {
        Map<String, KafkaFuture<CreateTopicsResult.TopicMetadataAndConfig>> out = new LinkedHashMap<>();
        for (NewTopic t : newTopics) {
            out.put(t.name(), async(() -> {
                int partitions = t.numPartitions();
                int replication = t.replicationFactor();
                Map<String, String> cfg = t.configs() == null ? Map.of() : t.configs();
                Native.adminCreateTopic(h(), t.name(), partitions, replication, cfg.keySet().toArray(new String[0]),
                        cfg.values().toArray(new String[0]), options.shouldValidateOnly());
                return new CreateTopicsResult.TopicMetadataAndConfig(Uuid.ZERO_UUID, partitions, replication, null);
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
            Map<String, TopicListing> out = new LinkedHashMap<>();
            for (String name : Native.adminListTopics(h(), options.shouldListInternal())) {
                out.put(name, new TopicListing(name, Uuid.ZERO_UUID, name.startsWith("__")));
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
            Codec.Reader r = new Codec.Reader(Native.adminDescribeTopics(h(), wanted.toArray(new String[0])));
            Map<String, TopicDescription> out = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                String name = r.str();
                Uuid id = new Uuid(r.i64(), r.i64());
                boolean internal = r.i8() != 0;
                List<TopicPartitionInfo> parts = new ArrayList<>();
                for (PartitionInfo p : r.partitions(name)) {
                    parts.add(new TopicPartitionInfo(p.partition(), p.leader(), List.of(p.replicas()), List.of(p.inSyncReplicas())));
                }
                out.put(name, new TopicDescription(name, internal, parts, null, id));
            }
            return out;
        });
        Map<String, KafkaFuture<TopicDescription>> byName = new LinkedHashMap<>();
        for (String name : names.topicNames()) {
            byName.put(name, all.thenApply(m -> {
                TopicDescription d = m.get(name);
                if (d == null) {
                    throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                            "This server does not host this topic-partition: " + name);
                }
                return d;
            }));
        }
        return FerroKafkaAdminResults.describeTopics(byName);
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
        KafkaFuture<Object[]> all = async(() -> {
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
        });
        @SuppressWarnings("unchecked")
        KafkaFuture<Collection<Node>> nodes = all.thenApply(a -> (Collection<Node>) a[0]);
        return FerroKafkaAdminResults.describeCluster(nodes, all.thenApply(a -> (Node) a[1]),
                all.thenApply(a -> (String) a[2]), KafkaFuture.completedFuture(null));
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
                out.add(new ConsumerGroupListing(id, protocol == null || protocol.isEmpty(),
                        state == null ? Optional.empty() : Optional.of(ConsumerGroupState.parse(state))));
            }
            return out;
        }));
    }

    @Override
    public ListConsumerGroupOffsetsResult listConsumerGroupOffsets(Map<String, ListConsumerGroupOffsetsSpec> groupSpecs,
                                                                   ListConsumerGroupOffsetsOptions options) {
        Map<String, KafkaFuture<Map<TopicPartition, OffsetAndMetadata>>> out = new LinkedHashMap<>();
        groupSpecs.forEach((group, spec) -> out.put(group, async(() -> {
            Codec.Reader r = new Codec.Reader(Native.adminGroupOffsets(h(), group));
            Collection<TopicPartition> wanted = spec.topicPartitions();
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            int n = r.i32();
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(r.str(), r.i32());
                long offset = r.i64();
                int epoch = r.i32();
                String md = r.str();
                if (offset >= 0 && (wanted == null || wanted.contains(tp))) {
                    m.put(tp, new OffsetAndMetadata(offset, epoch < 0 ? Optional.empty() : Optional.of(epoch), md));
                }
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

    // ---- not implemented by the core yet ----

    @Override
    public DescribeAclsResult describeAcls(AclBindingFilter filter, DescribeAclsOptions options) { throw unsupported("describeAcls"); }
    @Override
    public CreateAclsResult createAcls(Collection<AclBinding> acls, CreateAclsOptions options) { throw unsupported("createAcls"); }
    @Override
    public DeleteAclsResult deleteAcls(Collection<AclBindingFilter> filters, DeleteAclsOptions options) { throw unsupported("deleteAcls"); }
    @Override
    public DescribeConfigsResult describeConfigs(Collection<ConfigResource> resources, DescribeConfigsOptions options) { throw unsupported("describeConfigs"); }
    @Override
    @Deprecated
    public AlterConfigsResult alterConfigs(Map<ConfigResource, Config> configs, AlterConfigsOptions options) { throw unsupported("alterConfigs"); }
    @Override
    public AlterConfigsResult incrementalAlterConfigs(Map<ConfigResource, Collection<AlterConfigOp>> configs, AlterConfigsOptions options) { throw unsupported("incrementalAlterConfigs"); }
    @Override
    public AlterReplicaLogDirsResult alterReplicaLogDirs(Map<TopicPartitionReplica, String> replicaAssignment, AlterReplicaLogDirsOptions options) { throw unsupported("alterReplicaLogDirs"); }
    @Override
    public DescribeLogDirsResult describeLogDirs(Collection<Integer> brokers, DescribeLogDirsOptions options) { throw unsupported("describeLogDirs"); }
    @Override
    public DescribeReplicaLogDirsResult describeReplicaLogDirs(Collection<TopicPartitionReplica> replicas, DescribeReplicaLogDirsOptions options) { throw unsupported("describeReplicaLogDirs"); }
    @Override
    public DeleteRecordsResult deleteRecords(Map<TopicPartition, RecordsToDelete> recordsToDelete, DeleteRecordsOptions options) { throw unsupported("deleteRecords"); }
    @Override
    public CreateDelegationTokenResult createDelegationToken(CreateDelegationTokenOptions options) { throw unsupported("createDelegationToken"); }
    @Override
    public RenewDelegationTokenResult renewDelegationToken(byte[] hmac, RenewDelegationTokenOptions options) { throw unsupported("renewDelegationToken"); }
    @Override
    public ExpireDelegationTokenResult expireDelegationToken(byte[] hmac, ExpireDelegationTokenOptions options) { throw unsupported("expireDelegationToken"); }
    @Override
    public DescribeDelegationTokenResult describeDelegationToken(DescribeDelegationTokenOptions options) { throw unsupported("describeDelegationToken"); }
    @Override
    public DescribeConsumerGroupsResult describeConsumerGroups(Collection<String> groupIds, DescribeConsumerGroupsOptions options) { throw unsupported("describeConsumerGroups"); }
    @Override
    public DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(String groupId, Set<TopicPartition> partitions, DeleteConsumerGroupOffsetsOptions options) { throw unsupported("deleteConsumerGroupOffsets"); }
    @Override
    public ElectLeadersResult electLeaders(ElectionType electionType, Set<TopicPartition> partitions, ElectLeadersOptions options) { throw unsupported("electLeaders"); }
    @Override
    public AlterPartitionReassignmentsResult alterPartitionReassignments(Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments, AlterPartitionReassignmentsOptions options) { throw unsupported("alterPartitionReassignments"); }
    @Override
    public ListPartitionReassignmentsResult listPartitionReassignments(Optional<Set<TopicPartition>> partitions, ListPartitionReassignmentsOptions options) { throw unsupported("listPartitionReassignments"); }
    @Override
    public RemoveMembersFromConsumerGroupResult removeMembersFromConsumerGroup(String groupId, RemoveMembersFromConsumerGroupOptions options) { throw unsupported("removeMembersFromConsumerGroup"); }
    @Override
    public ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> topicPartitionOffsets, ListOffsetsOptions options) { throw unsupported("listOffsets"); }
    @Override
    public DescribeClientQuotasResult describeClientQuotas(ClientQuotaFilter filter, DescribeClientQuotasOptions options) { throw unsupported("describeClientQuotas"); }
    @Override
    public AlterClientQuotasResult alterClientQuotas(Collection<ClientQuotaAlteration> entries, AlterClientQuotasOptions options) { throw unsupported("alterClientQuotas"); }
    @Override
    public DescribeUserScramCredentialsResult describeUserScramCredentials(List<String> users, DescribeUserScramCredentialsOptions options) { throw unsupported("describeUserScramCredentials"); }
    @Override
    public AlterUserScramCredentialsResult alterUserScramCredentials(List<UserScramCredentialAlteration> alterations, AlterUserScramCredentialsOptions options) { throw unsupported("alterUserScramCredentials"); }
    @Override
    public DescribeFeaturesResult describeFeatures(DescribeFeaturesOptions options) { throw unsupported("describeFeatures"); }
    @Override
    public UpdateFeaturesResult updateFeatures(Map<String, FeatureUpdate> featureUpdates, UpdateFeaturesOptions options) { throw unsupported("updateFeatures"); }
    @Override
    public DescribeMetadataQuorumResult describeMetadataQuorum(DescribeMetadataQuorumOptions options) { throw unsupported("describeMetadataQuorum"); }
    @Override
    public UnregisterBrokerResult unregisterBroker(int brokerId, UnregisterBrokerOptions options) { throw unsupported("unregisterBroker"); }
    @Override
    public DescribeProducersResult describeProducers(Collection<TopicPartition> partitions, DescribeProducersOptions options) { throw unsupported("describeProducers"); }
    @Override
    public DescribeTransactionsResult describeTransactions(Collection<String> transactionalIds, DescribeTransactionsOptions options) { throw unsupported("describeTransactions"); }
    @Override
    public AbortTransactionResult abortTransaction(AbortTransactionSpec spec, AbortTransactionOptions options) { throw unsupported("abortTransaction"); }
    @Override
    public ListTransactionsResult listTransactions(ListTransactionsOptions options) { throw unsupported("listTransactions"); }
    @Override
    public FenceProducersResult fenceProducers(Collection<String> transactionalIds, FenceProducersOptions options) { throw unsupported("fenceProducers"); }
    @Override
    public ListClientMetricsResourcesResult listClientMetricsResources(ListClientMetricsResourcesOptions options) { throw unsupported("listClientMetricsResources"); }
}
