package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Runs work on a backend under a {@link RetryConfig}: one attempt at a time, never two at once.
 *
 * <p>A timed-out attempt is interrupted and the next one starts only after it has really ended; one
 * that ignores the interrupt past the config's cancel grace ends the run with a
 * {@link TimeoutException}. A value produced after the run was cancelled or given up is handed to
 * the orphan handler (so a late service instance is still stopped). Thread-safe.
 */
public final class RetryingRun<T> {
    private final Backend backend;
    private final String label;
    private final Callable<T> work;
    private final RetryConfig retry;
    private final BiFunction<Integer, Throwable, RuntimeException> giveUp;
    private final Consumer<T> orphan;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private BackendWork<T> current;
    private Future<?> pending;
    private boolean cancelled;

    private RetryingRun(Backend backend, String label, Callable<T> work, RetryConfig retry,
                        BiFunction<Integer, Throwable, RuntimeException> giveUp, Consumer<T> orphan) {
        this.backend = backend;
        this.label = label;
        this.work = work;
        this.retry = retry;
        this.giveUp = giveUp;
        this.orphan = orphan;
    }

    /**
     * Starts the first attempt.
     *
     * @param giveUp builds the final exception from the number of attempts and the last failure
     * @param orphan receives a value that arrived after the run was cancelled or had given up
     */
    public static <T> RetryingRun<T> start(Backend backend, String label, Callable<T> work, RetryConfig retry,
                                           BiFunction<Integer, Throwable, RuntimeException> giveUp,
                                           Consumer<T> orphan) {
        RetryingRun<T> run = new RetryingRun<>(backend, label, work, retry, giveUp, orphan);
        run.attempt(1);
        return run;
    }

    /** Completes with the value of the first successful attempt, or the give-up or cancellation exception. */
    public CompletableFuture<T> result() {
        return result;
    }

    /**
     * Stops further attempts and interrupts the running one. {@link #result()} completes with a
     * {@link CancellationException} once no attempt is running any more.
     */
    public void cancel() {
        BackendWork<T> running;
        synchronized (this) {
            if (cancelled || result.isDone()) {
                return;
            }
            cancelled = true;
            running = current;
            if (pending != null) {
                pending.cancel(false);
            }
        }
        if (running == null || running.outcome().isDone()) {
            result.completeExceptionally(new CancellationException(label + " was cancelled"));
        } else {
            running.cancel();
        }
    }

    private void attempt(int n) {
        BackendWork<T> attemptWork;
        synchronized (this) {
            pending = null;
            if (cancelled) {
                result.completeExceptionally(new CancellationException(label + " was cancelled"));
                return;
            }
            try {
                attemptWork = backend.submit(label + " attempt " + n, work);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(giveUp.apply(n, e));
                return;
            }
            current = attemptWork;
        }
        AtomicReference<TimeoutException> timedOut = new AtomicReference<>();
        retry.attemptTimeout().ifPresent(timeout -> Timers.deadline(backend, attemptWork.outcome(), timeout,
                () -> timeOut(n, attemptWork, timeout, timedOut)));
        attemptWork.outcome().whenComplete((value, error) -> ended(n, value, error, timedOut.get()));
    }

    private void timeOut(int n, BackendWork<T> attemptWork, Duration timeout, AtomicReference<TimeoutException> timedOut) {
        if (attemptWork.outcome().isDone()) {
            return;
        }
        timedOut.set(new TimeoutException(label + " attempt " + n + " timed out after " + timeout));
        attemptWork.cancel();
        // the next attempt waits until this one has left its thread; one that ignores the
        // interrupt for longer than the grace ends the run instead of running beside a retry
        Timers.scheduleQuietly(backend, () -> {
            if (!attemptWork.outcome().isDone()) {
                TimeoutException stuck = new TimeoutException(label + " attempt " + n + " timed out after " + timeout
                        + " and ignored its interrupt for " + retry.cancelGrace()
                        + "; not retried, so that two copies never run at once");
                result.completeExceptionally(giveUp.apply(n, stuck));
            }
        }, retry.cancelGrace());
    }

    private void ended(int n, T value, Throwable error, TimeoutException timedOut) {
        boolean wasCancelled;
        synchronized (this) {
            wasCancelled = cancelled;
            current = null;
        }
        if (wasCancelled) {
            if (error == null) {
                orphan.accept(value);
            }
            result.completeExceptionally(new CancellationException(label + " was cancelled"));
            return;
        }
        if (error == null && timedOut == null) {
            if (!result.complete(value)) {
                orphan.accept(value);
            }
            return;
        }
        if (error == null) {
            orphan.accept(value); // arrived after its deadline: not used
        }
        Throwable cause = timedOut != null ? timedOut : Futures.unwrap(error);
        if (timedOut != null && error != null) {
            timedOut.addSuppressed(Futures.unwrap(error));
        }
        boolean retryNow;
        synchronized (this) {
            if (cancelled) {
                result.completeExceptionally(new CancellationException(label + " was cancelled"));
                return;
            }
            retryNow = retry.shouldRetry(n, cause) && !result.isDone();
            if (retryNow) {
                try {
                    pending = backend.schedule(() -> attempt(n + 1), retry.delayAfter(n));
                } catch (RejectedExecutionException e) {
                    cause.addSuppressed(e);
                    retryNow = false;
                }
            }
        }
        if (!retryNow) {
            result.completeExceptionally(giveUp.apply(n, cause));
        }
    }

}
