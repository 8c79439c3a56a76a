// Called by native code inside poll (on the polling thread) when partitions move; forwards to
// the application's ConsumerRebalanceListener and keeps the first exception it throws so poll
// can rethrow it after the native call returns, as KafkaConsumer does.
package dev.ferrokafka.clients.internal;

import java.util.Collection;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

public final class RebalanceBridge {
    private final ConsumerRebalanceListener listener;
    private RuntimeException failure;

    public RebalanceBridge(ConsumerRebalanceListener listener) {
        this.listener = listener;
    }

    /** The first exception a callback threw since the last call, cleared. */
    public synchronized RuntimeException takeFailure() {
        RuntimeException f = failure;
        failure = null;
        return f;
    }

    private synchronized void fail(Throwable t) {
        if (failure == null) {
            failure = t instanceof RuntimeException r ? r
                    : new org.apache.kafka.common.KafkaException("rebalance listener failed", t);
        }
    }

    // Called from native code.
    public void onAssigned(byte[] batch) {
        Collection<TopicPartition> parts = new Codec.Reader(batch).tps();
        try {
            listener.onPartitionsAssigned(parts);
        } catch (Throwable t) {
            fail(t);
        }
    }

    /** Java's {@code unsubscribe()}: the partitions given up, the listener's exception kept. */
    public void revoke(Collection<TopicPartition> parts) {
        try {
            listener.onPartitionsRevoked(parts);
        } catch (Throwable t) {
            fail(t);
        }
    }

    // Called from native code.
    public void onRevoked(byte[] batch) {
        try {
            listener.onPartitionsRevoked(new Codec.Reader(batch).tps());
        } catch (Throwable t) {
            fail(t);
        }
    }

    // Called from native code.
    public void onLost(byte[] batch) {
        try {
            listener.onPartitionsLost(new Codec.Reader(batch).tps());
        } catch (Throwable t) {
            fail(t);
        }
    }
}
