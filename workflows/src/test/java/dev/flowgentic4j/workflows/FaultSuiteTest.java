package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into services, each test bounded in time. Every test also checks that a healthy
 * bystander service is not disturbed, and prints the time to recover for the fault table.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultSuiteTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(2))
            .stopTimeout(Duration.ofMillis(300)).build());
    private final ServiceFuture<Counter> bystander = engine.serviceTask("bystander", Counter::new).start("b");

    @AfterEach
    void bystanderIsUndisturbedAndEngineCloses() {
        assertThat(bystander.call(WAIT, Counter::increment)).isPositive();
        assertThat(bystander.state()).isEqualTo(ServiceState.RUNNING);
        try {
            engine.close();
        } catch (ShutdownException expectedForSomeFaults) {
            // stop faults are reported again on close; the close itself must still end
        }
    }

    private static void report(String fault, long startNanos) {
        System.out.printf("fault-suite | %s | %.1f ms%n", fault, (System.nanoTime() - startNanos) / 1e6);
    }

    @Test
    void initializer_throws() {
        long t0 = System.nanoTime();
        ServiceFuture<Counter> future = engine.<String, Counter>serviceTask("throws", owner -> {
            throw new IOException("cannot connect to 127.0.0.1:1");
        }).start("x");

        assertThatThrownBy(future::join).isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("'throws#").hasMessageContaining("after 2 attempts")
                .hasMessageContaining("cannot connect");
        report("initializer throws -> FAILED after retries", t0);
        assertThat(future.state()).isEqualTo(ServiceState.FAILED);
    }

    @Test
    void initializer_hangs_past_the_start_up_timeout() {
        AtomicInteger interrupted = new AtomicInteger();
        long t0 = System.nanoTime();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.<String, Counter>builder("hangs", owner -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return new Counter(owner);
        }).retry(fastRetry(2).toBuilder().attemptTimeout(Duration.ofMillis(100)).build()).build()).start("h");

        assertThatThrownBy(future::join).isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("'hangs#").hasMessageContaining("timed out after PT0.1S");
        report("initializer hangs -> each attempt interrupted, FAILED", t0);
        assertThat(interrupted.get()).isEqualTo(2);
    }

    @Test
    void stop_throws() {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("stop-throws", Counter::new)
                .stop(c -> {
                    throw new IOException("socket already closed");
                }).build()).start("s");
        future.join();
        long t0 = System.nanoTime();

        assertThat(future.cancel(true)).isTrue();

        report("stop throws -> FAILED, reported", t0);
        assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        assertThat(future.failureCause()).get().asString().contains("failed to stop").contains("socket already closed");
        assertThatThrownBy(future::join).isInstanceOf(java.util.concurrent.CancellationException.class);
    }

    @Test
    void stop_hangs_and_is_abandoned_at_its_deadline() throws InterruptedException {
        AtomicBoolean interrupted = new AtomicBoolean();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("stop-hangs", Counter::new)
                .stop(c -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                }).build()).start("s");
        future.join();
        long t0 = System.nanoTime();

        future.cancel(true);

        report("stop hangs -> abandoned at the 300 ms deadline", t0);
        assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        assertThat(future.failureCause()).get().asString().contains("did not finish within PT0.3S");
        assertThat(Fakes.eventually(WAIT, interrupted::get)).as("the abandoned stop was interrupted").isTrue();
    }

    @Test
    void health_check_fails_while_calls_are_running_and_every_call_is_accounted_for() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        AtomicLong applied = new AtomicLong(); // work done by any instance
        List<Counter> built = new CopyOnWriteArrayList<>(); // every instance: a restarted one may fail its check too
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.<String, Counter>builder("flaky", owner -> {
                    Counter c = new Counter(owner);
                    built.add(c);
                    return c;
                })
                .health(HealthConfig.<Counter>builder(c -> {
                    if (failing.get() && c.value.get() > 0) {
                        throw new IOException("backend unreachable");
                    }
                }).interval(Duration.ofMillis(20)).build())
                .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofMillis(20)))
                .build()).start("f");
        Counter first = future.join();
        int threads = 8;
        int callsAfterRestart = 50;
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong attempted = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        CountDownLatch warmedUp = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                int afterRestart = 0;
                for (int i = 0; afterRestart < callsAfterRestart; i++) {
                    if (i == 10) {
                        warmedUp.countDown();
                    }
                    if (future.generation() >= 2) {
                        afterRestart++;
                    }
                    attempted.incrementAndGet();
                    try {
                        future.call(WAIT, c -> {
                            if (failing.get() && c == first) {
                                throw new IOException("backend unreachable");
                            }
                            applied.incrementAndGet();
                            return c.increment();
                        });
                        ok.incrementAndGet();
                    } catch (FlowgenticException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        warmedUp.await();
        long t0 = System.nanoTime();
        failing.set(true);
        assertThat(Fakes.eventually(WAIT, () -> future.generation() == 2)).isTrue();
        report("health check fails under load -> restarted", t0);
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(failed.get()).isPositive();
        assertThat(ok.get() + failed.get()).isEqualTo(attempted.get());
        assertThat(future.failedCallCount()).isEqualTo(failed.get());
        assertThat(future.callCount()).isEqualTo(ok.get() + failed.get());
        assertThat(applied.get()).isEqualTo(ok.get());
        assertThat(built.stream().mapToLong(c -> c.value.get()).sum()).isEqualTo(ok.get());
        assertThat(future.call(WAIT, Counter::increment)).isPositive(); // calls after the restart succeed
        System.out.printf("fault-suite | under load: %d ok, %d failed (all accounted), 0 lost%n", ok.get(), failed.get());
    }
}
