package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.CallAbandonedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls on one generation of a service, so that a blue/green switch can wait for the calls
 * still on the replaced generation without waiting for those on the new one. Lock-free: a call
 * enters, re-reads the snapshot, and leaves if its generation was replaced meanwhile; the switch
 * publishes the new snapshot and only then retires the old count. Thread-safe.
 */
final class InFlight {
    private final AtomicInteger count = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean retired;
    private volatile int lastOutcome; // 0 no call yet, 1 the last call returned, 2 it threw
    private volatile Duration abandonedAt; // the drain deadline past which the generation was stopped, or null

    void enter() {
        count.incrementAndGet();
    }

    /**
     * Leaves. Once retired, a zero read <em>after</em> reading {@code retired} is final: the calls
     * still to come are only stale ones that re-read the snapshot and leave. (The zero this very
     * decrement produced is not enough: a thread that decremented to zero before the switch and
     * reads {@code retired} after it would end the drain while a call that entered meanwhile runs.)
     */
    void exit() {
        count.decrementAndGet();
        if (retired && count.get() == 0) {
            drained.complete(null);
        }
    }

    /** No call enters from now on (the generation was replaced); completes once the last one left. */
    CompletableFuture<Void> retire() {
        retired = true;
        if (count.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    /** Records how the last call on this generation ended (racy by design: the latest writer wins). */
    void outcome(boolean returned) {
        lastOutcome = returned ? 1 : 2;
    }

    /** Whether the instance still answers: the last call on it returned normally. */
    boolean answering() {
        return lastOutcome == 1;
    }

    /**
     * The replaced generation is stopped at its drain deadline with calls still on it: each of them
     * ends with {@link #abandoned} whatever it returns. Only calls inside now can see it: a call that
     * enters after the switch re-reads the snapshot and leaves before it reaches the instance.
     */
    void abandon(Duration drainDeadline) {
        abandonedAt = drainDeadline;
    }

    /**
     * Null unless this generation was stopped at its drain deadline while the calling call was still
     * on it; then the exception the call ends with, {@code outcome} (what it threw, or null) as cause.
     */
    CallAbandonedException abandoned(String serviceId, Throwable outcome) {
        Duration deadline = abandonedAt;
        if (deadline == null || outcome instanceof CallAbandonedException) {
            return null;
        }
        return new CallAbandonedException(serviceId, deadline, outcome);
    }

    int count() {
        return count.get();
    }
}
