package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blue/green replacement (issue 19, first point): {@code restart()} and {@code update(newArgs)}
 * cold-start the next generation beside the live one, switch new calls to it at once, drain the
 * replaced one and only then stop it. No call fails, no call waits for a cold start.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlueGreenTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration BOUND = Duration.ofSeconds(30);

    /** An instance that knows the calls inside it and says if it was closed with one still inside. */
    static final class Tracked implements AutoCloseable {
        final String version;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger closedWithCallsInside = new AtomicInteger();
        volatile boolean closed;

        Tracked(String version) {
            this.version = version;
        }

        String serve() {
            inside.incrementAndGet();
            try {
                if (closed) {
                    throw new IllegalStateException("instance " + version + " is closed");
                }
                Thread.onSpinWait();
                served.incrementAndGet();
                return version;
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void close() {
            closed = true;
            closes.incrementAndGet();
            if (inside.get() != 0) {
                closedWithCallsInside.incrementAndGet();
            }
        }
    }

    private static FlowEngine engine() {
        return FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).stopTimeout(Duration.ofSeconds(4))
                .backendShutdownTimeout(Duration.ofSeconds(2)).build());
    }

    @RepeatedTest(5)
    void restarts_and_updates_under_load_fail_no_call_and_stop_each_old_generation_after_its_last_call()
            throws Exception {
        try (FlowEngine engine = engine()) {
            List<Tracked> built = new CopyOnWriteArrayList<>();
            AtomicReferenceGate gate = new AtomicReferenceGate();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("bluegreen",
                    version -> {
                        gate.passIfHeld(); // a cold start the test holds while it counts the calls served meanwhile
                        Tracked t = new Tracked(version);
                        built.add(t);
                        return t;
                    }).build()).start("v1");
            service.join();
            Callers callers = Callers.start(8, service, WAIT, Tracked::serve);
            try {
                // while the next generation's cold start is held, the live one keeps serving
                gate.hold();
                CompletableFuture<Integer> first = service.restart();
                assertThat(gate.awaitEntered()).isTrue();
                long before = callers.ok();
                Tracked live = built.get(0);
                assertThat(Fakes.eventually(WAIT, () -> callers.ok() > before + 1000)).isTrue();
                assertThat(first).isNotDone();
                assertThat(service.generation()).isEqualTo(1);
                assertThat(service.isRestarting()).isFalse();
                gate.release();
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(2);
                assertThat(Fakes.eventually(WAIT, () -> live.closes.get() == 1)).isTrue();

                for (int i = 0; i < 4; i++) {
                    long seen = callers.ok();
                    assertThat(Fakes.eventually(WAIT, () -> callers.ok() > seen + 100)).isTrue();
                    service.restart().get(10, TimeUnit.SECONDS);
                }
                for (int i = 2; i <= 3; i++) {
                    long seen = callers.ok();
                    assertThat(Fakes.eventually(WAIT, () -> callers.ok() > seen + 100)).isTrue();
                    service.update("v" + i).get(10, TimeUnit.SECONDS);
                }
                service.restart().get(10, TimeUnit.SECONDS); // keeps the updated arguments
                long seen = callers.ok();
                assertThat(Fakes.eventually(WAIT, () -> callers.ok() > seen + 100)).isTrue();
            } finally {
                callers.stop(Duration.ofSeconds(10));
            }

            assertThat(callers.failures()).as("no call failed").isEmpty();
            assertThat(service.generation()).isEqualTo(9);
            assertThat(built).hasSize(9);
            assertThat(built).extracting(t -> t.version)
                    .containsExactly("v1", "v1", "v1", "v1", "v1", "v1", "v2", "v3", "v3");
            assertThat(service.join()).isSameAs(built.get(8));
            List<Tracked> replaced = built.subList(0, 8);
            assertThat(Fakes.eventually(WAIT, () -> replaced.stream().allMatch(t -> t.closes.get() == 1))).isTrue();
            assertThat(replaced).allSatisfy(t -> assertThat(t.closedWithCallsInside.get())
                    .as("closed only after its last call returned").isZero());
            assertThat(built.stream().mapToLong(t -> t.served.get()).sum()).isEqualTo(callers.ok());
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
        }
    }

    @Test
    void a_next_generation_that_fails_to_start_leaves_the_live_one_serving() throws Exception {
        try (FlowEngine engine = engine()) {
            AtomicBoolean failNext = new AtomicBoolean();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("stays",
                    version -> {
                        if (failNext.get()) {
                            throw new IllegalStateException("model v2 is corrupt");
                        }
                        return new Tracked(version);
                    }).build()).start("v1");
            Tracked live = service.join();
            failNext.set(true);

            assertThatThrownBy(() -> service.update("v2").get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("could not start its next generation")
                    .hasRootCauseMessage("model v2 is corrupt");
            assertThat(service.generation()).isEqualTo(1);
            assertThat(service.call(WAIT, Tracked::serve)).isEqualTo("v1");
            assertThat(live.closes.get()).isZero();
            failNext.set(false);
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.call(WAIT, Tracked::serve)).as("the failed update's arguments were not kept")
                    .isEqualTo("v1");
        }
    }

    @Test
    void a_restart_needs_a_live_instance_and_a_second_restart_joins_the_first() throws Exception {
        try (FlowEngine engine = engine()) {
            AtomicReferenceGate gate = new AtomicReferenceGate();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("one-at-a-time",
                    version -> {
                        gate.passIfHeld();
                        return new Tracked(version);
                    }).build()).start("v1");
            service.join();
            gate.hold();
            CompletableFuture<Integer> first = service.restart();
            assertThat(gate.awaitEntered()).isTrue();
            CompletableFuture<Integer> second = service.restart();
            assertThatThrownBy(() -> service.update("v2").join()).hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another replacement is under way");
            gate.release();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(2);

            service.cancel(true);
            assertThatThrownBy(() -> service.restart().join()).hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TERMINATED");
        }
    }

    @RepeatedTest(3)
    void a_drain_past_its_deadline_stops_the_old_generation_anyway_and_its_calls_fail_naming_the_deadline()
            throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofMillis(400)).build())) {
            List<Tracked> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("drain",
                    version -> {
                        Tracked t = new Tracked(version);
                        built.add(t);
                        return t;
                    }).build()).start("v1");
            service.join();
            CountDownLatch inside = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            // two calls held on generation 1 past its drain deadline: one returns a value afterwards, one
            // throws because its instance was closed under it
            CompletableFuture<String> returns = CompletableFuture.supplyAsync(() -> service.call(WAIT, t -> {
                inside.countDown();
                release.await(10, TimeUnit.SECONDS);
                return t.version;
            }));
            CompletableFuture<String> throwsAfter = CompletableFuture.supplyAsync(() -> service.call(WAIT, t -> {
                inside.countDown();
                release.await(10, TimeUnit.SECONDS);
                return t.serve(); // the instance is closed by now: it throws
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.call(WAIT, Tracked::serve)).isEqualTo("v1"); // the next generation serves at once
            // the drain deadline (half the stop timeout) passed: the old generation is stopped anyway
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1)).isTrue();
            assertThat(built.get(0).closedWithCallsInside.get()).isZero(); // the held calls are outside serve()
            assertThat(returns).isNotDone();
            assertThat(throwsAfter).isNotDone();
            release.countDown();

            assertThatThrownBy(() -> returns.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(CallAbandonedException.class)
                    .hasMessageContaining("call to service '" + service.id() + "' was still on a replaced generation")
                    .hasMessageContaining("stopped at its drain deadline of PT0.2S")
                    .hasNoCause();
            assertThatThrownBy(() -> throwsAfter.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(CallAbandonedException.class)
                    .hasMessageContaining("drain deadline of PT0.2S")
                    .hasMessageEndingWith("it threw IllegalStateException: instance v1 is closed")
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .satisfies(e -> assertThat(((CallAbandonedException) e).drainDeadline())
                            .isEqualTo(Duration.ofMillis(200)));
            assertThat(service.failedCallCount()).isEqualTo(2);
            assertThat(service.refusedCallCount()).isZero(); // they reached the instance: failed, not refused
            assertThat(service.call(WAIT, Tracked::serve)).isEqualTo("v1"); // generation 2 was never touched
            assertThat(built).hasSize(2);
            assertThat(built.get(1).closes.get()).isZero();
        }
    }

    @RepeatedTest(3)
    void calls_that_finish_within_the_drain_deadline_keep_their_outcome() throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofSeconds(4)).build())) {
            List<Tracked> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("drained",
                    version -> {
                        Tracked t = new Tracked(version);
                        built.add(t);
                        return t;
                    }).build()).start("v1");
            service.join();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> service.call(WAIT, t -> {
                inside.countDown();
                release.await(10, TimeUnit.SECONDS);
                return t.serve();
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(built.get(0).closes.get()).isZero(); // draining: the held call is still on it
            release.countDown();                             // well within the 2 s drain deadline
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1)).isTrue();
            assertThat(service.failedCallCount()).isZero();
        }
    }

    /** The engine's own threads alive now. */
    private static java.util.Set<Thread> engineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("flowgentic4j-")).collect(java.util.stream.Collectors.toSet());
    }

    /** Whether every engine thread alive now was alive in {@code before} too (waits for them to end). */
    private static boolean noNewEngineThreads(java.util.Set<Thread> before) throws InterruptedException {
        return Fakes.eventually(WAIT, () -> before.containsAll(engineThreads()));
    }

    /** Close's deadline for one service: its stop timeout (4 s), the backend's shutdown (2 s), a second's grace. */
    private static final long CLOSE_DEADLINE_MILLIS = 4_000 + 2_000 + 1_000;

    @RepeatedTest(20)
    void close_or_cancel_during_a_replacement_stops_both_generations_once() {
        assertTimeoutPreemptively(BOUND, () -> {
            java.util.Set<Thread> threadsBefore = engineThreads();
            FlowEngine engine = engine();
            List<Tracked> built = new CopyOnWriteArrayList<>();
            AtomicReferenceGate gate = new AtomicReferenceGate();
            ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder("closing",
                    version -> {
                        gate.passIgnoringInterrupts(); // the next generation arrives late, after the stop began
                        Tracked t = new Tracked(version);
                        built.add(t);
                        return t;
                    }).build()).start("v1");
            service.join();
            gate.hold();
            CompletableFuture<Integer> replacing = service.restart();
            assertThat(gate.awaitEntered()).isTrue();
            long began = System.nanoTime();
            CompletableFuture<Long> closed = CompletableFuture.runAsync(engine::close)
                    .thenApply(ignored -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            assertThat(Fakes.eventually(WAIT, () -> service.state().isTerminal()
                    || service.state() == ServiceState.STOPPING)).isTrue();
            gate.release();

            long tookMillis = closed.get(10, TimeUnit.SECONDS); // no ShutdownException
            assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(CLOSE_DEADLINE_MILLIS);
            assertThatThrownBy(replacing::join).isInstanceOf(CancellationException.class);
            assertThat(service.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(built).hasSize(2).allSatisfy(t -> assertThat(t.closes.get()).isEqualTo(1));
            assertThat(noNewEngineThreads(threadsBefore)).as("engine threads after close").isTrue();
            assertThatThrownBy(() -> service.call(WAIT, Tracked::serve)).isInstanceOf(ServiceUnavailableException.class);
        });
    }

    @RepeatedTest(5)
    void close_during_a_drain_stops_both_generations_once_within_the_deadline() {
        for (boolean releasedDuringClose : new boolean[] {true, false}) {
            assertTimeoutPreemptively(BOUND, () -> {
                java.util.Set<Thread> threadsBefore = engineThreads();
                FlowEngine engine = engine(); // stop timeout 4 s: a drain of up to 2 s
                List<Tracked> built = new CopyOnWriteArrayList<>();
                ServiceFuture<Tracked> service = engine.serviceTask(ServiceDefinition.<String, Tracked>builder(
                        "draining", version -> {
                            Tracked t = new Tracked(version);
                            built.add(t);
                            return t;
                        }).build()).start("v1");
                service.join();
                CountDownLatch inside = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> service.call(WAIT, t -> {
                    t.inside.incrementAndGet(); // a call inside the instance, as far as its close can tell
                    try {
                        inside.countDown();
                        release.await(20, TimeUnit.SECONDS);
                        return t.version;
                    } finally {
                        t.inside.decrementAndGet();
                    }
                }));
                assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
                assertThat(service.call(WAIT, Tracked::serve)).isEqualTo("v1");
                assertThat(built.get(0).closes.get()).as("generation 1 drains its held call").isZero();

                long began = System.nanoTime();
                CompletableFuture<Long> closed = CompletableFuture.runAsync(engine::close)
                        .thenApply(ignored -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                assertThat(Fakes.eventually(WAIT, () -> service.state() != ServiceState.RUNNING)).isTrue();
                if (releasedDuringClose) {
                    release.countDown(); // the drain ends with the call: generation 1 stops after it returned
                }
                long tookMillis = closed.get(10, TimeUnit.SECONDS); // no ShutdownException
                release.countDown();
                assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(CLOSE_DEADLINE_MILLIS);
                assertThat(service.state()).isEqualTo(ServiceState.TERMINATED);
                assertThat(built).hasSize(2).allSatisfy(t -> assertThat(t.closes.get()).isEqualTo(1));
                assertThat(built.get(1).closedWithCallsInside.get()).isZero();
                if (releasedDuringClose) {
                    assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
                    assertThat(built.get(0).closedWithCallsInside.get()).isZero();
                } else {
                    // the drain deadline (2 s) passed during the close: generation 1 was stopped anyway
                    assertThat(built.get(0).closedWithCallsInside.get()).isEqualTo(1);
                    assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).cause()
                            .isInstanceOf(CallAbandonedException.class)
                            .hasMessageContaining("drain deadline of PT2S");
                }
                assertThat(noNewEngineThreads(threadsBefore)).as("engine threads after close").isTrue();
            });
        }
    }

    /** Holds cold starts on demand: the first one that passes while held waits for {@link #release()}. */
    static final class AtomicReferenceGate {
        private volatile CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch released;

        void hold() {
            entered = new CountDownLatch(1);
            released = new CountDownLatch(1);
        }

        void release() {
            CountDownLatch r = released;
            if (r != null) {
                r.countDown();
            }
        }

        boolean awaitEntered() throws InterruptedException {
            return entered.await(10, TimeUnit.SECONDS);
        }

        void passIfHeld() throws InterruptedException {
            CountDownLatch r = released;
            if (r != null) {
                entered.countDown();
                r.await(10, TimeUnit.SECONDS);
                released = null;
            }
        }

        void passIgnoringInterrupts() {
            CountDownLatch r = released;
            if (r == null) {
                return;
            }
            entered.countDown();
            RaceFixtures.awaitIgnoringInterrupts(r, Duration.ofSeconds(10));
            released = null;
        }
    }
}
