package dev.flowgentic4j.workflows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads that call one service without pause until told to stop, counting the calls that
 * returned and keeping every failure: the load the replacement tests (blue/green, single
 * instance, supervised) run their restarts under.
 */
final class Callers {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ok = new AtomicLong();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final ExecutorService pool;
    private final List<Future<?>> running = new ArrayList<>();

    private Callers(int threads) {
        pool = Executors.newFixedThreadPool(threads);
    }

    /** Starts {@code threads} callers of {@code fn} on {@code service}, each call waiting at most {@code wait}. */
    static <S> Callers start(int threads, ServiceFuture<S> service, Duration wait, ServiceCall<? super S, ?> fn) {
        Callers callers = new Callers(threads);
        for (int t = 0; t < threads; t++) {
            callers.running.add(callers.pool.submit(() -> {
                while (!callers.stop.get()) {
                    try {
                        service.call(wait, fn);
                        callers.ok.incrementAndGet();
                    } catch (RuntimeException e) {
                        callers.failures.add(e);
                    }
                }
            }));
        }
        return callers;
    }

    /** Calls that returned so far. */
    long ok() {
        return ok.get();
    }

    /** Calls that threw, in the order they failed. */
    Queue<Throwable> failures() {
        return failures;
    }

    /** Tells the callers to stop after their current call, without waiting for them. */
    void signalStop() {
        stop.set(true);
    }

    /** Stops the callers and waits up to {@code bound} for each to return. */
    void stop(Duration bound) throws Exception {
        signalStop();
        try {
            for (Future<?> caller : running) {
                caller.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
