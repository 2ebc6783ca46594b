package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Continual uptime (issue 19, first point of its tests), exactly as the issue words it: under 16
 * threads calling without pause, 10 planned restarts, 5 updates and 3 supervised replacements of
 * instances that fail their health check but still answer calls; no call fails, no call is slower
 * than the steady p99 plus a margin (so no cold start was on any call's path), each replaced
 * generation is stopped only after its last call returned, every instance is closed exactly once,
 * and there are 1 + 10 + 5 + 3 generations.
 *
 * <p>The latency bound is behavioural, not a speed assertion: every cold start takes
 * {@link #COLD_START} (2 s), so a call that waited for one (a stop-then-start, or a switch before
 * the next generation was ready) would take up to that long, while the margin over the steady p99
 * measured in this very run is {@link #MARGIN} (500 ms, generous for a noisy shared 2-core machine).
 * The test checks that the two stay apart. A pause of the whole process (a garbage collection, or
 * the machine busy with other builds) holds every thread alike and says nothing about the engine:
 * a {@link PauseWatch} thread that only sleeps 1 ms at a time measures those pauses, and a call is
 * judged on its time without the pauses that overlapped it. A cold start on a call's path would
 * not pause that thread, so it would still show as 2 s; the raw times are printed beside.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContinualUptimeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long WARM_UP_CALLS = 5_000;   // about 1 s of 16 callers at 1 ms a call
    private static final long STEADY_CALLS = 20_000;   // about 3 s: the steady p99's sample
    private static final int THREADS = 16;
    private static final Duration COLD_START = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofMillis(500);
    /** R planned restart, U update, S supervised replacement of an unhealthy instance that still answers. */
    private static final String SCHEDULE = "RRURSRURUSRURRSRUR";

    /**
     * One generation's instance: answers calls (1 ms each, standing for I/O) until closed, fails its
     * health check once told to, and records the calls inside it when it is closed.
     */
    static final class Generation implements AutoCloseable {
        final int number;
        final String version;
        final AtomicInteger alive;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile boolean unhealthy;
        volatile boolean closed;
        volatile int insideAtClose = -1;

        Generation(int number, String version, AtomicInteger alive) {
            this.number = number;
            this.version = version;
            this.alive = alive;
        }

        String serve() throws InterruptedException {
            inside.incrementAndGet();
            try {
                if (closed) {
                    throw new IllegalStateException("generation " + number + " called after close");
                }
                Thread.sleep(1);
                served.incrementAndGet();
                return version;
            } finally {
                inside.decrementAndGet();
            }
        }

        void ping() {
            if (unhealthy) {
                throw new IllegalStateException("generation " + number + " reports itself unhealthy");
            }
        }

        @Override
        public void close() {
            closed = true;               // first: a call that enters after the count below sees it and throws
            insideAtClose = inside.get();
            closes.incrementAndGet();
            alive.decrementAndGet();
        }
    }

    /**
     * Measures the pauses of the whole process: a thread that sleeps 1 ms at a time and records
     * every wake-up that came more than 5 ms late, as the interval it should have been awake in.
     */
    static final class PauseWatch implements AutoCloseable {
        private static final long TICK = TimeUnit.MILLISECONDS.toNanos(1);
        private static final long LATE = TimeUnit.MILLISECONDS.toNanos(5);
        private final List<long[]> pauses = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stop;

        PauseWatch() {
            thread = new Thread(() -> {
                while (!stop) {
                    long before = System.nanoTime();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long after = System.nanoTime();
                    if (after - before > TICK + LATE) {
                        pauses.add(new long[] {before + TICK, after});
                    }
                }
            }, "pause-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** How long the process was paused between {@code from} and {@code to} ({@link System#nanoTime()}). */
        long pausedBetween(long from, long to) {
            long paused = 0;
            for (long[] p : pauses) {
                paused += Math.max(0, Math.min(to, p[1]) - Math.max(from, p[0]));
            }
            return paused;
        }

        /** The longest pause seen. */
        long longest() {
            return pauses.stream().mapToLong(p -> p[1] - p[0]).max().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(1000);
        }
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    @Test
    void restarts_updates_and_supervised_replacements_under_16_callers_fail_no_call_and_put_no_cold_start_on_a_path()
            throws Exception {
        assertThat(SCHEDULE.chars().filter(c -> c == 'R').count()).isEqualTo(10);
        assertThat(SCHEDULE.chars().filter(c -> c == 'U').count()).isEqualTo(5);
        assertThat(SCHEDULE.chars().filter(c -> c == 'S').count()).isEqualTo(3);
        List<Generation> built = new CopyOnWriteArrayList<>();
        AtomicInteger alive = new AtomicInteger();
        AtomicInteger maxAlive = new AtomicInteger();
        List<Throwable> supervisedCauses = new CopyOnWriteArrayList<>();
        List<String> expectedVersions = new ArrayList<>();
        Callers callers;
        long[] steady;
        long[] replacing;
        long steadyFrom;
        PauseWatch pauses = new PauseWatch();
        long gcBefore = gcMillis();
        try (pauses; FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofSeconds(4)).backendShutdownTimeout(Duration.ofSeconds(2)).build())) {
            ServiceFuture<Generation> service = engine.serviceTask(ServiceDefinition.<String, Generation>builder(
                    "uptime", version -> {
                        Thread.sleep(COLD_START.toMillis()); // a model loading: seconds
                        Generation g = new Generation(built.size() + 1, version, alive);
                        maxAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
                        built.add(g);
                        return g;
                    })
                    .health(HealthConfig.<Generation>builder(Generation::ping).interval(Duration.ofMillis(20))
                            .failureThreshold(2).build())
                    .restartPolicy(RestartPolicy.onFailure(5, Duration.ofMinutes(10), Duration.ofMillis(10)))
                    .build()).start("v1");
            service.addListener(new ServiceListener() {
                @Override
                public void restarting(ServiceFuture<?> s, int generation, Throwable cause) {
                    if (cause != null) {
                        supervisedCauses.add(cause);
                    }
                }
            }, Runnable::run);
            service.join();
            expectedVersions.add("v1");

            callers = Callers.startTimed(THREADS, service, WAIT, Generation::serve);
            try {
                // phase 0: warm-up (JIT, thread start), not measured; then phase 1: the steady state, no
                // replacement, whose p99 is the reference; both measured in calls, not in time
                awaitCalls(callers, WARM_UP_CALLS);
                steadyFrom = System.nanoTime();
                callers.phase(1);
                awaitCalls(callers, STEADY_CALLS);
                callers.phase(2);      // phase 2: the 18 replacements
                String version = "v1";
                int updates = 0;
                for (int i = 0; i < SCHEDULE.length(); i++) {
                    int next = i + 2;
                    Generation replaced = built.get(i);
                    switch (SCHEDULE.charAt(i)) {
                        case 'R' -> assertThat(service.restart().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                                .isEqualTo(next);
                        case 'U' -> {
                            version = "v" + (2 + updates++);
                            assertThat(service.update(version).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                                    .isEqualTo(next);
                        }
                        default -> {
                            replaced.unhealthy = true; // it fails its health check but goes on answering
                            assertThat(Fakes.eventually(WAIT, () -> service.generation() == next))
                                    .as("supervised replacement %d", next).isTrue();
                        }
                    }
                    expectedVersions.add(version);
                    assertThat(Fakes.eventually(WAIT, () -> replaced.closes.get() == 1))
                            .as("generation %d stopped after its drain", replaced.number).isTrue();
                    long seen = callers.ok();
                    assertThat(Fakes.eventually(WAIT, () -> callers.ok() > seen + 200)).isTrue();
                }
            } finally {
                callers.stop(Duration.ofSeconds(30));
            }
            steady = callers.latencies(1);
            replacing = callers.latencies(2);

            assertThat(callers.failures()).as("failed calls").isEmpty();
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.generation()).isEqualTo(1 + 10 + 5 + 3);
            assertThat(service.join()).isSameAs(built.get(built.size() - 1));
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
        }
        // no cold start on any call's path: no call (steady or during a replacement) slower than steady p99 + margin,
        // once the pauses of the whole process during it are taken out (see the class comment)
        assertThat(steady.length).as("steady calls measured").isGreaterThan(1000);
        long p99 = steady[(int) Math.ceil(steady.length * 0.99) - 1];
        long bound = p99 + MARGIN.toNanos();
        assertThat(bound).as("steady p99 %s + margin stays well below a cold start", Duration.ofNanos(p99))
                .isLessThan(COLD_START.toNanos() / 2);
        long slowestSteady = steady[steady.length - 1];
        long slowestReplacing = replacing[replacing.length - 1];
        // the calls over 50 ms (every call the bound could concern), each without the process pauses during it
        List<long[]> slow = callers.slowCalls().stream().filter(c -> c[0] >= steadyFrom).toList();
        long worstOwn = slow.stream().mapToLong(c -> c[1] - pauses.pausedBetween(c[0], c[0] + c[1])).max().orElse(0);
        System.out.printf("continual-uptime | %d calls, 0 failed | steady p50 %.2f ms p99 %.2f ms max %.2f ms"
                        + " | during 18 replacements: %d calls, p50 %.2f ms p99 %.2f ms max %.2f ms | %d calls over"
                        + " 50 ms, the slowest %.2f ms without process pauses (longest pause %.2f ms, GC %d ms in all)"
                        + " | bound %.2f ms%n",
                callers.ok(), steady[steady.length / 2] / 1e6, p99 / 1e6, slowestSteady / 1e6, replacing.length,
                replacing[replacing.length / 2] / 1e6, replacing[(int) Math.ceil(replacing.length * 0.99) - 1] / 1e6,
                slowestReplacing / 1e6, slow.size(), worstOwn / 1e6, pauses.longest() / 1e6, gcMillis() - gcBefore,
                bound / 1e6);
        assertThat(Math.max(slowestSteady, slowestReplacing)).as("the slowest call over 50 ms is among those judged")
                .isLessThanOrEqualTo(slow.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(50) : slow.stream()
                        .mapToLong(c -> c[1]).max().orElseThrow());
        assertThat(worstOwn).as("the slowest call without process pauses; the 10 slowest (began, took, paused): %s",
                slow.stream().sorted((a, b) -> Long.compare(b[1], a[1])).limit(10)
                        .map(c -> c[0] + " " + c[1] / 1_000_000 + " ms "
                                + pauses.pausedBetween(c[0], c[0] + c[1]) / 1_000_000 + " ms").toList())
                .isLessThanOrEqualTo(bound);

        // the engine's close stopped the last generation too
        assertThat(built).hasSize(1 + 10 + 5 + 3);
        assertThat(built).extracting(g -> g.version).containsExactlyElementsOf(expectedVersions);
        assertThat(built).allSatisfy(g -> {
            assertThat(g.closes.get()).as("closes of generation %d", g.number).isEqualTo(1);
            assertThat(g.insideAtClose).as("calls inside generation %d at its close", g.number).isZero();
        });
        assertThat(alive.get()).isZero();
        assertThat(maxAlive.get()).as("the next generation started beside the live one, one at a time").isEqualTo(2);
        assertThat(supervisedCauses).hasSize(3)
                .allSatisfy(c -> assertThat(c).hasStackTraceContaining("reports itself unhealthy"));
        assertThat(built.stream().mapToLong(g -> g.served.get()).sum()).isEqualTo(callers.ok());
    }

    /** Waits until the callers have completed {@code more} calls beyond those completed now. */
    private static void awaitCalls(Callers callers, long more) throws InterruptedException {
        long target = callers.ok() + more;
        assertThat(Fakes.eventually(Duration.ofSeconds(60), () -> callers.ok() >= target)).as("%d more calls", more)
                .isTrue();
    }
}
