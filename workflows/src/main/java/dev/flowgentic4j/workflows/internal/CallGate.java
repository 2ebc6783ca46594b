package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.ServiceBusyException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the calls inside one service and, optionally, limits how many run at once. A stop waits
 * for the count to drain before it closes the instance, without polling: the last call out wakes
 * it. Calls made by the thread that asks for the stop (a call that cancels its own service) are
 * not waited for. Per service; thread-safe.
 */
final class CallGate {
    private final String serviceId;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ThreadLocal<int[]> ownCalls = ThreadLocal.withInitial(() -> new int[1]);
    private final List<Drain> drains = new CopyOnWriteArrayList<>();
    private final Semaphore slots;
    private final int limit;
    private final Duration waitTimeout;

    private record Drain(int allowed, CompletableFuture<Void> done) {}

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

    /** Counts a call in; the caller then checks that the service is still live. Returns the token for {@link #exit}. */
    int[] enter() {
        int[] mine = ownCalls.get();
        mine[0]++;
        inFlight.incrementAndGet();
        return mine;
    }

    void exit(int[] mine) {
        mine[0]--;
        int left = inFlight.decrementAndGet();
        if (!drains.isEmpty()) {
            for (Drain drain : drains) {
                if (left <= drain.allowed()) {
                    drain.done().complete(null);
                }
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Calls into this service made by the current thread and not yet returned. */
    int ownCalls() {
        return ownCalls.get()[0];
    }

    /**
     * Waits up to {@code timeout} until at most {@code allowed} calls are inside (the calls of the
     * thread that asked for the stop); true if drained.
     */
    boolean awaitDrained(Duration timeout, int allowed) {
        if (inFlight.get() <= allowed) {
            return true;
        }
        Drain drain = new Drain(allowed, new CompletableFuture<>());
        drains.add(drain);
        try {
            if (inFlight.get() <= allowed) {
                return true;
            }
            drain.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return inFlight.get() <= allowed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        } finally {
            drains.remove(drain);
        }
    }
}
