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
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;

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

    public static DescribeConfigsResult describeConfigs(Map<ConfigResource, KafkaFuture<Config>> f) {
        return new DescribeConfigsResult(f);
    }

    public static AlterConfigsResult alterConfigs(Map<ConfigResource, KafkaFuture<Void>> f) {
        return new AlterConfigsResult(f);
    }

    public static DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(
            KafkaFuture<Map<TopicPartition, Errors>> f, Set<TopicPartition> partitions) {
        return new DeleteConsumerGroupOffsetsResult(f, partitions);
    }

    /**
     * The core's ListOffsets query for a spec: -2 earliest, -1 latest, -3 max timestamp, else
     * the timestamp (TimestampSpec keeps it package-private). Tiered-storage specs are refused.
     */
    public static long offsetQuery(OffsetSpec spec) {
        if (spec instanceof OffsetSpec.EarliestSpec) {
            return -2;
        }
        if (spec instanceof OffsetSpec.LatestSpec) {
            return -1;
        }
        if (spec instanceof OffsetSpec.MaxTimestampSpec) {
            return -3;
        }
        if (spec instanceof OffsetSpec.TimestampSpec t) {
            return t.timestamp();
        }
        throw new UnsupportedOperationException("listOffsets with " + spec.getClass().getSimpleName()
                + " is not supported by ferrokafka (earliest, latest, maxTimestamp and forTimestamp are)");
    }

    public static ConfigEntry.ConfigSynonym configSynonym(String name, String value, ConfigEntry.ConfigSource source) {
        return new ConfigEntry.ConfigSynonym(name, value, source);
    }
}
