// The kafka-clients Admin operations ferrokafka's core does not implement (ACLs, quotas, SCRAM,
// reassignments, log dirs, delegation tokens, transactions, features, KRaft voters, share and
// streams groups): each throws UnsupportedOperationException naming the operation. Kept apart
// so FerroKafkaAdmin holds only what works. Compiled against kafka-clients 4.1; the 4.x-only
// operations' types are never loaded on 3.x, where nothing can call them.
package dev.ferrokafka.clients;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.ferrokafka.clients.internal.NativeHandle;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaFilter;

abstract class UnsupportedAdminOperations extends NativeHandle implements Admin {

    UnsupportedAdminOperations(long handle) {
        super(handle);
    }

    static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(op + " is not supported by ferrokafka's admin client yet");
    }

    /**
     * kafka-clients 3.x only (removed in 4.0): it replaces a resource's whole config, which the
     * core does not do; use incrementalAlterConfigs, as spring-kafka does.
     */
    @Deprecated
    public AlterConfigsResult alterConfigs(Map<ConfigResource, Config> configs, AlterConfigsOptions options) {
        throw new UnsupportedOperationException("alterConfigs is not supported by ferrokafka's admin client: "
                + "use incrementalAlterConfigs");
    }

    @Override
    public DescribeAclsResult describeAcls(AclBindingFilter filter, DescribeAclsOptions options) { throw unsupported("describeAcls"); }
    @Override
    public CreateAclsResult createAcls(Collection<AclBinding> acls, CreateAclsOptions options) { throw unsupported("createAcls"); }
    @Override
    public DeleteAclsResult deleteAcls(Collection<AclBindingFilter> filters, DeleteAclsOptions options) { throw unsupported("deleteAcls"); }
    @Override
    public AlterReplicaLogDirsResult alterReplicaLogDirs(Map<TopicPartitionReplica, String> replicaAssignment, AlterReplicaLogDirsOptions options) { throw unsupported("alterReplicaLogDirs"); }
    @Override
    public DescribeLogDirsResult describeLogDirs(Collection<Integer> brokers, DescribeLogDirsOptions options) { throw unsupported("describeLogDirs"); }
    @Override
    public DescribeReplicaLogDirsResult describeReplicaLogDirs(Collection<TopicPartitionReplica> replicas, DescribeReplicaLogDirsOptions options) { throw unsupported("describeReplicaLogDirs"); }
    @Override
    public CreateDelegationTokenResult createDelegationToken(CreateDelegationTokenOptions options) { throw unsupported("createDelegationToken"); }
    @Override
    public RenewDelegationTokenResult renewDelegationToken(byte[] hmac, RenewDelegationTokenOptions options) { throw unsupported("renewDelegationToken"); }
    @Override
    public ExpireDelegationTokenResult expireDelegationToken(byte[] hmac, ExpireDelegationTokenOptions options) { throw unsupported("expireDelegationToken"); }
    @Override
    public DescribeDelegationTokenResult describeDelegationToken(DescribeDelegationTokenOptions options) { throw unsupported("describeDelegationToken"); }
    @Override
    public ElectLeadersResult electLeaders(ElectionType electionType, Set<TopicPartition> partitions, ElectLeadersOptions options) { throw unsupported("electLeaders"); }
    @Override
    public AlterPartitionReassignmentsResult alterPartitionReassignments(Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments, AlterPartitionReassignmentsOptions options) { throw unsupported("alterPartitionReassignments"); }
    @Override
    public ListPartitionReassignmentsResult listPartitionReassignments(Optional<Set<TopicPartition>> partitions, ListPartitionReassignmentsOptions options) { throw unsupported("listPartitionReassignments"); }
    @Override
    public RemoveMembersFromConsumerGroupResult removeMembersFromConsumerGroup(String groupId, RemoveMembersFromConsumerGroupOptions options) { throw unsupported("removeMembersFromConsumerGroup"); }
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

    // ---- kafka-clients 4.x ----

    @Override
    public AddRaftVoterResult addRaftVoter(int voterId, Uuid voterDirectoryId, Set<RaftVoterEndpoint> endpoints, AddRaftVoterOptions options) { throw unsupported("addRaftVoter"); }
    @Override
    public RemoveRaftVoterResult removeRaftVoter(int voterId, Uuid voterDirectoryId, RemoveRaftVoterOptions options) { throw unsupported("removeRaftVoter"); }
    @Override
    public TerminateTransactionResult forceTerminateTransaction(String transactionalId, TerminateTransactionOptions options) { throw unsupported("forceTerminateTransaction"); }
    @Override
    public ListGroupsResult listGroups(ListGroupsOptions options) { throw unsupported("listGroups (use listConsumerGroups)"); }
    @Override
    public DescribeClassicGroupsResult describeClassicGroups(Collection<String> groupIds, DescribeClassicGroupsOptions options) { throw unsupported("describeClassicGroups (use describeConsumerGroups)"); }
    @Override
    public ListConfigResourcesResult listConfigResources(Set<ConfigResource.Type> types, ListConfigResourcesOptions options) { throw unsupported("listConfigResources"); }
    @Override
    public DescribeShareGroupsResult describeShareGroups(Collection<String> groupIds, DescribeShareGroupsOptions options) { throw unsupported("describeShareGroups"); }
    @Override
    public AlterShareGroupOffsetsResult alterShareGroupOffsets(String groupId, Map<TopicPartition, Long> offsets, AlterShareGroupOffsetsOptions options) { throw unsupported("alterShareGroupOffsets"); }
    @Override
    public ListShareGroupOffsetsResult listShareGroupOffsets(Map<String, ListShareGroupOffsetsSpec> groupSpecs, ListShareGroupOffsetsOptions options) { throw unsupported("listShareGroupOffsets"); }
    @Override
    public DeleteShareGroupOffsetsResult deleteShareGroupOffsets(String groupId, Set<String> topics, DeleteShareGroupOffsetsOptions options) { throw unsupported("deleteShareGroupOffsets"); }
    @Override
    public DeleteShareGroupsResult deleteShareGroups(Collection<String> groupIds, DeleteShareGroupsOptions options) { throw unsupported("deleteShareGroups"); }
    @Override
    public DescribeStreamsGroupsResult describeStreamsGroups(Collection<String> groupIds, DescribeStreamsGroupsOptions options) { throw unsupported("describeStreamsGroups"); }
    @Override
    public AlterStreamsGroupOffsetsResult alterStreamsGroupOffsets(String groupId, Map<TopicPartition, OffsetAndMetadata> offsets, AlterStreamsGroupOffsetsOptions options) { throw unsupported("alterStreamsGroupOffsets"); }
    @Override
    public ListStreamsGroupOffsetsResult listStreamsGroupOffsets(Map<String, ListStreamsGroupOffsetsSpec> groupSpecs, ListStreamsGroupOffsetsOptions options) { throw unsupported("listStreamsGroupOffsets"); }
    @Override
    public DeleteStreamsGroupOffsetsResult deleteStreamsGroupOffsets(String groupId, Set<TopicPartition> partitions, DeleteStreamsGroupOffsetsOptions options) { throw unsupported("deleteStreamsGroupOffsets"); }
    @Override
    public DeleteStreamsGroupsResult deleteStreamsGroups(Collection<String> groupIds, DeleteStreamsGroupsOptions options) { throw unsupported("deleteStreamsGroups"); }
    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {}
    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {}
}
