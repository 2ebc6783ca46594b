package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * A supervised restart of an instance that is unhealthy but still answers (issue 19, first point)
 * is blue/green: the next generation starts beside it, calls switch to it, the unhealthy one drains
 * and only then stops. No call fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SupervisedBlueGreenTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Answers calls but fails its health check once told to; counts calls inside at its close. */
    static final class Sick implements AutoCloseable {
        final int number;
        final AtomicInteger alive;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile boolean unhealthy;
        volatile boolean dead;
        volatile boolean closed;
        volatile int insideAtClose = -1;

        Sick(int number, AtomicInteger alive) {
            this.number = number;
            this.alive = alive;
            alive.incrementAndGet();
        }

        int serve() {
            inside.incrementAndGet();
            try {
                if (closed || dead) {
                    throw new IllegalStateException("instance " + number + " is closed or dead");
                }
                Thread.onSpinWait();
                return number;
            } finally {
                inside.decrementAndGet();
            }
        }

        void ping() {
            if (unhealthy || dead) {
                throw new IllegalStateException("instance " + number + " reports itself unhealthy");
            }
        }

        @Override
        public void close() {
            insideAtClose = inside.get();
            closed = true;
            closes.incrementAndGet();
            alive.decrementAndGet();
        }
    }

    @RepeatedTest(3)
    void an_unhealthy_but_answering_instance_is_replaced_beside_itself_with_no_failed_call() throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofSeconds(4)).backendShutdownTimeout(Duration.ofSeconds(2)).build())) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Sick> built = new CopyOnWriteArrayList<>();
            List<Integer> restartingCauses = new CopyOnWriteArrayList<>();
            ServiceFuture<Sick> service = engine.serviceTask(ServiceDefinition.<String, Sick>builder("sick", ignored -> {
                Sick s = new Sick(built.size() + 1, alive);
                maxAlive.accumulateAndGet(alive.get(), Math::max);
                built.add(s);
                return s;
            }).health(HealthConfig.<Sick>builder(Sick::ping).interval(Duration.ofMillis(10)).failureThreshold(2).build())
                    .restartPolicy(RestartPolicy.onFailure(5, Duration.ofMinutes(1), Duration.ofMillis(10)))
                    .build()).start("s");
            service.addListener(new ServiceListener() {
                @Override
                public void restarting(ServiceFuture<?> s, int generation, Throwable cause) {
                    restartingCauses.add(cause == null ? 0 : generation);
                }
            }, Runnable::run);
            service.join();
            Callers callers = Callers.start(4, service, WAIT, Sick::serve);
            try {
                for (int round = 1; round <= 3; round++) {
                    int generation = round;
                    built.get(round - 1).unhealthy = true;
                    assertThat(Fakes.eventually(WAIT, () -> service.generation() == generation + 1)).isTrue();
                    long at = callers.ok();
                    assertThat(Fakes.eventually(WAIT, () -> callers.ok() > at + 100)).isTrue();
                    assertThat(Fakes.eventually(WAIT, () -> built.get(generation - 1).closes.get() == 1)).isTrue();
                }
            } finally {
                callers.stop(Duration.ofSeconds(30));
            }
            assertThat(callers.failures()).isEmpty();
            assertThat(service.failedCallCount()).isZero();
            assertThat(maxAlive.get()).isEqualTo(2); // the next generation started beside the unhealthy one
            assertThat(restartingCauses).containsExactly(1, 2, 3); // each told with its health failure
            assertThat(built.subList(0, 3)).allSatisfy(s -> {
                assertThat(s.closes.get()).isEqualTo(1);
                assertThat(s.insideAtClose).isZero(); // closed only after its last call returned
            });
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
        }
    }

    @RepeatedTest(3)
    void a_dead_instance_whose_calls_fail_is_replaced_stop_then_start_and_later_calls_succeed() throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofSeconds(4)).backendShutdownTimeout(Duration.ofSeconds(2)).build())) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Sick> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Sick> service = engine.serviceTask(ServiceDefinition.<String, Sick>builder("dead", ignored -> {
                Sick s = new Sick(built.size() + 1, alive);
                maxAlive.accumulateAndGet(alive.get(), Math::max);
                built.add(s);
                return s;
            }).health(HealthConfig.<Sick>builder(Sick::ping).interval(Duration.ofMillis(10)).failureThreshold(2).build())
                    .restartPolicy(RestartPolicy.onFailure(5, Duration.ofMinutes(1), Duration.ofMillis(10)))
                    .build()).start("s");
            assertThat(service.call(WAIT, Sick::serve)).isEqualTo(1);
            built.get(0).dead = true;
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> service.call(WAIT, Sick::serve)))
                    .hasMessageContaining("instance 1 is closed or dead"); // its last call threw: not answering
            assertThat(Fakes.eventually(WAIT, () -> service.isRestarting() || service.generation() == 2)).isTrue();
            assertThat(service.call(WAIT, Sick::serve)).isEqualTo(2); // waits for the next generation if need be
            assertThat(maxAlive.get()).isEqualTo(1); // stop-then-start: the dead one stopped first
            assertThat(built.get(0).closes.get()).isEqualTo(1);
        }
    }
}
