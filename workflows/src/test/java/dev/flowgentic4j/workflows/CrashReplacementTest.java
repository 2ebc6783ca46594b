package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash replacement (issue 19, second point): when an instance dies under load (its connections
 * killed from outside, here by a real TCP backend on 127.0.0.1), only the calls in flight on it fail,
 * with {@link InstanceDiedException}, or none if the calls are idempotent (retried once on the next
 * generation); calls arriving while the next generation cold-starts wait for it; the next one is
 * cold-started at once, without a health check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashReplacementTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration COLD_START = Duration.ofMillis(300);
    private static final int THREADS = 16;
    private static final RestartPolicy RESTARTS = RestartPolicy.onFailure(10, Duration.ofMinutes(1), Duration.ZERO);

    private LoopbackBackend backend;

    @BeforeEach
    void openBackend() throws IOException {
        backend = new LoopbackBackend();
    }

    @AfterEach
    void closeBackend() throws IOException {
        backend.close();
    }

    private static FlowEngine engine() {
        return FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).stopTimeout(Duration.ofSeconds(4))
                .backendShutdownTimeout(Duration.ofSeconds(2)).build());
    }

    /** A service of links to the backend, each cold start taking {@link #COLD_START}; every link built is kept. */
    private ServiceDefinition.Builder<Void, LoopbackBackend.Link> links(String name, List<LoopbackBackend.Link> built) {
        return ServiceDefinition.<LoopbackBackend.Link>builder(name, () -> {
            Thread.sleep(COLD_START.toMillis());
            LoopbackBackend.Link link = backend.open(THREADS);
            built.add(link);
            return link;
        }).diesWhen(LoopbackBackend.Link::died).deadOn(e -> e instanceof IOException).restartPolicy(RESTARTS);
    }

    /** Kills the live link and waits until the next generation serves. */
    private void crash(ServiceFuture<LoopbackBackend.Link> service, List<LoopbackBackend.Link> built, int generation)
            throws Exception {
        LoopbackBackend.Link live = built.get(generation - 1);
        assertThat(service.generation()).isEqualTo(generation);
        backend.kill(live);
        assertThat(Fakes.eventually(WAIT, () -> service.generation() == generation + 1 && !service.isRestarting()))
                .as("generation %d replaced", generation).isTrue();
        assertThat(Fakes.eventually(WAIT, () -> live.closes.get() == 1)).as("the dead link closed").isTrue();
    }

    /**
     * A ping that records, per calling thread, the generation that last served it: a crash of a
     * generation that every caller has been served by is one no call of an earlier crash is still on.
     */
    private static ServiceCall<LoopbackBackend.Link, String> recordingPing(List<LoopbackBackend.Link> built,
                                                                          Map<Thread, Integer> lastServed) {
        return link -> {
            String answer = link.ping();
            lastServed.put(Thread.currentThread(), built.indexOf(link) + 1);
            return answer;
        };
    }

    /** Waits until every caller was last served by {@code generation}. */
    private static void awaitEveryCallerOn(Map<Thread, Integer> lastServed, int generation)
            throws InterruptedException {
        assertThat(Fakes.eventually(WAIT, () -> lastServed.size() == THREADS
                && lastServed.values().stream().allMatch(g -> g == generation)))
                .as("every caller served by generation %d: %s", generation, lastServed.values()).isTrue();
    }

    private static void awaitMoreCalls(Callers callers, long more) throws InterruptedException {
        long seen = callers.ok();
        assertThat(Fakes.eventually(WAIT, () -> callers.ok() >= seen + more)).isTrue();
    }

    @RepeatedTest(5)
    void three_crashes_under_load_fail_only_the_calls_in_flight_and_every_later_call_succeeds() throws Exception {
        try (FlowEngine engine = engine(); EventRecorder recorder = engine.telemetry().record()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(links("crashing", built).build()).start(null);
            service.join();
            Map<Thread, Integer> lastServed = new ConcurrentHashMap<>();
            Callers callers = Callers.start(THREADS, service, WAIT, recordingPing(built, lastServed));
            try {
                for (int g = 1; g <= 3; g++) {
                    awaitMoreCalls(callers, 500);
                    awaitEveryCallerOn(lastServed, g);
                    crash(service, built, g);
                }
                awaitMoreCalls(callers, 2000); // every later call succeeds: checked on the failures below
            } finally {
                callers.stop(WAIT);
            }

            List<Throwable> failures = new ArrayList<>(callers.failures());
            assertThat(failures).allSatisfy(f -> assertThat(f).isInstanceOf(InstanceDiedException.class)
                    .hasMessageContaining("'crashing#")
                    .hasMessageContaining("not declared idempotent")
                    .hasMessageContaining("ServiceCall.idempotent"));
            Map<Integer, Integer> byGeneration = new ConcurrentHashMap<>();
            failures.forEach(f -> byGeneration.merge(((InstanceDiedException) f).generation(), 1, Integer::sum));
            assertThat(byGeneration.keySet()).as("only the crashed generations").isSubsetOf(1, 2, 3);
            for (Map.Entry<Integer, Integer> e : byGeneration.entrySet()) {
                LoopbackBackend.Link dead = built.get(e.getKey() - 1);
                assertThat(e.getValue()).as("failures of generation %d: at most one in flight per caller, and only"
                        + " calls that were on the dead link", e.getKey())
                        .isLessThanOrEqualTo(THREADS).isLessThanOrEqualTo(dead.failedInside.get());
                assertThat(failures.stream().filter(f -> ((InstanceDiedException) f).generation() == e.getKey())
                        .findFirst().orElseThrow()).hasMessageContaining("generation " + e.getKey() + ") died");
            }
            assertThat(service.failedCallCount()).isEqualTo(failures.size());
            assertThat(service.refusedCallCount()).as("no call failed waiting for a cold start").isZero();
            assertThat(service.callCount()).isEqualTo(callers.ok() + failures.size());
            assertThat(service.retriedCallCount()).isZero();
            assertThat(service.generation()).isEqualTo(4);
            assertThat(built).hasSize(4);
            // a dead instance is stopped on the backend beside the next cold start: wait for the last one
            assertThat(Fakes.eventually(WAIT, () -> built.subList(0, 3).stream().allMatch(l -> l.closes.get() >= 1)))
                    .isTrue();
            assertThat(built.subList(0, 3)).allSatisfy(l -> assertThat(l.closes.get()).isEqualTo(1));
            assertThat(recorder.events()).filteredOn(e -> e instanceof ServiceEvent s
                    && s.type() == ServiceEvent.Type.INSTANCE_DIED).hasSize(3)
                    .allSatisfy(e -> assertThat(((ServiceEvent) e).detail()).isNotBlank().hasSizeLessThanOrEqualTo(200));
        }
    }

    @RepeatedTest(5)
    void with_idempotent_calls_three_crashes_fail_no_call_and_the_retries_are_counted() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(links("idempotent", built)
                    .idempotentCalls().build()).start(null);
            service.join();
            Map<Thread, Integer> lastServed = new ConcurrentHashMap<>();
            Callers callers = Callers.start(THREADS, service, WAIT, recordingPing(built, lastServed));
            try {
                for (int g = 1; g <= 3; g++) {
                    awaitMoreCalls(callers, 500);
                    awaitEveryCallerOn(lastServed, g);
                    crash(service, built, g);
                }
                awaitMoreCalls(callers, 2000);
            } finally {
                callers.stop(WAIT);
            }
            assertThat(callers.failures()).as("no call failed").isEmpty();
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.callCount()).as("a retried call counted once").isEqualTo(callers.ok());
            int failedOnDeadLinks = built.subList(0, 3).stream().mapToInt(l -> l.failedInside.get()).sum();
            assertThat(service.retriedCallCount()).isPositive().isLessThanOrEqualTo(failedOnDeadLinks)
                    .isLessThanOrEqualTo(3L * THREADS);
            assertThat(service.generation()).isEqualTo(4);
        }
    }

    @Test
    void a_single_call_marked_idempotent_is_retried_once_on_the_next_generation_and_others_are_not() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(links("marked", built).build()).start(null);
            service.join();
            AtomicInteger attempts = new AtomicInteger();
            List<Integer> servedBy = new CopyOnWriteArrayList<>();
            // its first attempt stays in flight on generation 1 (never answered) until the link dies
            ServiceCall<LoopbackBackend.Link, String> holdOnce = ServiceCall.idempotent(link -> {
                servedBy.add(built.indexOf(link) + 1);
                return link.request(attempts.incrementAndGet() == 1 ? "hold" : "ping");
            });
            CompletableFuture<String> retried = CompletableFuture.supplyAsync(() -> service.callAsync(WAIT, holdOnce).join());
            CompletableFuture<String> plain = CompletableFuture.supplyAsync(() -> service.call(WAIT, link -> link.request("hold")));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).inside.get() == 2)).isTrue();

            backend.kill(built.get(0));

            assertThat(retried.get(10, TimeUnit.SECONDS)).as("through callAsync").isEqualTo("pong");
            assertThat(servedBy).containsExactly(1, 2);
            assertThatThrownBy(() -> plain.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InstanceDiedException.class)
                    .hasMessageContaining("service 'marked#1'")
                    .hasMessageContaining("generation 1) died")
                    .hasMessageContaining("not declared idempotent")
                    .satisfies(e -> assertThat(((InstanceDiedException) e).generation()).isEqualTo(1))
                    .satisfies(e -> assertThat(e.getCause()).isInstanceOf(IOException.class))
                    .isInstanceOf(ServiceCallException.class);
            assertThat(service.retriedCallCount()).isEqualTo(1);
            assertThat(service.callCount()).isEqualTo(2);
            assertThat(service.failedCallCount()).isEqualTo(1);
            assertThat(service.generation()).isEqualTo(2);
        }
    }

    @Test
    void a_retried_call_whose_next_generation_dies_too_is_not_retried_again() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(links("twice", built)
                    .idempotentCalls().build()).start(null);
            service.join();
            CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> service.call(WAIT,
                    link -> link.request("hold")));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).inside.get() == 1)).isTrue();
            backend.kill(built.get(0));
            assertThat(Fakes.eventually(WAIT, () -> built.size() == 2 && built.get(1).inside.get() == 1)).isTrue();
            backend.kill(built.get(1));

            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(InstanceDiedException.class)
                    .hasMessageContaining("generation 2) died")
                    .hasMessageContaining("already retried once (after generation 1 died)");
            assertThat(service.retriedCallCount()).isEqualTo(1);
            assertThat(service.callCount()).isEqualTo(1);
            assertThat(service.failedCallCount()).isEqualTo(1);
        }
    }

    @Test
    void a_call_with_a_timeout_shorter_than_the_cold_start_fails_naming_the_timeout_and_the_death() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            CountDownLatch nextMayStart = new CountDownLatch(1);
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("slow-restart", () -> {
                        if (!built.isEmpty()) {
                            nextMayStart.await();
                        }
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).deadOn(e -> e instanceof IOException)
                    .restartPolicy(RESTARTS).build()).start(null);
            service.join();
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> service.call(
                    Duration.ofMillis(200), ServiceCall.idempotent(link -> link.request("hold"))));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).inside.get() == 1)).isTrue();
            backend.kill(built.get(0));
            assertThat(Fakes.eventually(WAIT, service::isRestarting)).isTrue();

            assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(InstanceDiedException.class)
                    .hasMessageContaining("generation 1) died")
                    .hasMessageContaining("idempotent, but it could not be retried")
                    .hasMessageContaining("PT0.2S");
            assertThatThrownBy(() -> service.call(Duration.ofMillis(200), LoopbackBackend.Link::ping))
                    .isInstanceOf(ServiceUnavailableException.class)
                    .hasMessageContaining("PT0.2S")
                    .hasMessageContaining("generation 1 died")
                    .hasMessageContaining("still cold-starting");
            CompletableFuture<String> patient = CompletableFuture.supplyAsync(() -> service.call(WAIT,
                    LoopbackBackend.Link::ping));
            nextMayStart.countDown();
            assertThat(patient.get(10, TimeUnit.SECONDS)).as("a call with time to wait gets the next one")
                    .isEqualTo("pong");
            assertThat(service.generation()).isEqualTo(2);
            assertThat(service.callCount()).isEqualTo(3);
            assertThat(service.failedCallCount()).isEqualTo(2);
            assertThat(service.retriedCallCount()).isEqualTo(1);
        }
    }

    @Test
    void without_a_restart_policy_a_death_fails_the_service_at_once_with_a_clear_message() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("fail-fast", () -> {
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).build()).start(null);
            service.join();
            backend.kill(built.get(0));

            assertThat(Fakes.eventually(WAIT, () -> service.state() == ServiceState.FAILED)).isTrue();
            assertThat(service.failureCause()).get().asString()
                    .contains("'fail-fast#1'", "generation 1 died", "RestartPolicy.never()", "control connection");
            assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThatThrownBy(() -> service.call(Duration.ofMinutes(5), LoopbackBackend.Link::ping))
                            .as("fails at once, not after the call's timeout")
                            .isInstanceOf(ServiceUnavailableException.class)
                            .hasMessageContaining("FAILED")
                            .hasMessageContaining("generation 1 died"));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1)).as("the dead link closed").isTrue();
            assertThat(built).hasSize(1);
        }
    }

    @Test
    void a_death_signal_that_throws_or_is_null_fails_the_start_and_closes_the_instance() {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> throwing = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("no-signal", () -> {
                        LoopbackBackend.Link link = backend.open(1);
                        built.add(link);
                        return link;
                    }).diesWhen(link -> {
                        throw new IllegalStateException("cannot watch this link");
                    }).build()).start(null);
            assertThatThrownBy(throwing::join).isInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("failed to start")
                    .hasMessageContaining("death signal (diesWhen)")
                    .hasMessageContaining("cannot watch this link");
            ServiceFuture<LoopbackBackend.Link> nulls = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("null-signal", () -> {
                        LoopbackBackend.Link link = backend.open(1);
                        built.add(link);
                        return link;
                    }).diesWhen(link -> null).build()).start(null);
            assertThatThrownBy(nulls::join).isInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("death signal (diesWhen)").hasMessageContaining("returned null");
            assertThat(built).hasSize(2).allSatisfy(l -> assertThat(l.closes.get()).isEqualTo(1));
        }
    }

    @RepeatedTest(5)
    void a_death_signal_after_our_own_replacement_or_stop_is_ignored() throws Exception {
        try (FlowEngine engine = engine(); EventRecorder recorder = engine.telemetry().record()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            List<Integer> died = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("ours", () -> {
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).build()).start(null); // never(): a death would FAIL it
            service.addListener(new ServiceListener() {
                @Override
                public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
                    died.add(generation);
                }
            }, Runnable::run);
            service.join();
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1)).isTrue();
            assertThat(built.get(0).died()).isDone(); // its signal completed: by our own close

            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(service.generation()).isEqualTo(2);
            assertThat(service.call(WAIT, LoopbackBackend.Link::ping)).isEqualTo("pong");

            service.cancel(true);
            assertThat(built.get(1).died()).isDone();
            assertThat(service.state()).isEqualTo(ServiceState.TERMINATED);

            // a single-instance replacement stops the live instance first: its signal is ours too
            ServiceFuture<LoopbackBackend.Link> exclusive = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("ours-exclusive", () -> {
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).singleInstance().build()).start(null);
            exclusive.addListener(new ServiceListener() {
                @Override
                public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
                    died.add(generation);
                }
            }, Runnable::run);
            exclusive.join();
            assertThat(exclusive.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(built.get(2).died()).isDone();
            assertThat(exclusive.call(WAIT, LoopbackBackend.Link::ping)).isEqualTo("pong");
            assertThat(exclusive.state()).isEqualTo(ServiceState.RUNNING);
            exclusive.cancel(true);
            assertThat(died).isEmpty();
            assertThat(recorder.events()).noneMatch(e -> e instanceof ServiceEvent s
                    && s.type() == ServiceEvent.Type.INSTANCE_DIED);
            assertThat(built).hasSize(4).allSatisfy(l -> assertThat(l.closes.get()).isEqualTo(1));
        }
    }

    @RepeatedTest(5)
    void a_death_during_a_blue_green_replacement_lets_the_replacement_bring_the_next_generation() throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            CountDownLatch nextEntered = new CountDownLatch(1);
            CountDownLatch nextMayStart = new CountDownLatch(1);
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("replacing", () -> {
                        if (!built.isEmpty()) {
                            nextEntered.countDown();
                            nextMayStart.await();
                        }
                        LoopbackBackend.Link link = backend.open(THREADS);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).deadOn(e -> e instanceof IOException).build()).start(null);
            service.join();
            Callers callers = Callers.start(THREADS, service, WAIT, LoopbackBackend.Link::ping);
            CompletableFuture<Integer> replaced;
            try {
                awaitMoreCalls(callers, 500);
                replaced = service.restart();
                assertThat(nextEntered.await(10, TimeUnit.SECONDS)).isTrue();
                backend.kill(built.get(0)); // the live generation dies while the next one starts beside it
                assertThat(Fakes.eventually(WAIT, service::isRestarting)).isTrue();
                assertThat(service.state()).as("never(), but the replacement brings the next generation")
                        .isEqualTo(ServiceState.RUNNING);
                nextMayStart.countDown();
                assertThat(replaced.get(10, TimeUnit.SECONDS)).isEqualTo(2);
                awaitMoreCalls(callers, 1000);
            } finally {
                callers.stop(WAIT);
            }
            assertThat(callers.failures()).allSatisfy(f -> assertThat(f).isInstanceOf(InstanceDiedException.class)
                    .hasMessageContaining("generation 1) died"));
            assertThat(callers.failures()).hasSizeLessThanOrEqualTo(THREADS);
            assertThat(service.refusedCallCount()).isZero();
            assertThat(built).as("no second cold start").hasSize(2);
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1)).isTrue();
            assertThat(service.generation()).isEqualTo(2);
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
        }
    }

    @RepeatedTest(5)
    void a_death_during_close_under_load_leaves_nothing_behind() throws Exception {
        List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
        FlowEngine engine = engine();
        Callers callers = null;
        try {
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(links("closing", built).build()).start(null);
            service.join();
            callers = Callers.start(THREADS, service, WAIT, LoopbackBackend.Link::ping);
            awaitMoreCalls(callers, 300);
            backend.kill(built.get(0));
        } finally {
            // the callers end with their current call: later ones would only be refused by the stopped service
            if (callers != null) {
                callers.signalStop();
            }
            assertTimeoutPreemptively(Duration.ofSeconds(15), engine::close, "close returns within its deadline");
        }
        callers.stop(WAIT);
        // the kill and the close race: a death heard before the close fails its calls as died; once the stop
        // has begun, the death is ignored (we are ending that instance ourselves) and a call on the reset
        // connection fails with what it threw; later calls are refused by the stopped service
        assertThat(callers.failures()).allSatisfy(f -> {
            if (!(f instanceof InstanceDiedException || f instanceof ServiceUnavailableException)) {
                assertThat(f).isInstanceOf(ServiceCallException.class).hasRootCauseInstanceOf(IOException.class);
            }
        });
        assertThat(Fakes.eventually(WAIT, () -> Fakes.ourThreads().isEmpty()))
                .as("threads still alive: %s", Fakes.ourThreads()).isTrue();
        assertThat(built).allSatisfy(l -> assertThat(l.closes.get()).as(l.name).isEqualTo(1));
    }

    @RepeatedTest(5)
    void a_generation_that_dies_while_its_calls_drain_is_stopped_at_once_and_its_idempotent_calls_move_on()
            throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                .stopTimeout(Duration.ofSeconds(30)).backendShutdownTimeout(Duration.ofSeconds(2)).build())) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            List<Integer> died = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("draining", () -> {
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).deadOn(e -> e instanceof IOException).build()).start(null);
            service.addListener(new ServiceListener() {
                @Override
                public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
                    died.add(generation);
                }
            }, Runnable::run);
            service.join();
            AtomicInteger attempts = new AtomicInteger();
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> service.call(WAIT,
                    ServiceCall.idempotent(link -> link.request(attempts.incrementAndGet() == 1 ? "hold" : "ping"))));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).inside.get() == 1)).isTrue();
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(built.get(0).closes.get()).as("draining: its call is still on it").isZero();

            backend.kill(built.get(0)); // dies while it drains (its drain deadline is 15 s away)

            assertThat(held.get(10, TimeUnit.SECONDS)).as("retried on the live generation").isEqualTo("pong");
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).closes.get() == 1))
                    .as("stopped at once, not at the drain deadline").isTrue();
            assertThat(Fakes.eventually(WAIT, () -> died.equals(List.of(1)))).as("heard: %s", died).isTrue();
            assertThat(service.retriedCallCount()).isEqualTo(1);
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.generation()).as("no restart: generation 2 serves").isEqualTo(2);
            assertThat(service.isRestarting()).isFalse();
            assertThat(built).hasSize(2);
        }
    }

    @RepeatedTest(5)
    void a_single_instance_service_stops_its_dead_instance_before_the_next_cold_start() throws Exception {
        try (FlowEngine engine = engine()) {
            List<String> order = new CopyOnWriteArrayList<>();
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("exclusive", () -> {
                        order.add("start " + (built.size() + 1));
                        LoopbackBackend.Link link = backend.open(2);
                        built.add(link);
                        return link;
                    }).stop(link -> {
                        order.add("stop " + (built.indexOf(link) + 1));
                        link.close();
                    }).diesWhen(LoopbackBackend.Link::died).restartPolicy(RESTARTS).singleInstance().build())
                    .start(null);
            service.join();
            backend.kill(built.get(0));
            assertThat(Fakes.eventually(WAIT, () -> service.isRestarting() || service.generation() == 2)).isTrue();
            assertThat(service.call(WAIT, LoopbackBackend.Link::ping)).as("waits for the next generation")
                    .isEqualTo("pong");
            assertThat(service.generation()).isEqualTo(2);
            assertThat(order).containsExactly("start 1", "stop 1", "start 2");
        }
    }

    @RepeatedTest(5)
    void a_replicated_service_sends_calls_to_a_live_replica_and_retries_there_while_a_dead_one_restarts()
            throws Exception {
        try (FlowEngine engine = engine()) {
            List<LoopbackBackend.Link> built = new CopyOnWriteArrayList<>();
            CountDownLatch restartMayFinish = new CountDownLatch(1);
            ServiceFuture<LoopbackBackend.Link> service = engine.serviceTask(ServiceDefinition
                    .<LoopbackBackend.Link>builder("replicated", () -> {
                        if (built.size() >= 2) {
                            restartMayFinish.await(); // the dead replica's next generation waits
                        }
                        LoopbackBackend.Link link = backend.open(4);
                        built.add(link);
                        return link;
                    }).diesWhen(LoopbackBackend.Link::died).deadOn(e -> e instanceof IOException).restartPolicy(RESTARTS)
                    .replicas(2).build()).start(null);
            service.join();
            assertThat(Fakes.eventually(WAIT, () -> built.size() == 2)).isTrue();
            assertThat(Fakes.eventually(WAIT, () -> service.replicas().stream().allMatch(r -> r.generation() == 1)))
                    .isTrue();
            // an idempotent call in flight on each replica: whichever dies, its call is retried on the other
            AtomicInteger holds = new AtomicInteger();
            List<LoopbackBackend.Link> servedBy = new CopyOnWriteArrayList<>();
            AtomicReference<LoopbackBackend.Link> firstOn = new AtomicReference<>();
            AtomicReference<LoopbackBackend.Link> secondOn = new AtomicReference<>();
            // each call notes the replica its first attempt ran on (the two start concurrently, in either order)
            java.util.function.Function<AtomicReference<LoopbackBackend.Link>, ServiceCall<LoopbackBackend.Link, String>>
                    holdOnce = firstAttempt -> ServiceCall.idempotent(link -> {
                        firstAttempt.compareAndSet(null, link);
                        servedBy.add(link);
                        return link.request(holds.incrementAndGet() <= 2 ? "hold" : "ping");
                    });
            CompletableFuture<String> first = CompletableFuture.supplyAsync(
                    () -> service.callAsync(WAIT, holdOnce.apply(firstOn)).join());
            CompletableFuture<String> second = CompletableFuture.supplyAsync(
                    () -> service.call(WAIT, holdOnce.apply(secondOn)));
            assertThat(Fakes.eventually(WAIT, () -> built.get(0).inside.get() == 1 && built.get(1).inside.get() == 1))
                    .isTrue();
            LoopbackBackend.Link dead = built.get(0);
            LoopbackBackend.Link alive = built.get(1);
            backend.kill(dead);

            CompletableFuture<String> retried = firstOn.get() == dead ? first : second;
            assertThat(secondOn.get()).as("the two calls held on different replicas").isNotSameAs(firstOn.get());
            assertThat(retried.get(10, TimeUnit.SECONDS)).as("retried on the live replica").isEqualTo("pong");
            assertThat(servedBy).hasSize(3).last().isSameAs(alive);
            // while the dead replica's next generation is held, calls go to the live one and none waits
            for (int i = 0; i < 50; i++) {
                assertThat(service.call(Duration.ofSeconds(2), LoopbackBackend.Link::ping)).isEqualTo("pong");
            }
            // the dead instance is stopped beside its next cold start (still held here), on the backend
            assertThat(Fakes.eventually(WAIT, () -> dead.closes.get() == 1)).as("dead replica closed").isTrue();
            restartMayFinish.countDown();
            assertThat(Fakes.eventually(WAIT, () -> built.size() == 3)).isTrue();
            assertThat(service.failedCallCount()).isZero();
            backend.kill(alive); // ends the other held call: not idempotent... it is, and the restarted replica serves it
            assertThat((firstOn.get() == dead ? second : first).get(10, TimeUnit.SECONDS)).isEqualTo("pong");
        }
    }
}
