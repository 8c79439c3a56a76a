// Builds kafka-clients' admin *Result objects for dev.ferrokafka.clients.FerroKafkaAdmin. Their
// constructors are package-private or protected (kafka-clients' own MockAdminClient lives in
// this package for the same reason), so this one class sits in org.apache.kafka.clients.admin.
package org.apache.kafka.clients.admin;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.internals.CoordinatorKey;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;

public final class FerroKafkaAdminResults {
    private FerroKafkaAdminResults() {}

    public static CreateTopicsResult createTopics(Map<String, KafkaFuture<CreateTopicsResult.TopicMetadataAndConfig>> f) {
        return new CreateTopicsResult(f);
    }

    public static DeleteTopicsResult deleteTopics(Map<String, KafkaFuture<Void>> byName) {
        return new DeleteTopicsResult(null, byName);
    }

    public static DeleteTopicsResult deleteTopicsById(Map<Uuid, KafkaFuture<Void>> byId) {
        return new DeleteTopicsResult(byId, null);
    }

    public static ListTopicsResult listTopics(KafkaFuture<Map<String, TopicListing>> f) {
        return new ListTopicsResult(f);
    }

    public static DescribeTopicsResult describeTopics(Map<String, KafkaFuture<TopicDescription>> byName) {
        return new DescribeTopicsResult(null, byName);
    }

    public static DescribeClusterResult describeCluster(KafkaFuture<Collection<Node>> nodes, KafkaFuture<Node> controller,
                                                        KafkaFuture<String> clusterId,
                                                        KafkaFuture<Set<AclOperation>> ops) {
        return new DescribeClusterResult(nodes, controller, clusterId, ops);
    }

    public static CreatePartitionsResult createPartitions(Map<String, KafkaFuture<Void>> f) {
        return new CreatePartitionsResult(f);
    }

    public static ListConsumerGroupsResult listConsumerGroups(KafkaFuture<Collection<Object>> f) {
        return new ListConsumerGroupsResult(f);
    }

    public static ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
            Map<String, KafkaFuture<Map<TopicPartition, OffsetAndMetadata>>> byGroup) {
        Map<CoordinatorKey, KafkaFuture<Map<TopicPartition, OffsetAndMetadata>>> m = new HashMap<>();
        byGroup.forEach((g, f) -> m.put(CoordinatorKey.byGroupId(g), f));
        return new ListConsumerGroupOffsetsResult(m);
    }

    public static DeleteConsumerGroupsResult deleteConsumerGroups(Map<String, KafkaFuture<Void>> f) {
        return new DeleteConsumerGroupsResult(f);
    }

    public static AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(
            KafkaFuture<Map<TopicPartition, org.apache.kafka.common.protocol.Errors>> f) {
        return new AlterConsumerGroupOffsetsResult(f);
    }
}
