package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Single-instance services (issue 19, third point): {@code restart()} and {@code update} stop the
 * live instance first and cold-start the next one only then; two instances are never alive at once,
 * and calls made meanwhile wait for the next generation within their own timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SingleInstanceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Counts the instances alive at once, as a fixed port or an exclusive lock would forbid. */
    static final class Exclusive implements AutoCloseable {
        final String version;
        final AtomicInteger alive;
        volatile boolean closed;

        Exclusive(String version, AtomicInteger alive, AtomicInteger maxAlive) {
            this.version = version;
            this.alive = alive;
            maxAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
        }

        String serve() {
            if (closed) {
                throw new IllegalStateException("instance " + version + " is closed");
            }
            return version;
        }

        @Override
        public void close() {
            closed = true;
            alive.decrementAndGet();
        }
    }

    private static FlowEngine engine() {
        return FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).stopTimeout(Duration.ofSeconds(4))
                .backendShutdownTimeout(Duration.ofSeconds(2)).build());
    }

    private static ServiceDefinition<String, Exclusive> definition(AtomicInteger alive, AtomicInteger maxAlive,
                                                                  BlueGreenTest.AtomicReferenceGate gate,
                                                                  List<Exclusive> built) {
        return ServiceDefinition.<String, Exclusive>builder("exclusive", version -> {
            gate.passIfHeld();
            if (version.startsWith("bad")) {
                throw new IllegalArgumentException("cannot start " + version);
            }
            Exclusive e = new Exclusive(version, alive, maxAlive);
            built.add(e);
            return e;
        }).singleInstance().build();
    }

    @RepeatedTest(3)
    void restarts_and_updates_under_load_never_run_two_instances_and_calls_wait_instead_of_failing()
            throws Exception {
        try (FlowEngine engine = engine()) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Exclusive> built = new CopyOnWriteArrayList<>();
            BlueGreenTest.AtomicReferenceGate gate = new BlueGreenTest.AtomicReferenceGate();
            ServiceFuture<Exclusive> service = engine.serviceTask(definition(alive, maxAlive, gate, built)).start("v1");
            service.join();
            Callers callers = Callers.start(4, service, WAIT, Exclusive::serve);
            try {
                // the next cold start is held: the old instance is already closed, nothing is alive, calls wait
                gate.hold();
                var first = service.restart();
                assertThat(gate.awaitEntered()).isTrue();
                assertThat(built.get(0).closed).isTrue();
                assertThat(alive.get()).isZero();
                assertThat(service.isRestarting()).isTrue();
                assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
                assertThat(service.restart()).isNotDone(); // joins the replacement under way
                long before = callers.ok();
                assertThat(first).isNotDone();
                gate.release();
                assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
                assertThat(Fakes.eventually(WAIT, () -> callers.ok() > before + 100)).isTrue();
                for (int i = 0; i < 4; i++) {
                    long at = callers.ok();
                    assertThat(service.restart().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(3 + i);
                    assertThat(Fakes.eventually(WAIT, () -> callers.ok() > at + 50)).isTrue();
                }
                assertThat(service.update("v2").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(7);
                assertThat(service.call(WAIT, Exclusive::serve)).isEqualTo("v2");
                assertThat(service.restart().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(8);
                assertThat(service.call(WAIT, Exclusive::serve)).isEqualTo("v2"); // a restart keeps the new args
            } finally {
                callers.signalStop();
                gate.release();
                callers.stop(Duration.ofSeconds(30));
            }
            assertThat(callers.failures()).isEmpty();
            assertThat(maxAlive.get()).isEqualTo(1);
            assertThat(built).hasSize(8);
            assertThat(built.subList(0, 7)).allMatch(e -> e.closed);
            assertThat(service.failedCallCount()).isZero();
            service.stopAsync().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(alive.get()).isZero();
        }
    }

    @RepeatedTest(3)
    void a_call_whose_timeout_is_shorter_than_the_cold_start_fails_naming_the_restart() throws Exception {
        try (FlowEngine engine = engine()) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Exclusive> built = new CopyOnWriteArrayList<>();
            BlueGreenTest.AtomicReferenceGate gate = new BlueGreenTest.AtomicReferenceGate();
            ServiceFuture<Exclusive> service = engine.serviceTask(definition(alive, maxAlive, gate, built)).start("v1");
            service.join();
            gate.hold();
            var restarted = service.restart();
            try {
                assertThat(gate.awaitEntered()).isTrue();
                assertThatThrownBy(() -> service.call(Duration.ofMillis(50), Exclusive::serve))
                        .isInstanceOf(ServiceUnavailableException.class)
                        .hasMessageContaining("restarting: generation 1 was stopped")
                        .hasMessageContaining("not ready within the call's timeout of PT0.05S");
                assertThat(service.refusedCallCount()).isEqualTo(1);
            } finally {
                gate.release();
            }
            assertThat(restarted.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.call(Duration.ofMillis(50), Exclusive::serve)).isEqualTo("v1");
            assertThat(maxAlive.get()).isEqualTo(1);
        }
    }

    @Test
    void an_update_whose_instance_does_not_start_reports_it_and_starts_the_previous_arguments_again()
            throws Exception {
        try (FlowEngine engine = engine()) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Exclusive> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Exclusive> service = engine.serviceTask(
                    definition(alive, maxAlive, new BlueGreenTest.AtomicReferenceGate(), built)).start("v1");
            service.join();
            assertThatThrownBy(() -> service.update("bad-v2").get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("could not start its next instance")
                    .hasRootCauseMessage("cannot start bad-v2");
            assertThat(service.call(WAIT, Exclusive::serve)).isEqualTo("v1");
            assertThat(service.generation()).isEqualTo(2);
            assertThat(maxAlive.get()).isEqualTo(1);
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
        }
    }

    @RepeatedTest(3)
    void a_drain_past_its_deadline_stops_the_instance_anyway_and_its_calls_fail_naming_the_deadline()
            throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofMillis(400)).build())) {
            AtomicInteger alive = new AtomicInteger();
            AtomicInteger maxAlive = new AtomicInteger();
            List<Exclusive> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Exclusive> service = engine.serviceTask(
                    definition(alive, maxAlive, new BlueGreenTest.AtomicReferenceGate(), built)).start("v1");
            service.join();
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            var held = java.util.concurrent.CompletableFuture.supplyAsync(() -> service.call(WAIT, e -> {
                inside.countDown();
                release.await(10, TimeUnit.SECONDS);
                return e.serve(); // closed under it by then: throws
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            // stop-then-start: the drain (half the 400 ms stop timeout) runs out, the instance stops anyway
            assertThat(service.restart().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(built.get(0).closed).isTrue();
            assertThat(maxAlive.get()).isEqualTo(1);
            assertThat(held).isNotDone();
            release.countDown();
            assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(CallAbandonedException.class)
                    .hasMessageContaining("stopped at its drain deadline of PT0.2S")
                    .hasRootCauseMessage("instance v1 is closed");
            assertThat(service.call(WAIT, Exclusive::serve)).isEqualTo("v1");
            assertThat(service.failedCallCount()).isEqualTo(1);
            assertThat(service.refusedCallCount()).isZero();
        }
    }

    @Test
    void single_instance_with_more_than_one_replica_is_refused_at_build() {
        assertThatThrownBy(() -> ServiceDefinition.<String, String>builder("one", a -> a).singleInstance()
                .replicas(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service 'one' is singleInstance() but asks for up to 2 replicas");
        assertThat(ServiceDefinition.<String, String>builder("one", a -> a).build().singleInstance()).isFalse();
    }
}
