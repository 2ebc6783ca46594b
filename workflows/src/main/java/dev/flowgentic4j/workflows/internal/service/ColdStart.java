package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.internal.RetryingRun;
import java.util.concurrent.CompletableFuture;

/**
 * One cold start of a service (the first, or a restart's): the retrying run once it exists, a
 * cancel that may come before or after that, and {@link #settled()}, which completes once the
 * start's outcome has been handled (a late instance stopped included). Thread-safe.
 */
final class ColdStart<S> {
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private RetryingRun<?> run;      // guarded by this
    private boolean cancelled;       // guarded by this

    /** Attaches the run; cancels it at once if the start was cancelled meanwhile. */
    void attach(RetryingRun<?> started) {
        boolean cancelNow;
        synchronized (this) {
            run = started;
            cancelNow = cancelled;
        }
        if (cancelNow) {
            started.cancel();
        }
    }

    /** Stops further attempts and interrupts the running one. */
    void cancel() {
        RetryingRun<?> current;
        synchronized (this) {
            cancelled = true;
            current = run;
        }
        if (current != null) {
            current.cancel();
        } 
    }

    /** Completes once the start's outcome was handled; never exceptionally. */
    CompletableFuture<Void> settled() {
        return settled;
    }

    void markSettled() {
        settled.complete(null);
    }
}
