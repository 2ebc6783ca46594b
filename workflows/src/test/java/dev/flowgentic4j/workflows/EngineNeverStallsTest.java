package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static dev.flowgentic4j.workflows.RaceFixtures.blocked;
import static dev.flowgentic4j.workflows.RaceFixtures.onNewThread;
import static dev.flowgentic4j.workflows.RaceFixtures.raceEngine;
import static dev.flowgentic4j.workflows.RaceFixtures.withinBound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.flowgentic4j.workflows.Fakes.Counter;
import dev.flowgentic4j.workflows.Fakes.Fragile;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallMetrics;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.FlowMetrics;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cases of issue 16 ("the engine never stalls"), numbered as in the issue: user code that is
 * slow, blocks or fails at the wrong moment delays only itself. Each failed on the engine before the
 * fix; the race-prone ones run repeatedly, each repetition bounded in time. Blocking fakes wait on
 * latches the test releases, each wait bounded, so that a failing case ends instead of hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineNeverStallsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    /** How long a blocked fake waits at most: longer than any wait the fixed engine needs. */
    private static final long HOLD_SECONDS = 8;

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        RaceFixtures.awaitIgnoringInterrupts(latch, Duration.ofSeconds(HOLD_SECONDS));
    }

    private static <T> CompletableFuture<T> onThread(java.util.concurrent.Callable<T> body) {
        return onThread(new AtomicReference<>(), body);
    }

    /** Runs {@code body} on a new thread, published first, and returns its outcome. */
    private static <T> CompletableFuture<T> onThread(AtomicReference<Thread> publish, java.util.concurrent.Callable<T> body) {
        return onNewThread("stall-test", publish, body);
    }

    private static boolean doneWithin(CompletableFuture<?> future, long seconds) {
        try {
            future.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
        return true;
    }

    // 1. a slow listener holds up other threads

    @RepeatedTest(10)
    void a_slow_running_listener_does_not_hold_up_waiters_nor_cancel() {
        withinBound(BOUND, Duration.ofSeconds(3), engine -> {
            CountDownLatch proceed = new CountDownLatch(1);
            CountDownLatch inListener = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ServiceFuture<Counter> future = engine.serviceTask("slow-listener", (String owner) -> {
                await(proceed);
                return new Counter(owner);
            }).start("s");
            future.addListener(new ServiceListener() {
                @Override
                public void running(ServiceFuture<?> service) {
                    inListener.countDown();
                    await(release);
                }
            }, Runnable::run);
            AtomicReference<Thread> joiner = new AtomicReference<>();
            AtomicReference<Thread> awaiter = new AtomicReference<>();
            CompletableFuture<Counter> joined = onThread(joiner, future::join);
            CompletableFuture<Counter> awaited = onThread(awaiter,
                    () -> future.awaitRunning(Duration.ofSeconds(HOLD_SECONDS)));
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> blocked(joiner) && blocked(awaiter))).isTrue();
            proceed.countDown();
            assertThat(await(inListener)).isTrue();

            // the listener is still in running(): the waiters were released at the transition
            assertThat(doneWithin(joined, 5)).as("a join waiting before the transition returns").isTrue();
            assertThat(joined.join()).isNotNull();
            assertThat(doneWithin(awaited, 5)).as("awaitRunning waiting before the transition returns").isTrue();
            assertThat(awaited.join()).isSameAs(joined.join());
            CompletableFuture<Boolean> cancelled = onThread(() -> future.cancel(true));
            assertThat(doneWithin(cancelled, 2)).as("cancel while the listener runs").isTrue();
            assertThat(cancelled.join()).isTrue();
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(joined.join().closes.get()).isEqualTo(1);
            release.countDown();
        });
    }

    // 2. cancel() or close() from inside a direct stopping() or restarting() callback

    @RepeatedTest(10)
    void cancel_from_a_direct_stopping_callback_finds_the_stop_under_way() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(4));
            ServiceFuture<Counter> future = engine.serviceTask("stop-in-stopping", Counter::new).start("s");
            Counter instance = future.join();
            AtomicReference<ServiceState> afterInnerCancel = new AtomicReference<>();
            future.addListener(new ServiceListener() {
                @Override
                public void stopping(ServiceFuture<?> service, ServiceState from) {
                    service.cancel(true);
                    afterInnerCancel.set(service.state());
                }
            }, Runnable::run);

            engine.close(); // reports nothing: the stop began before the callback

            assertThat(afterInnerCancel.get()).as("the cancel inside stopping() returns once the stop is over")
                    .isEqualTo(ServiceState.TERMINATED);
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(instance.closes.get()).isEqualTo(1);
        });
    }

    @RepeatedTest(10)
    void cancel_from_a_direct_restarting_callback_stops_the_replaced_instance_in_time() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(4));
            List<Fragile> built = new CopyOnWriteArrayList<>();
            ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("restart-cancel",
                            owner -> {
                                Fragile f = new Fragile(owner);
                                built.add(f);
                                return f;
                            })
                    .health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                    .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofSeconds(30)))
                    .build()).start("r");
            AtomicReference<ServiceState> afterInnerCancel = new AtomicReference<>();
            CountDownLatch heard = new CountDownLatch(1);
            future.addListener(new ServiceListener() {
                @Override
                public void restarting(ServiceFuture<?> service, int generation, Throwable cause) {
                    service.cancel(true);
                    afterInnerCancel.set(service.state());
                    heard.countDown();
                }
            }, Runnable::run);
            future.join().broken.set(true);
            assertThat(await(heard)).isTrue();

            engine.close(); // no false "stop did not finish in time"

            assertThat(afterInnerCancel.get()).isEqualTo(ServiceState.TERMINATED);
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(built).hasSize(1).allSatisfy(f -> assertThat(f.closes.get()).isEqualTo(1));
        });
    }

    // 3. a callAsync waiting for a slot when the engine closes

    @RepeatedTest(5)
    void calls_waiting_for_a_slot_end_at_close_with_service_unavailable() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(2));
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("one-slot", Counter::new)
                    .maxConcurrentCalls(1, Duration.ofSeconds(30)).build()).start("s");
            future.join();
            CompletableFuture<Integer> holder = onThread(() -> future.call(Duration.ofSeconds(5), c -> {
                holding.countDown();
                awaitIgnoringInterrupts(release);
                return c.increment();
            }));
            assertThat(await(holding)).isTrue();
            CompletableFuture<Integer> queuedAsync = future.callAsync(Duration.ofSeconds(5), Counter::increment);
            CompletableFuture<Integer> queuedBlocking = onThread(() -> future.call(Duration.ofSeconds(5), Counter::increment));
            assertThat(queuedAsync).isNotDone();

            CompletableFuture<Void> closed = onThread(() -> {
                engine.close();
                return null;
            });

            // the slot holder has not returned: the waiting calls end all the same
            assertThat(doneWithin(queuedAsync, 5)).as("callAsync ends at close").isTrue();
            assertThatThrownBy(queuedAsync::join).hasCauseInstanceOf(ServiceUnavailableException.class)
                    .hasMessageContaining("stopped");
            assertThat(doneWithin(queuedBlocking, 5)).as("call ends at close").isTrue();
            assertThatThrownBy(queuedBlocking::join).hasCauseInstanceOf(ServiceUnavailableException.class);
            assertThat(holder).isNotDone();
            release.countDown();
            closed.get(10, TimeUnit.SECONDS);
            assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        });
    }

    // 4. one refused health check ends supervision

    @Test
    void a_health_check_the_full_backend_refuses_counts_as_failed_and_supervision_goes_on() throws Exception {
        FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).taskRetry(fastRetry(1))
                .localBackend(LocalBackendConfig.builder().maxThreads(1).queueCapacity(0).build())
                .stopTimeout(Duration.ofSeconds(2)).backendShutdownTimeout(Duration.ofSeconds(2)).build());
        CountDownLatch release = new CountDownLatch(1);
        try {
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("checked", Counter::new)
                    .health(HealthConfig.<Counter>builder(c -> { }).interval(Duration.ofMillis(20)).failureThreshold(2)
                            .build())
                    .restartPolicy(RestartPolicy.never()).build()).start("s");
            future.join();
            assertThat(Fakes.eventually(Duration.ofSeconds(5),
                    () -> future.health().state() == HealthStatus.State.HEALTHY)).isTrue();
            FunctionTask<String, Object> blocking = engine.functionTask("blocker", (String ignored) -> {
                awaitIgnoringInterrupts(release);
                return null;
            });
            AtomicReference<CompletableFuture<Object>> held = new AtomicReference<>();
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> { // refused while a check holds the thread
                held.set(blocking.submit("x"));
                return !held.get().isCompletedExceptionally();
            })).isTrue();
            CompletableFuture<Object> blocker = held.get(); // the backend's only thread is busy: checks are refused

            assertThat(Fakes.eventually(Duration.ofSeconds(5),
                    () -> future.health().state() == HealthStatus.State.UNHEALTHY))
                    .as("refused checks count as failed checks").isTrue();
            assertThat(future.health().lastFailure()).hasMessageContaining("could not run");
            release.countDown();
            blocker.get(5, TimeUnit.SECONDS);
            assertThat(Fakes.eventually(Duration.ofSeconds(5),
                    () -> future.health().state() == HealthStatus.State.HEALTHY))
                    .as("supervision went on after the refusals").isTrue();
        } finally {
            release.countDown();
            engine.close();
        }
    }

    // 5. a health check that ignores its interrupt is judged at its deadline

    @Test
    void a_hanging_health_check_is_judged_at_its_deadline() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(2));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean();
        try {
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("hangs", Counter::new)
                    .health(HealthConfig.<Counter>builder(c -> {
                        if (hang.get()) {
                            awaitIgnoringInterrupts(release);
                        }
                    }).interval(Duration.ofMillis(20)).timeout(Duration.ofMillis(150)).failureThreshold(2).build())
                    .restartPolicy(RestartPolicy.never()).build()).start("s");
            future.join();
            assertThat(Fakes.eventually(Duration.ofSeconds(5),
                    () -> future.health().state() == HealthStatus.State.HEALTHY)).isTrue();
            hang.set(true);

            assertThat(Fakes.eventually(Duration.ofSeconds(4),
                    () -> future.health().state() == HealthStatus.State.UNHEALTHY))
                    .as("judged while the check still hangs").isTrue();
            assertThat(future.health().lastFailure()).isInstanceOf(TimeoutException.class);
            hang.set(false);
            release.countDown();
            assertThat(Fakes.eventually(Duration.ofSeconds(5),
                    () -> future.health().state() == HealthStatus.State.HEALTHY)).isTrue();
        } finally {
            release.countDown();
            engine.close();
        }
    }

    // 6. refused calls are counted

    @Test
    void refused_calls_are_counted_as_calls_failed_calls_and_refusals() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(2));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        try {
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("busy", Counter::new)
                    .maxConcurrentCalls(1, Duration.ofMillis(1)).build()).start("s");
            future.join();
            CompletableFuture<Integer> holder = onThread(() -> future.call(Duration.ofSeconds(5), c -> {
                holding.countDown();
                await(release);
                return c.increment();
            }));
            assertThat(await(holding)).isTrue();
            assertThatThrownBy(() -> future.call(Duration.ofSeconds(1), Counter::increment))
                    .isInstanceOf(ServiceBusyException.class);
            assertThatThrownBy(() -> future.callAsync(Duration.ofSeconds(1), Counter::increment).join())
                    .hasCauseInstanceOf(ServiceBusyException.class);
            release.countDown();
            holder.get(5, TimeUnit.SECONDS);

            assertThat(future.callCount()).isEqualTo(3);
            assertThat(future.failedCallCount()).isEqualTo(2);
            assertThat(future.refusedCallCount()).isEqualTo(2);

            future.cancel(true);
            assertThatThrownBy(() -> future.call(Duration.ofSeconds(1), Counter::increment))
                    .isInstanceOf(ServiceUnavailableException.class);
            assertThat(future.callCount()).isEqualTo(4);
            assertThat(future.refusedCallCount()).isEqualTo(3);
            assertThat(engine.telemetry().metrics().service(future).refusedCalls()).isEqualTo(3);
        } finally {
            release.countDown();
            engine.close();
        }
    }

    @Test
    void a_call_event_says_whether_a_call_was_refused_failed_or_succeeded() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            Telemetry telemetry = engine.telemetry();
            FlowMetrics metrics = telemetry.metrics();
            try (var recorder = telemetry.record()) {
                telemetry.beginCall(CallEvent.Kind.TOOL, "t", FlowType.SERVICE_TASK, "s#1", 1).end(null);
                telemetry.beginCall(CallEvent.Kind.TOOL, "t", FlowType.SERVICE_TASK, "s#1", 1)
                        .end(new IllegalStateException("boom"));
                telemetry.beginCall(CallEvent.Kind.TOOL, "t", FlowType.SERVICE_TASK, "s#1", 1)
                        .end(new ServiceBusyException("s#1", 1, Duration.ofMillis(1)));
                telemetry.beginCall(CallEvent.Kind.TOOL, "t", FlowType.SERVICE_TASK, "s#1", 1)
                        .end(new RuntimeException("wrapped",
                                new ServiceUnavailableException("s#1", ServiceState.STOPPING, "the service was stopped", null)));

                assertThat(recorder.events().stream().filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.END)
                        .map(e -> ((CallEvent) e).outcome()))
                        .containsExactly(CallEvent.Outcome.SUCCESS, CallEvent.Outcome.FAILURE, CallEvent.Outcome.REFUSED,
                                CallEvent.Outcome.REFUSED);
            }
            CallMetrics tool = metrics.call(new FlowMetrics.Key(CallEvent.Kind.TOOL, "t", FlowType.SERVICE_TASK));
            assertThat(tool.calls()).isEqualTo(4);
            assertThat(tool.errors()).isEqualTo(3);
            assertThat(tool.refused()).isEqualTo(2);
        }
    }

    // 7. metrics switched on during traffic

    @Test
    void an_end_whose_start_metrics_never_saw_is_not_counted() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            Telemetry telemetry = engine.telemetry();
            try (AutoCloseable ignored = telemetry.subscribe(event -> { })) {
                CallSpan before = telemetry.beginCall(CallEvent.Kind.TASK, "t", FlowType.FUNCTION_TASK, null, 0);
                FlowMetrics metrics = telemetry.metrics(); // switched on while a call is in flight
                CallSpan after = telemetry.beginCall(CallEvent.Kind.TASK, "t", FlowType.FUNCTION_TASK, null, 0);
                FlowMetrics.Key key = new FlowMetrics.Key(CallEvent.Kind.TASK, "t", FlowType.FUNCTION_TASK);
                before.end(null);
                after.end(null);

                CallMetrics t = metrics.call(key);
                assertThat(t.inFlight()).isZero();
                assertThat(t.calls()).isEqualTo(1);
            }
        }
    }

    // 8. user code never runs on the engine's timer thread

    @RepeatedTest(3)
    void a_slow_failed_callback_does_not_delay_an_unrelated_attempt_timeout() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1))
                    .taskRetry(RetryConfig.builder().maxAttempts(1).attemptTimeout(Duration.ofMillis(200))
                            .cancelGrace(Duration.ofMillis(200)).build())
                    .stopTimeout(Duration.ofMillis(300)).backendShutdownTimeout(Duration.ofSeconds(2)).build());
            CountDownLatch stopEntered = new CountDownLatch(1);
            CountDownLatch inFailed = new CountDownLatch(1);
            AtomicReference<CompletableFuture<Object>> task = new AtomicReference<>();
            AtomicReference<Boolean> taskEndedMeanwhile = new AtomicReference<>();
            List<String> listenerThreads = new CopyOnWriteArrayList<>();
            try {
                ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("hangs-on-stop", Counter::new)
                        .stop(c -> {
                            stopEntered.countDown();
                            Fakes.hang();
                        }).build()).start("s");
                future.join();
                future.addListener(new ServiceListener() {
                    @Override
                    public void stopping(ServiceFuture<?> service, ServiceState from) {
                        listenerThreads.add(Thread.currentThread().getName());
                    }

                    @Override
                    public void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {
                        listenerThreads.add(Thread.currentThread().getName());
                        inFailed.countDown();
                        try {
                            Fakes.eventually(Duration.ofSeconds(2), () -> task.get() != null);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        taskEndedMeanwhile.set(doneWithin(task.get(), 5)); // a slow callback: waits for the task
                    }
                }, Runnable::run);
                future.stopAsync();
                assertThat(await(stopEntered)).isTrue();
                assertThat(await(inFailed)).isTrue(); // the stop deadline passed: FAILED, and failed() is running
                task.set(engine.functionTask("times-out", (String ignored) -> {
                    Fakes.hang();
                    return null;
                }).submit("x"));

                assertThat(doneWithin(task.get(), 5)).as("the attempt timeout fired while failed() ran").isTrue();
                assertThatThrownBy(() -> task.get().join()).hasRootCauseInstanceOf(TimeoutException.class);
                assertThat(Fakes.eventually(Duration.ofSeconds(6), () -> taskEndedMeanwhile.get() != null)).isTrue();
                assertThat(taskEndedMeanwhile.get()).isTrue();
                assertThat(listenerThreads).hasSize(2).noneMatch(name -> name.contains("-timer-"));
            } finally {
                engine.close();
            }
        });
    }

    @Test
    void health_verdicts_and_their_listeners_run_off_the_timer_thread() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(2));
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean();
        try {
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("verdicts", Counter::new)
                    .health(HealthConfig.<Counter>builder(c -> {
                        if (hang.get()) {
                            awaitIgnoringInterrupts(release);
                        }
                    }).interval(Duration.ofMillis(10)).timeout(Duration.ofMillis(100)).failureThreshold(1).build())
                    .restartPolicy(RestartPolicy.never()).build()).start("s");
            future.addListener(new ServiceListener() {
                @Override
                public void healthChanged(ServiceFuture<?> service, HealthStatus health) {
                    threads.add(Thread.currentThread().getName() + " " + health.state());
                }
            }, Runnable::run);
            future.join();
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> !threads.isEmpty())).isTrue();
            hang.set(true); // the next verdict comes from the check's deadline, a timer

            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> threads.size() >= 2)).isTrue();
            assertThat(threads.get(1)).endsWith("UNHEALTHY");
            assertThat(threads).noneMatch(name -> name.contains("-timer-"));
        } finally {
            hang.set(false);
            release.countDown();
            engine.close();
        }
    }

    // 9. starting() can be heard

    @Test
    void a_listener_registered_on_the_task_hears_every_callback_from_starting_on() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            ServiceTask<String, Counter> task = engine.serviceTask("heard", Counter::new);
            Fakes.RecordingListener first = new Fakes.RecordingListener();
            task.addListener(first, Runnable::run);

            ServiceFuture<Counter> one = task.start("a");
            one.join();
            one.cancel(true);
            // cancel returns once the stop is over; the listener may hear terminated() a moment later
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> first.events.size() == 4)).isTrue();
            ServiceFuture<Counter> two = task.start("b");
            two.join();
            Fakes.RecordingListener late = new Fakes.RecordingListener();
            task.addListener(late, Runnable::run); // for instances started from now on
            two.cancel(true);

            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> first.events.size() == 8)).isTrue();
            assertThat(first.events).containsExactly("starting", "running", "stopping from RUNNING",
                    "terminated from STOPPING", "starting", "running", "stopping from RUNNING", "terminated from STOPPING");
            assertThat(late.events).isEmpty();
            assertThatThrownBy(() -> task.addListener(null, Runnable::run)).isInstanceOf(NullPointerException.class);
        }
    }
}
