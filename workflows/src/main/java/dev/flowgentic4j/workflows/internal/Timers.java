package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/** Timer helpers for work that must not fail because the backend is shutting down. */
final class Timers {
    private Timers() {}

    /** Schedules {@code action}, or does nothing if the backend no longer accepts timers. */
    static Future<?> scheduleQuietly(Backend backend, Runnable action, Duration delay) {
        try {
            return backend.schedule(action, delay);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
