// The base of every Java object that owns a native handle: holds the `long`, counts the native
// calls in flight, and frees the handle exactly once after the last of them returned (no
// finalize()). Use after close is an IllegalStateException, never a crash.
package dev.ferrokafka.clients.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public abstract class NativeHandle implements AutoCloseable {
    private final AtomicLong handle;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    protected NativeHandle(long handle) {
        this.handle = new AtomicLong(handle);
    }

    /** Starts a native call: the live handle, or IllegalStateException(`closedMessage`). */
    protected final long enter(String closedMessage) {
        inFlight.incrementAndGet();
        long h = handle.get();
        if (h == 0 || closing) {
            inFlight.decrementAndGet();
            throw new IllegalStateException(closedMessage);
        }
        return h;
    }

    /** Ends a native call started with enter. */
    protected final void exit() {
        inFlight.decrementAndGet();
    }

    /** Refuses new calls from now on; returns the handle (0 if already freed). */
    protected final long markClosing() {
        closing = true;
        return handle.get();
    }

    protected final boolean isClosing() {
        return closing;
    }

    /**
     * Frees the native object once every call in flight returned (waiting at most
     * `maxWaitMs`; a call still running then keeps it alive, leaking it rather than crashing).
     */
    protected final void freeHandle(long maxWaitMs) {
        closing = true;
        long deadline = System.nanoTime() + maxWaitMs * 1_000_000L;
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        long h = handle.getAndSet(0);
        if (h != 0) {
            free(h);
        }
    }

    /** Releases the native object behind `h`. */
    protected abstract void free(long h);
}
