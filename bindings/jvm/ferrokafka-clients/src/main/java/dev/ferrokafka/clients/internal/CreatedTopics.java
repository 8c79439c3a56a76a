// Decodes the native CreateTopics answer for one topic into kafka-clients'
// CreateTopicsResult.TopicMetadataAndConfig, as KafkaAdminClient builds it from the response:
// the topic's id, partition count, replication factor and configs (source, sensitive and
// read-only; no synonyms, type or documentation), or the topic-config error / a pre-v5 broker's
// UnsupportedVersionException in their place.
package dev.ferrokafka.clients.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.Errors;

public final class CreatedTopics {
    /** CreateTopicsResult.UNKNOWN: what a broker before CreateTopics v5 leaves the counts at. */
    private static final int UNKNOWN = -1;

    private CreatedTopics() {}

    /**
     * `[idHigh, idLow, numPartitions, replicationFactor, configErrorCode,
     * [count](name, value, source, sensitive, readOnly)]`.
     */
    public static CreateTopicsResult.TopicMetadataAndConfig read(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        Uuid id = new Uuid(r.i64(), r.i64());
        int partitions = r.i32();
        int replication = r.i32();
        int configError = r.i32();
        if (configError != Errors.NONE.code()) {
            return new CreateTopicsResult.TopicMetadataAndConfig(Errors.forCode((short) configError).exception());
        }
        if (partitions == UNKNOWN) {
            return new CreateTopicsResult.TopicMetadataAndConfig(new UnsupportedVersionException(
                    "Topic metadata and configs in CreateTopics response not supported"));
        }
        Set<ConfigEntry> entries = new HashSet<>();
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            String name = r.str();
            String value = r.str();
            ConfigEntry.ConfigSource source = ConfigEntries.source(r.str());
            boolean sensitive = r.i32() != 0;
            boolean readOnly = r.i32() != 0;
            entries.add(new ConfigEntry(name, value, source, sensitive, readOnly, List.of(), null, null));
        }
        return new CreateTopicsResult.TopicMetadataAndConfig(id, partitions, replication, new Config(entries));
    }
}
