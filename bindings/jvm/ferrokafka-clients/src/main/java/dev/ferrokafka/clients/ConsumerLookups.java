// The lookups of FerroKafkaConsumer that read offsets and metadata without moving positions:
// committed offsets, offsetsForTimes, beginning/end offsets, the current lag, partitionsFor
// and listTopics (internal topics included, as KafkaConsumer lists them), and the decoders of
// their native answers. Each call holds the consumer's single-thread guard, as KafkaConsumer's
// do; a timeout of -1 ms means default.api.timeout.ms.
package dev.ferrokafka.clients;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

final class ConsumerLookups {
    private final ConsumerThreadGuard guard;
    /** The consumer's InvalidGroupIdException check for the group calls. */
    private final Runnable requireGroup;

    ConsumerLookups(ConsumerThreadGuard guard, Runnable requireGroup) {
        this.guard = guard;
        this.requireGroup = requireGroup;
    }

    Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, long timeoutMs) {
        long h = guard.acquire();
        try {
            requireGroup.run();
            return readOffsets(Native.consumerCommitted(h, Codec.tps(partitions), timeoutMs), partitions);
        } finally {
            guard.release();
        }
    }

    /** Decodes `[count][topic, partition, offset, leaderEpoch, metadata]...`; each of
     * `asked` missing from it maps to null, as {@code committed} answers. */
    static Map<TopicPartition, OffsetAndMetadata> readOffsets(byte[] bytes, Set<TopicPartition> asked) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : asked) {
            out.put(tp, null);
        }
        out.putAll(Codec.readOffsets(bytes));
        return out;
    }

    Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> query, long timeoutMs) {
        Codec.Writer w = new Codec.Writer().i32(query.size());
        for (Map.Entry<TopicPartition, Long> e : query.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("The target time for partition " + e.getKey() + " is "
                        + e.getValue() + ". The target time cannot be negative.");
            }
            w.str(e.getKey().topic()).i32(e.getKey().partition()).i64(e.getValue());
        }
        long h = guard.acquire();
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
            guard.release();
        }
    }

    /** The log end (`end`) or start offsets of `partitions`. */
    Map<TopicPartition, Long> edgeOffsets(Collection<TopicPartition> partitions, boolean end, long timeoutMs) {
        long h = guard.acquire();
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
            guard.release();
        }
    }

    /**
     * The last fetch's high watermark minus the position; empty until both are known, as in Java
     * (no request is sent).
     */
    OptionalLong currentLag(TopicPartition topicPartition) {
        long h = guard.acquire();
        try {
            long lag = Native.consumerCurrentLag(h, topicPartition.topic(), topicPartition.partition());
            return lag == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(lag);
        } finally {
            guard.release();
        }
    }

    List<PartitionInfo> partitionsFor(String topic, long timeoutMs) {
        List<PartitionInfo> parts = listTopics(timeoutMs).get(topic);
        return parts == null ? Collections.emptyList() : parts;
    }

    Map<String, List<PartitionInfo>> listTopics(long timeoutMs) {
        long h = guard.acquire();
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
            guard.release();
        }
    }
}
