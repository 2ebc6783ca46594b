package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.ServiceBusyException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the calls inside a service and, optionally, limits how many run at once. A stop waits
 * for the count to reach zero before it closes the instance. Thread-safe.
 */
final class CallGate {
    private final String serviceId;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Semaphore slots;
    private final int limit;
    private final Duration waitTimeout;

    CallGate(String serviceId, int limit, Duration waitTimeout) {
        this.serviceId = serviceId;
        this.limit = limit;
        this.waitTimeout = waitTimeout;
        this.slots = limit > 0 ? new Semaphore(limit, true) : null;
    }

    /** Takes a slot under the limit, waiting up to the configured timeout. */
    void acquireSlot() {
        if (slots == null) {
            return;
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(waitTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ServiceBusyException(serviceId, limit, waitTimeout);
        }
    }

    void releaseSlot() {
        if (slots != null) {
            slots.release();
        }
    }

    /** Counts a call in; the caller then checks that the service is still RUNNING. */
    void enter() {
        inFlight.incrementAndGet();
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Waits until no call is inside, up to {@code timeout}; true if drained. */
    boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() >= deadline || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
