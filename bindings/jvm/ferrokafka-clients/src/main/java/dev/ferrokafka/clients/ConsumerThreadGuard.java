// Single-threaded access to a FerroKafkaConsumer, as KafkaConsumer enforces it: the first
// thread in owns the consumer until its outermost call returns (calls nest: subscribe() may
// call unsubscribe()), and any other thread meanwhile gets ConcurrentModificationException.
// Owns the owner/depth bookkeeping and entering (and leaving) the native handle for each call.
package dev.ferrokafka.clients;

import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

final class ConsumerThreadGuard {
    private static final long NO_THREAD = -1L;

    private final AtomicLong owner = new AtomicLong(NO_THREAD);
    private final AtomicInteger depth = new AtomicInteger();
    /** NativeHandle.enter: the live handle, or IllegalStateException(closedMessage). */
    private final ToLongFunction<String> enter;
    /** NativeHandle.exit. */
    private final Runnable exit;
    private final String closedMessage;

    ConsumerThreadGuard(ToLongFunction<String> enter, Runnable exit, String closedMessage) {
        this.enter = enter;
        this.exit = exit;
        this.closedMessage = closedMessage;
    }

    /** Claims the consumer for this thread and enters the native handle; pair with release(). */
    long acquire() {
        long me = Thread.currentThread().getId();
        if (owner.get() != me && !owner.compareAndSet(NO_THREAD, me)) {
            throw new ConcurrentModificationException("KafkaConsumer is not safe for multi-threaded access");
        }
        depth.incrementAndGet();
        try {
            return enter.applyAsLong(closedMessage);
        } catch (RuntimeException e) {
            release(false);
            throw e;
        }
    }

    void release() {
        release(true);
    }

    private void release(boolean entered) {
        if (entered) {
            exit.run();
        }
        if (depth.decrementAndGet() == 0) {
            owner.set(NO_THREAD);
        }
    }
}
