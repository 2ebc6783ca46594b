package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.LifecycleCoreTest.FakeTicker;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica that ends FAILED is replaced by a fresh one (event-driven, within the replacement
 * budget of its {@link ReplicaPolicy}), while calls go to the other replicas.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicaReplacementTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One replica's instance: its ping fails once it is {@code dead}; counts calls and closes. */
    static final class Instance implements AutoCloseable {
        final int number;
        final AtomicBoolean dead = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        Instance(int number) {
            this.number = number;
        }

        int work() {
            calls.incrementAndGet();
            return number;
        }

        void ping() throws IOException {
            if (dead.get()) {
                throw new IOException("instance " + number + " does not answer its ping");
            }
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /**
     * Starts instances, or refuses to (a start that cannot connect): every start while {@code refuse}
     * is set, and the next {@code refusals} starts.
     */
    static final class Factory {
        final List<Instance> built = new CopyOnWriteArrayList<>();
        final AtomicBoolean refuse = new AtomicBoolean();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        Instance start(String args) throws IOException {
            if (refuse.get() || refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                throw new IOException("cannot connect");
            }
            Instance i = new Instance(built.size() + 1);
            built.add(i);
            return i;
        }
    }

    private static EngineConfig config(Ticker ticker) {
        return EngineConfig.builder().ticker(ticker).serviceRetry(Fakes.fastRetry(1))
                .stopTimeout(Duration.ofSeconds(2)).build();
    }

    /** Health checked every 20 ms; one supervised restart within the window, so a second verdict FAILS it. */
    private static ServiceDefinition.Builder<String, Instance> definition(String name, Factory factory,
                                                                       ReplicaPolicy replicas) {
        return ServiceDefinition.builder(name, factory::start)
                .health(HealthConfig.<Instance>builder(Instance::ping).interval(Duration.ofMillis(20))
                        .timeout(Duration.ofSeconds(1)).failureThreshold(1).build())
                .restartPolicy(RestartPolicy.onFailure(1, Duration.ofMinutes(1), Duration.ZERO))
                .replicas(replicas);
    }

    /**
     * Kills {@code victim}'s instance so that it ends FAILED: its ping fails, and the one next instance
     * its supervisor tries (its restart budget is one) cannot start; starts after that succeed.
     */
    private static void killIntoFailed(Factory factory, ServiceFuture<Instance> victim) {
        factory.refusals.set(1);
        victim.join().dead.set(true);
    }

    private static List<ServiceEvent> events(EventRecorder recorder, ServiceEvent.Type type) {
        List<ServiceEvent> out = new ArrayList<>();
        for (FlowEvent e : recorder.events()) {
            if (e instanceof ServiceEvent s && s.type() == type) {
                out.add(s);
            }
        }
        return out;
    }

    @RepeatedTest(3)
    void a_replica_killed_into_failed_is_replaced_while_calls_succeed_on_the_other() throws Exception {
        Factory factory = new Factory();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        try (FlowEngine engine = FlowEngine.create(config(new FakeTicker()));
             EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Instance> service = engine.serviceTask(definition("kept", factory,
                    ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.onFailure(3, Duration.ofMinutes(1),
                            Duration.ZERO))).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            ServiceFuture<Instance> victim = service.replicas().get(0);
            ServiceFuture<Instance> other = service.replicas().get(1);

            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread caller = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            service.call(WAIT, Instance::work);
                            ok.incrementAndGet();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                caller.start();
                callers.add(caller);
            }
            assertThat(eventually(WAIT, () -> ok.get() > 100)).isTrue();
            killIntoFailed(factory, victim);

            assertThat(eventually(WAIT, () -> victim.state() == ServiceState.FAILED)).isTrue();
            assertThat(eventually(WAIT, () -> !service.replicas().contains(victim)
                    && service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            ServiceFuture<Instance> fresh = service.replicas().stream().filter(r -> r != other).findFirst().orElseThrow();
            Instance freshInstance = fresh.join();
            assertThat(eventually(WAIT, () -> freshInstance.calls.get() > 0)).as("the fresh replica takes calls").isTrue();
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(10_000);
            }

            assertThat(failed).as("failed calls").hasValue(0);
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.replicas()).hasSize(2).contains(other);
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(service.health().state()).isNotEqualTo(HealthStatus.State.UNHEALTHY);
            List<ServiceEvent> replaced = events(recorder, ServiceEvent.Type.REPLICA_REPLACED);
            assertThat(replaced).hasSize(1);
            assertThat(replaced.get(0).serviceId()).isEqualTo(service.id());
            assertThat(replaced.get(0).detail()).startsWith(victim.id() + " -> " + fresh.id()).contains("FAILED");
            assertThat(events(recorder, ServiceEvent.Type.REPLICA_NOT_REPLACED)).isEmpty();
        }
        assertThat(factory.built).allSatisfy(i -> assertThat(i.closes).as("instance %d", i.number).hasValue(1));
    }

    @Test
    void a_replica_that_can_never_start_again_is_retried_within_the_budget_then_reported() throws Exception {
        Factory factory = new Factory();
        FakeTicker ticker = new FakeTicker();
        try (FlowEngine engine = FlowEngine.create(config(ticker));
             EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Instance> service = engine.serviceTask(definition("doomed", factory,
                    ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.onFailure(2, Duration.ofMinutes(1),
                            Duration.ofMillis(5)))).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            ServiceFuture<Instance> victim = service.replicas().get(0);
            ServiceFuture<Instance> other = service.replicas().get(1);
            factory.refuse.set(true); // no instance starts again
            killIntoFailed(factory, victim);

            assertThat(eventually(WAIT, () -> !events(recorder, ServiceEvent.Type.REPLICA_NOT_REPLACED).isEmpty()))
                    .as("the handle reports the replica it gave up on").isTrue();
            // the victim, then the two replacements within the budget, each FAILED: no more attempts
            List<ServiceEvent> replaced = events(recorder, ServiceEvent.Type.REPLICA_REPLACED);
            assertThat(replaced).hasSize(2);
            int refusedAtGiveUp = factory.refused.get();
            ServiceEvent notReplaced = events(recorder, ServiceEvent.Type.REPLICA_NOT_REPLACED).get(0);
            assertThat(notReplaced.detail()).contains("replacement budget is spent (2 within PT1M)");
            assertThat(service.health().state()).isEqualTo(HealthStatus.State.UNHEALTHY);
            assertThat(service.health().failure()).get().asString().contains("not replaced");
            assertThat(service.replicas()).hasSize(2).contains(other);
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
            for (int i = 0; i < 20; i++) { // calls go to the replica that runs
                assertThat(service.call(WAIT, Instance::work)).isEqualTo(other.join().number);
            }
            assertThat(service.failedCallCount()).isZero();
            // nothing more is tried, even once the window has passed on the engine's clock: no timer and no
            // event is left to try again (a hot loop would show as more refused starts within the bound)
            ticker.advance(Duration.ofMinutes(5));
            assertThat(eventually(Duration.ofMillis(300), () -> factory.refused.get() != refusedAtGiveUp))
                    .as("starts tried after giving up").isFalse();
            assertThat(events(recorder, ServiceEvent.Type.REPLICA_REPLACED)).hasSize(2);

            // an explicit restart() replaces the lost replica once instances can start again
            factory.refuse.set(false);
            factory.refusals.set(0);
            assertThat(service.restart().get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.replicas()).hasSize(2).allSatisfy(r -> assertThat(r.isRunning()).isTrue());
            assertThat(service.health().state()).isNotEqualTo(HealthStatus.State.UNHEALTHY);
        }
        assertThat(factory.built).allSatisfy(i -> assertThat(i.closes).as("instance %d", i.number).hasValue(1));
    }

    @RepeatedTest(3)
    void a_replica_whose_first_start_failed_is_replaced_once_another_runs() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        List<Instance> built = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(config(new FakeTicker()));
             EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Instance> service = engine.serviceTask(ServiceDefinition.builder("patchy", (String v) -> {
                        int n = starts.incrementAndGet();
                        if (n == 2) {
                            throw new IOException("replica start " + n + " cannot connect");
                        }
                        Instance i = new Instance(n);
                        built.add(i);
                        return i;
                    }).replicas(ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.onFailure(3, Duration.ofMinutes(1),
                            Duration.ZERO))).build()).start("v1");
            service.join();
            assertThat(eventually(WAIT, () -> service.replicas().size() == 2
                    && service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            assertThat(built).extracting(i -> i.number).containsExactlyInAnyOrder(1, 3);
            assertThat(events(recorder, ServiceEvent.Type.REPLICA_REPLACED)).singleElement()
                    .satisfies(e -> assertThat(e.detail()).matches(java.util.regex.Pattern.quote(service.id())
                            + "-r[12] -> " + java.util.regex.Pattern.quote(service.id()) + "-r3 .*FAILED.*cannot connect.*"));
        }
        assertThat(built).allSatisfy(i -> assertThat(i.closes).hasValue(1));
    }

    @Test
    void the_budget_window_is_read_on_the_engine_ticker() throws Exception {
        Factory factory = new Factory();
        FakeTicker ticker = new FakeTicker();
        try (FlowEngine engine = FlowEngine.create(config(ticker));
             EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Instance> service = engine.serviceTask(definition("windowed", factory,
                    ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.onFailure(1, Duration.ofMinutes(1),
                            Duration.ZERO))).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            {
                killIntoFailed(factory, service.replicas().get(0));
                assertThat(eventually(WAIT, () -> events(recorder, ServiceEvent.Type.REPLICA_REPLACED).size() == 1
                        && service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
                // a second failure within the minute: the budget of 1 is spent
                ticker.advance(Duration.ofSeconds(59));
                ServiceFuture<Instance> second = service.replicas().get(0);
                killIntoFailed(factory, second);
                assertThat(eventually(WAIT, () -> events(recorder, ServiceEvent.Type.REPLICA_NOT_REPLACED).size() == 1))
                        .isTrue();
                // a failure once the window has passed is replaced again
                assertThat(service.restart().get(30, TimeUnit.SECONDS)).isPositive();
                ticker.advance(Duration.ofSeconds(61));
                ServiceFuture<Instance> third = service.replicas().get(1);
                killIntoFailed(factory, third);
                assertThat(eventually(WAIT, () -> events(recorder, ServiceEvent.Type.REPLICA_REPLACED).stream()
                        .anyMatch(e -> e.detail().startsWith(third.id() + " -> ")))).isTrue();
                assertThat(events(recorder, ServiceEvent.Type.REPLICA_NOT_REPLACED)).hasSize(1);
            }
        }
        assertThat(factory.built).allSatisfy(i -> assertThat(i.closes).as("instance %d", i.number).hasValue(1));
    }

    @RepeatedTest(3)
    void close_during_a_replacement_stops_everything_within_its_deadline() throws Exception {
        Factory factory = new Factory();
        CountDownLatch hanging = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        AtomicBoolean hang = new AtomicBoolean();
        java.util.Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        FlowEngine engine = FlowEngine.create(config(new FakeTicker()));
        ServiceFuture<Instance> service = engine.serviceTask(ServiceDefinition.builder("closing", (String v) -> {
                    if (hang.get() && factory.refusals.get() == 0) { // the victim's own restart is refused first
                        hang.set(false);
                        hanging.countDown();
                        try {
                            Fakes.hang(); // never ends by itself
                        } catch (InterruptedException e) {
                            interrupted.incrementAndGet();
                            throw e;
                        }
                    }
                    return factory.start(v);
                })
                .health(HealthConfig.<Instance>builder(Instance::ping).interval(Duration.ofMillis(20))
                        .timeout(Duration.ofSeconds(1)).failureThreshold(1).build())
                .restartPolicy(RestartPolicy.onFailure(1, Duration.ofMinutes(1), Duration.ZERO))
                .replicas(ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.onFailure(3, Duration.ofMinutes(1),
                        Duration.ZERO))).build()).start("v1");
        assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
        ServiceFuture<Instance> victim = service.replicas().get(0);
        killIntoFailed(factory, victim);
        hang.set(true); // then the replacement's cold start hangs
        assertThat(hanging.await(10, TimeUnit.SECONDS)).as("the replacement's cold start began").isTrue();
        assertThat(victim.state()).isEqualTo(ServiceState.FAILED);

        long began = System.nanoTime();
        engine.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(2_000 + 1_000 + 2_000);
        assertThat(service.state()).isIn(ServiceState.TERMINATED, ServiceState.FAILED);
        assertThat(eventually(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).filter(t -> t.getName().startsWith("flowgentic4j-"))
                .allMatch(threadsBefore::contains))).as("engine threads after close").isTrue();
        assertThat(engine.services()).allSatisfy(s -> assertThat(s.state().isTerminal()).isTrue());
        assertThat(eventually(WAIT, () -> interrupted.get() == 1)).isTrue();
        assertThat(factory.built).hasSize(2).allSatisfy(i -> assertThat(i.closes).hasValue(1));
    }
}
