package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.internal.Timers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Counts the calls inside one service and, optionally, limits how many run at once. A stop waits
 * for the count to drain before it closes the instance, without polling: the last call out wakes
 * it. Calls made by the thread that asks for the stop (a call that cancels its own service) are
 * not waited for. Per service; thread-safe.
 *
 * <p>The limit is an asynchronous FIFO gate: a caller that finds no free slot queues a future,
 * which the release of a slot completes (in queue order) on the releasing thread; no thread is
 * blocked by the gate itself. {@link #acquireSlotAsync()} times the wait out on the backend's timer
 * with a {@link ServiceBusyException}; the blocking {@link #acquireSlot()} waits on the same future.
 * Free slots are an atomic counter and the queue is lock-free; handing slots to waiters is done by
 * one releasing thread at a time (a work-in-progress counter, not a lock: the others leave at once).
 */
final class CallGate {
    /** What {@link #acquireSlotAsync()} returns when the slot was free at once. */
    static final CompletableFuture<Void> ACQUIRED = CompletableFuture.completedFuture(null);

    private final String serviceId;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ThreadLocal<int[]> ownCalls = ThreadLocal.withInitial(() -> new int[1]);
    private final List<Drain> drains = new CopyOnWriteArrayList<>();
    private final int limit;
    private final Duration waitTimeout;
    private final long waitTimeoutNanos;
    private final Backend timers;
    private final AtomicInteger freeSlots;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handing = new AtomicInteger();
    private volatile Supplier<? extends RuntimeException> closed; // why calls are no longer taken, or null

    private record Drain(int allowed, CompletableFuture<Void> done) {}

    /** @param timers schedules the asynchronous waits' timeouts */
    CallGate(String serviceId, int limit, Duration waitTimeout, Backend timers) {
        this.serviceId = serviceId;
        this.limit = limit;
        this.waitTimeout = waitTimeout;
        this.waitTimeoutNanos = waitTimeout.toNanos();
        this.timers = timers;
        this.freeSlots = limit > 0 ? new AtomicInteger(limit) : null;
    }

    /** Whether calls are limited at all. */
    boolean limited() {
        return freeSlots != null;
    }

    /** Takes a free slot if one is free and nobody queues for one (FIFO); never waits. */
    private boolean tryTake() {
        if (!waiters.isEmpty()) {
            return false;
        }
        for (int n = freeSlots.get(); n > 0; n = freeSlots.get()) {
            if (freeSlots.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Queues a waiter and hands it a slot at once if one is free; fails it if the gate is closed. */
    private CompletableFuture<Void> enqueue() {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        waiters.add(waiter);
        Supplier<? extends RuntimeException> why = closed;
        if (why != null) {
            waiter.completeExceptionally(why.get()); // closed meanwhile: close() may not have seen it
        }
        handOut();
        return waiter;
    }

    /**
     * The service no longer takes calls (a stop began, or it FAILED): every call waiting for a slot
     * ends now with {@code why}'s exception, and so does every later request for a slot. Calls
     * already holding a slot go on. Idempotent.
     */
    void close(Supplier<? extends RuntimeException> why) {
        if (freeSlots == null || closed != null) {
            return;
        }
        closed = why;
        // fail, do not remove: handOut alone removes, so it never loses a waiter it is handing a slot to
        for (CompletableFuture<Void> waiter : waiters) {
            if (!waiter.isDone()) {
                waiter.completeExceptionally(why.get());
            }
        }
        handOut(); // clears the failed waiters from the head
    }

    /** The exception that ends calls once the gate is closed, or null while it is open. */
    RuntimeException closedException() {
        Supplier<? extends RuntimeException> why = closed;
        return why == null ? null : why.get();
    }

    /** Gives free slots to the waiters at the head of the queue, one releasing thread at a time. */
    private void handOut() {
        if (handing.getAndIncrement() != 0) {
            return;                       // the thread already handing out will see our change
        }
        int missed = 1;
        do {
            while (true) {
                CompletableFuture<Void> head = waiters.peek();
                if (head == null) {
                    break;
                }
                if (head.isDone()) {      // timed out or interrupted: no longer waiting
                    waiters.poll();
                    continue;
                }
                int n = freeSlots.get();
                if (n <= 0) {
                    break;
                }
                if (!freeSlots.compareAndSet(n, n - 1)) {
                    continue;
                }
                waiters.poll();
                if (!head.complete(null)) {
                    freeSlots.incrementAndGet();   // it timed out meanwhile: the slot stays free
                }
            }
            missed = handing.addAndGet(-missed);
        } while (missed != 0);
    }

    private ServiceBusyException busy() {
        return new ServiceBusyException(serviceId, limit, waitTimeout);
    }

    /**
     * Takes a slot under the limit, blocking up to the configured timeout (an interrupt ends the
     * wait with {@link ServiceBusyException}, the flag restored).
     */
    void acquireSlot() {
        if (freeSlots == null) {
            return;
        }
        RuntimeException closedNow = closedException();
        if (closedNow != null) {
            throw closedNow;
        }
        if (tryTake()) {
            return;
        }
        CompletableFuture<Void> waiter = enqueue();
        try {
            if (waiter.isDone() || waitTimeoutNanos > 0) {
                waiter.get(waitTimeoutNanos, TimeUnit.NANOSECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException refusal) {
                throw refusal; // the gate closed: the service was stopped or failed
            }
        } catch (TimeoutException e) {
            // refused below, unless the slot came at the last moment
        }
        if (!waiter.completeExceptionally(busy())) {
            return;                      // the slot was handed over meanwhile: keep it
        }
        throw busy();
    }

    /**
     * A slot under the limit, asynchronously: {@link #ACQUIRED} if one was free at once, else a
     * future completed (on the thread that frees a slot, in FIFO order) when this caller gets one,
     * or failed with {@link ServiceBusyException} after the configured wait timeout.
     */
    CompletableFuture<Void> acquireSlotAsync() {
        if (freeSlots == null) {
            return ACQUIRED;
        }
        RuntimeException closedNow = closedException();
        if (closedNow != null) {
            return CompletableFuture.failedFuture(closedNow);
        }
        if (tryTake()) {
            return ACQUIRED;
        }
        CompletableFuture<Void> waiter = enqueue();
        if (!waiter.isDone()) {
            if (waitTimeoutNanos == 0) {
                waiter.completeExceptionally(busy());
            } else {
                Timers.deadline(timers, waiter, waitTimeout, () -> waiter.completeExceptionally(busy()));
            }
        }
        return waiter;
    }

    void releaseSlot() {
        if (freeSlots != null) {
            freeSlots.incrementAndGet();
            if (!waiters.isEmpty()) {
                handOut();
            }
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
        inFlight.decrementAndGet();
        if (!drains.isEmpty()) {
            // the count read after seeing the drain, not the one this decrement left: a thread that
            // decremented before a stop and looks at the drains after it must not end the drain
            // while a call that entered meanwhile runs
            int left = inFlight.get();
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
