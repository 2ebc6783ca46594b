package dev.flowgentic4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads that make one call without pause until told to stop, counting the calls that returned
 * and keeping every failure: the load a replacement test (a restart or an update of a live service)
 * runs under. Thread-safe.
 *
 * <pre>{@code
 * CallLoad load = CallLoad.start(8, () -> pool.call(WAIT, p -> p.query("SELECT 1", r -> r.getInt(1))));
 * try {
 *     pool.update(newSettings).join();
 * } finally {
 *     load.stop(Duration.ofSeconds(10));
 * }
 * assertThat(load.failures()).isEmpty();
 * }</pre>
 */
public final class CallLoad {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ok = new AtomicLong();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final ExecutorService threads;
    private final List<Future<?>> running = new ArrayList<>();

    private CallLoad(int threads) {
        this.threads = Executors.newFixedThreadPool(threads);
    }

    /**
     * Starts {@code threads} threads, each making {@code call} again and again until {@link #stop}.
     *
     * @throws IllegalArgumentException if {@code threads} is not positive
     */
    public static CallLoad start(int threads, Callable<?> call) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        Objects.requireNonNull(call, "call");
        CallLoad load = new CallLoad(threads);
        for (int t = 0; t < threads; t++) {
            load.running.add(load.threads.submit(() -> {
                while (!load.stop.get()) {
                    try {
                        call.call();
                        load.ok.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        load.failures.add(e);
                    }
                }
            }));
        }
        return load;
    }

    /** Calls that returned so far. */
    public long ok() {
        return ok.get();
    }

    /** Calls that threw, in the order they failed. */
    public Queue<Throwable> failures() {
        return failures;
    }

    /**
     * Waits up to {@code timeout} until {@code more} calls beyond those returned now have returned
     * (or a call failed).
     *
     * @return whether they did
     */
    public boolean awaitMore(long more, Duration timeout) {
        long target = ok.get() + more;
        return Probes.eventually(timeout, () -> ok.get() >= target || !failures.isEmpty()) && failures.isEmpty();
    }

    /** Stops the threads after their current call and waits up to {@code bound} for each. */
    public void stop(Duration bound) throws Exception {
        stop.set(true);
        try {
            for (Future<?> thread : running) {
                thread.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
