// The commitAsync bookkeeping of FerroKafkaConsumer: each asynchronous commit's offsets and
// callback under the id the native commit reports its outcome with, and running the finished
// ones' callbacks on the polling thread, as KafkaConsumer does, with a commit the group's
// rebalance overtook reported as CommitFailedException (also for commitSync).
package dev.ferrokafka.clients;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.NativeError;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class AsyncCommits {
    private static final Logger log = LoggerFactory.getLogger(FerroKafkaConsumer.class);

    private record Pending(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {}

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    /** Records a commit of `offsets` whose outcome goes to `callback` (or none); its id. */
    long register(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        long id = ids.incrementAndGet();
        pending.put(id, new Pending(offsets, callback));
        return id;
    }

    /** Runs the callbacks of finished async commits on this (the polling) thread. */
    void runCallbacks(long h) {
        if (pending.isEmpty()) {
            return;
        }
        Codec.Reader r = new Codec.Reader(Native.consumerCommitResults(h));
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            long id = r.i64();
            Exception error = null;
            if (r.i8() != 0) {
                error = NativeError.create(r.i32(), r.i32(), r.str());
                if (error instanceof RebalanceInProgressException || error instanceof IllegalGenerationException
                        || error instanceof UnknownMemberIdException) {
                    error = commitFailed(error);
                }
            }
            Pending p = pending.remove(id);
            if (p != null && p.callback != null) {
                try {
                    p.callback.onComplete(p.offsets, error);
                } catch (RuntimeException e) {
                    log.error("commitAsync callback failed", e);
                }
            } else if (error != null) {
                log.warn("Asynchronous auto-commit of offsets failed: {}", error.getMessage());
            }
        }
    }

    /** KafkaConsumer's exception for a commit the group's rebalance overtook. */
    static CommitFailedException commitFailed(Exception cause) {
        CommitFailedException e = new CommitFailedException("Commit cannot be completed since the group has already "
                + "rebalanced and assigned the partitions to another member: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }
}
