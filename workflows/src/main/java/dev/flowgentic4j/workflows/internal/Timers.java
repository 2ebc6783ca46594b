package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/** Timer helpers for work that must not fail because the backend is shutting down. */
public final class Timers {
    private Timers() {}

    /** Schedules {@code action}, or does nothing if the backend no longer accepts timers. */
    public static Future<?> scheduleQuietly(Backend backend, Runnable action, Duration delay) {
        try {
            return backend.schedule(action, delay);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * The one "deadline, then cancel" helper: runs {@code onDeadline} if {@code outcome} is not done
     * within {@code timeout}; the timer is cancelled as soon as the outcome completes. Without a
     * timer (the backend is closing) there is no deadline.
     */
    public static void deadline(Backend backend, CompletableFuture<?> outcome, Duration timeout, Runnable onDeadline) {
        if (outcome.isDone()) {
            return;
        }
        Future<?> timer = scheduleQuietly(backend, () -> {
            if (!outcome.isDone()) {
                onDeadline.run();
            }
        }, timeout);
        outcome.whenComplete((ignored, error) -> timer.cancel(false));
    }
}
