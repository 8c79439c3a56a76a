// The position changes of FerroKafkaConsumer: seek, seekToBeginning/End, position, and
// pause/resume/paused, with KafkaConsumer's checks and exceptions (a negative offset, an
// unassigned partition, no offset and no reset policy). Each call holds the consumer's
// single-thread guard; a timeout of -1 ms means default.api.timeout.ms.
package dev.ferrokafka.clients;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

final class ConsumerPositions {
    private final ConsumerThreadGuard guard;

    ConsumerPositions(ConsumerThreadGuard guard) {
        this.guard = guard;
    }

    void seek(TopicPartition partition, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("seek offset must not be a negative number");
        }
        long h = guard.acquire();
        try {
            Native.consumerSeek(h, partition.topic(), partition.partition(), offset);
        } catch (UnknownTopicOrPartitionException e) {
            throw new IllegalStateException("No current assignment for partition " + partition);
        } finally {
            guard.release();
        }
    }

    /** Seeks `partitions` (every assigned one when empty) to their log end (`end`) or start. */
    void seekToEdge(Collection<TopicPartition> partitions, boolean end) {
        if (partitions == null) {
            throw new IllegalArgumentException("Partitions collection cannot be null");
        }
        long h = guard.acquire();
        try {
            Collection<TopicPartition> parts = partitions.isEmpty()
                    ? new Codec.Reader(Native.consumerAssignment(h)).tps() : partitions;
            if (!parts.isEmpty()) {
                Native.consumerSeekToEdge(h, Codec.tps(parts), end);
            }
        } finally {
            guard.release();
        }
    }

    long position(TopicPartition partition, long timeoutMs) {
        long h = guard.acquire();
        try {
            if (!new Codec.Reader(Native.consumerAssignment(h)).tps().contains(partition)) {
                throw new IllegalStateException("You can only check the position for partitions assigned to this consumer.");
            }
            try {
                return Native.consumerPosition(h, partition.topic(), partition.partition(), timeoutMs);
            } catch (OffsetOutOfRangeException e) {
                throw new NoOffsetForPartitionException(partition);
            }
        } finally {
            guard.release();
        }
    }

    Set<TopicPartition> paused() {
        long h = guard.acquire();
        try {
            return Collections.unmodifiableSet(new HashSet<>(new Codec.Reader(Native.consumerPaused(h)).tps()));
        } finally {
            guard.release();
        }
    }

    /** Pauses (`pause`) or resumes assigned `partitions`. */
    void pause(Collection<TopicPartition> partitions, boolean pause) {
        long h = guard.acquire();
        try {
            List<TopicPartition> assigned = new Codec.Reader(Native.consumerAssignment(h)).tps();
            for (TopicPartition tp : partitions) {
                if (!assigned.contains(tp)) {
                    throw new IllegalStateException("No current assignment for partition " + tp);
                }
            }
            Native.consumerPause(h, Codec.tps(partitions), pause);
        } finally {
            guard.release();
        }
    }
}
