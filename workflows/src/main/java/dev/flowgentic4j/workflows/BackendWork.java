package dev.flowgentic4j.workflows;

import java.util.concurrent.CompletableFuture;

/**
 * One piece of work submitted to a {@link Backend}.
 *
 * <p>{@link #outcome()} completes only when the work has really stopped running: with its result,
 * with what it threw, or with a {@link java.util.concurrent.CancellationException} if it was
 * cancelled before it began. After {@link #cancel()} the work may still be running until it
 * notices the interrupt; {@code outcome()} tells when it has. Thread-safe.
 */
public interface BackendWork<T> {

    /** Completes when the work has left its thread (or will never start); never completed by callers. */
    CompletableFuture<T> outcome();

    /** Prevents the work from starting, or interrupts it if it runs. Idempotent. */
    void cancel();
}
