package dev.flowgentic4j.workflows.internal.service;

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

    int count() {
        return count.get();
    }
}
