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
 * instance, supervised, continual uptime) run their restarts under. Callers started with
 * {@link #startTimed} also keep how long each call took, under the phase it began in.
 */
final class Callers {
    /** The most phases {@link #phase(int)} may name. */
    static final int PHASES = 4;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Timings> timings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile int phase;
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private final Queue<long[]> slow = new ConcurrentLinkedQueue<>();
    private final AtomicLong ok = new AtomicLong();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final ExecutorService pool;
    private final List<Future<?>> running = new ArrayList<>();

    private Callers(int threads) {
        pool = Executors.newFixedThreadPool(threads);
    }

    /** Starts {@code threads} callers of {@code fn} on {@code service}, each call waiting at most {@code wait}. */
    static <S> Callers start(int threads, ServiceFuture<S> service, Duration wait, ServiceCall<? super S, ?> fn) {
        return start(threads, service, wait, fn, false);
    }

    /** {@link #start}, each call also timed (see {@link #phase(int)} and {@link #latencies(int)}). */
    static <S> Callers startTimed(int threads, ServiceFuture<S> service, Duration wait, ServiceCall<? super S, ?> fn) {
        return start(threads, service, wait, fn, true);
    }

    private static <S> Callers start(int threads, ServiceFuture<S> service, Duration wait,
                                     ServiceCall<? super S, ?> fn, boolean timed) {
        Callers callers = new Callers(threads);
        for (int t = 0; t < threads; t++) {
            Timings mine = timed ? new Timings() : null;
            if (timed) {
                callers.timings.add(mine);
            }
            callers.running.add(callers.pool.submit(() -> {
                while (!callers.stop.get()) {
                    int phase = callers.phase;
                    long began = System.nanoTime();
                    try {
                        service.call(wait, fn);
                        callers.ok.incrementAndGet();
                    } catch (RuntimeException e) {
                        callers.failures.add(e);
                    }
                    if (mine != null) {
                        long took = System.nanoTime() - began;
                        mine.add(phase, took);
                        if (took > SLOW_NANOS) {
                            callers.slow.add(new long[] {began, took});
                        }
                    }
                }
            }));
        }
        return callers;
    }

    /** The calls that begin from now on are timed under {@code phase} (0 at the start). */
    void phase(int phase) {
        if (phase < 0 || phase >= PHASES) {
            throw new IllegalArgumentException("phase must be in 0.." + (PHASES - 1) + ", was " + phase);
        }
        this.phase = phase;
    }

    /** How long each call that began in {@code phase} took, in nanoseconds, sorted; call after {@link #stop}. */
    long[] latencies(int phase) {
        long[] all = timings.stream().flatMapToLong(t -> java.util.Arrays.stream(t.values[phase], 0, t.sizes[phase]))
                .toArray();
        java.util.Arrays.sort(all);
        return all;
    }

    /** The timed calls that took over 50 ms: when each began ({@link System#nanoTime()}) and how long it took. */
    List<long[]> slowCalls() {
        return List.copyOf(slow);
    }

    /** One caller thread's call durations by phase; written by that thread alone, read after it ended. */
    private static final class Timings {
        final long[][] values = new long[PHASES][1024];
        final int[] sizes = new int[PHASES];

        void add(int phase, long nanos) {
            if (sizes[phase] == values[phase].length) {
                values[phase] = java.util.Arrays.copyOf(values[phase], values[phase].length * 2);
            }
            values[phase][sizes[phase]++] = nanos;
        }
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
