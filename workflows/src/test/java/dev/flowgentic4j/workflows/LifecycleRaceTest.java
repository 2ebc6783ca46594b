package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.RaceFixtures.blocked;
import static dev.flowgentic4j.workflows.RaceFixtures.onNewThread;
import static dev.flowgentic4j.workflows.RaceFixtures.raceEngine;
import static dev.flowgentic4j.workflows.RaceFixtures.withinBound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.flowgentic4j.workflows.Fakes.Counter;
import dev.flowgentic4j.workflows.Fakes.Fragile;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The races of issue 8, one test each (numbered as in the issue). Each failed on the lifecycle
 * before the rebuild; the race-prone ones run repeatedly, each repetition bounded in time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleRaceTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    /** Rethrows what {@code body} threw on another thread, within {@link #BOUND}. */
    private static <T> T onOtherThread(java.util.concurrent.Callable<T> body) throws Exception {
        return onThread(new AtomicReference<>(), body);
    }

    /** Like {@link #onOtherThread}, publishing the thread first. */
    private static <T> T onThread(AtomicReference<Thread> publish, java.util.concurrent.Callable<T> body)
            throws Exception {
        return onNewThread("race-test", publish, body).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A service whose stop signals {@code stopEntered}, then waits until {@code second} (the thread
     * of a second close or cancel) blocks waiting for that stop, then runs {@code after}.
     */
    private static ServiceFuture<Counter> slowStopService(FlowEngine engine, CountDownLatch stopEntered,
                                                          AtomicReference<Thread> second, ServiceStopper<Counter> after) {
        return engine.serviceTask(ServiceDefinition.builder("slow-stop", Counter::new).stop(c -> {
            stopEntered.countDown();
            awaitBlocked(second);
            after.stop(c);
        }).build()).start("s");
    }

    /** Waits (up to 2 s) until {@code thread} blocks, waiting for something: the stop it joined. */
    private static void awaitBlocked(AtomicReference<Thread> thread) throws InterruptedException {
        Fakes.eventually(Duration.ofSeconds(2), () -> blocked(thread));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }

    // 1. close() or cancel() while a supervised restart is under way

    @RepeatedTest(50)
    void close_during_a_restart_waits_for_the_replaced_instance_to_be_stopped() {
        assertTimeoutPreemptively(BOUND, () -> closeOrCancelDuringRestart(true));
    }

    @RepeatedTest(20)
    void cancel_during_a_restart_waits_for_the_replaced_instance_to_be_stopped() {
        assertTimeoutPreemptively(BOUND, () -> closeOrCancelDuringRestart(false));
    }

    private static void closeOrCancelDuringRestart(boolean close) throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(5));
        List<Fragile> built = new CopyOnWriteArrayList<>();
        CountDownLatch oldStopEntered = new CountDownLatch(1);
        CountDownLatch stopRequested = new CountDownLatch(1);
        ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("restarted", owner -> {
            Fragile f = new Fragile(owner);
            built.add(f);
            return f;
        }).stop(f -> {
            if (f == built.get(0)) {
                oldStopEntered.countDown();
                stopRequested.await(); // the replaced instance is still stopping when the stop is requested
            }
            f.close();
        }).health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofSeconds(30)))
                .build()).start("r");
        future.addListener(new ServiceListener() {
            @Override
            public void stopping(ServiceFuture<?> service, ServiceState from) {
                stopRequested.countDown();
            }
        }, Runnable::run);
        future.join().broken.set(true);
        oldStopEntered.await();

        if (close) {
            engine.close();
        } else {
            assertThat(future.cancel(true)).isTrue();
            engine.close();
        }

        assertThat(built.get(0).closes.get()).as("the replaced instance is closed once").isEqualTo(1);
        assertThat(built).allSatisfy(f -> assertThat(f.closes.get()).isEqualTo(1));
        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(future.isDone()).isTrue();
    }

    @RepeatedTest(20)
    void close_while_a_restart_cold_starts_also_stops_the_instance_that_arrives_late() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(5));
            List<Fragile> built = new CopyOnWriteArrayList<>();
            CountDownLatch secondStarting = new CountDownLatch(1);
            CountDownLatch stopRequested = new CountDownLatch(1);
            ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("late", owner -> {
                if (!built.isEmpty()) {
                    secondStarting.countDown();
                    awaitIgnoringInterrupts(stopRequested); // a cold start that ignores its interrupt
                }
                Fragile f = new Fragile(owner);
                built.add(f);
                return f;
            }).health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                    .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ZERO)).build()).start("l");
            future.addListener(new ServiceListener() {
                @Override
                public void stopping(ServiceFuture<?> service, ServiceState from) {
                    stopRequested.countDown();
                }
            }, Runnable::run);
            future.join().broken.set(true);
            secondStarting.await();

            engine.close();

            assertThat(built).hasSize(2).allSatisfy(f -> assertThat(f.closes.get()).isEqualTo(1));
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        });
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // 2. toCompletableFuture() after cancel() or close()

    @Test
    void to_completable_future_of_a_cancelled_handle_ends_in_cancellation() {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            ServiceFuture<Counter> future = engine.serviceTask("cancelled", Counter::new).start("c");
            CompletableFuture<Counter> before = future.toCompletableFuture();
            future.join();
            future.cancel(true);

            assertThatThrownBy(() -> future.toCompletableFuture().join()).isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> future.toCompletableFuture().get()).isInstanceOf(CancellationException.class);
            assertThat(before.join()).isNotNull(); // a copy that completed before the cancel stays as it was
        }
    }

    @Test
    void to_completable_future_of_a_handle_closed_with_its_engine_ends_in_cancellation() {
        FlowEngine engine = raceEngine(Duration.ofSeconds(2));
        ServiceFuture<Counter> future = engine.serviceTask("closed", Counter::new).start("c");
        future.join();
        engine.close();

        assertThatThrownBy(() -> future.toCompletableFuture().join()).isInstanceOf(CancellationException.class);
        assertThat(future.toCompletableFuture().isCancelled()).isTrue();
    }

    @Test
    void a_copy_taken_while_starting_ends_in_cancellation_when_cancelled() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            CountDownLatch entered = new CountDownLatch(1);
            ServiceFuture<Counter> future = engine.serviceTask("slow", (String o) -> {
                entered.countDown();
                Fakes.hang();
                return new Counter(o);
            }).start("s");
            CompletableFuture<Counter> copy = future.toCompletableFuture();
            entered.await();
            future.cancel(true);

            assertThatThrownBy(copy::join).isInstanceOf(CancellationException.class);
            assertThatThrownBy(copy::get).isInstanceOf(CancellationException.class);
        }
    }

    // 3. listeners that throw Error or sneaky checked exceptions

    @Test
    void a_listener_that_throws_an_error_does_not_escape_cancel_nor_stall_the_stop() {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            ServiceFuture<Counter> future = engine.serviceTask("listened", Counter::new).start("l");
            Counter counter = future.join();
            future.addListener(new ServiceListener() {
                @Override
                public void stopping(ServiceFuture<?> service, ServiceState from) {
                    throw new AssertionError("listener bug");
                }

                @Override
                public void terminated(ServiceFuture<?> service, ServiceState from) {
                    sneakyThrow(new IOException("sneaky"));
                }
            }, Runnable::run);

            assertThat(future.cancel(true)).isTrue();

            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(counter.closes.get()).isEqualTo(1);
        }
    }

    @Test
    void a_listener_that_throws_sneakily_on_running_does_not_leave_joins_hanging() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(2))) {
            CountDownLatch release = new CountDownLatch(1);
            ServiceFuture<Counter> future = RaceFixtures.startHeld(engine, "sneaky", "s", release);
            future.addListener(new ServiceListener() {
                @Override
                public void running(ServiceFuture<?> service) {
                    sneakyThrow(new IOException("sneaky checked"));
                }
            }, Runnable::run);
            CompletableFuture<Counter> joined = CompletableFuture.supplyAsync(future::join);
            release.countDown();

            assertThat(joined.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).owner).isEqualTo("s");
            assertThat(future.state()).isEqualTo(ServiceState.RUNNING);
        }
    }

    // 4. two threads calling close() at once

    @RepeatedTest(50)
    void a_second_concurrent_close_returns_only_when_the_stop_is_over() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(5));
            CountDownLatch stopEntered = new CountDownLatch(1);
            AtomicReference<Thread> second = new AtomicReference<>();
            ServiceFuture<Counter> future = slowStopService(engine, stopEntered, second, Counter::close);
            Counter counter = future.join();
            CompletableFuture<Void> first = CompletableFuture.runAsync(engine::close);
            stopEntered.await();

            onThread(second, () -> {
                engine.close();
                return null;
            });

            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(counter.closes.get()).isEqualTo(1);
            first.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    @Test
    void every_concurrent_close_reports_a_failed_stop() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(5));
        CountDownLatch stopEntered = new CountDownLatch(1);
        AtomicReference<Thread> second = new AtomicReference<>();
        slowStopService(engine, stopEntered, second, c -> {
            throw new IOException("disk gone");
        }).join();
        CompletableFuture<Void> first = CompletableFuture.runAsync(engine::close);
        stopEntered.await();

        assertThatThrownBy(() -> onThread(second, () -> {
            engine.close();
            return null;
        })).isInstanceOfSatisfying(ExecutionException.class, e -> assertThat(e.getCause())
                .isInstanceOf(ShutdownException.class).hasMessageContaining("'slow-stop#").hasMessageContaining("disk gone"));
        assertThatThrownBy(() -> first.get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ShutdownException.class);
    }

    // 5. two threads calling cancel() at once

    @RepeatedTest(50)
    void a_second_concurrent_cancel_returns_true_once_the_stop_is_over() {
        withinBound(BOUND, Duration.ofSeconds(5), engine -> {
            CountDownLatch stopEntered = new CountDownLatch(1);
            AtomicReference<Thread> second = new AtomicReference<>();
            ServiceFuture<Counter> future = slowStopService(engine, stopEntered, second, Counter::close);
            Counter counter = future.join();
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> future.cancel(true));
            stopEntered.await();

            boolean secondResult = onThread(second, () -> future.cancel(true));

            assertThat(secondResult).isTrue();
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(counter.closes.get()).isEqualTo(1);
            assertThat(first.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(future.cancel(true)).as("already stopped before this call").isFalse();
        });
    }

    // 6. cancel() from a listener on a direct executor

    @RepeatedTest(50)
    void cancel_from_a_listener_on_a_direct_executor_does_not_stall() {
        withinBound(BOUND, Duration.ofSeconds(30), engine -> {
            AtomicReference<Boolean> stoppedAfterCancel = new AtomicReference<>();
            AtomicReference<ServiceState> stateAfterCancel = new AtomicReference<>();
            AtomicReference<Boolean> cancelled = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<String> heard = new CopyOnWriteArrayList<>();
            ServiceFuture<Counter> future = RaceFixtures.startHeld(engine, "self-cancelling", "s", release);
            future.addListener(new ServiceListener() {
                @Override
                public void running(ServiceFuture<?> service) {
                    heard.add("running");
                    cancelled.set(service.cancel(true));
                    stateAfterCancel.set(service.state());
                    stoppedAfterCancel.set(((ServiceFuture<?>) service).stopAsync().isDone());
                    done.countDown();
                }

                @Override
                public void stopping(ServiceFuture<?> service, ServiceState from) {
                    heard.add("stopping");
                }

                @Override
                public void terminated(ServiceFuture<?> service, ServiceState from) {
                    heard.add("terminated");
                }
            }, Runnable::run);
            release.countDown();

            done.await();
            assertThat(cancelled.get()).isTrue();
            assertThat(stateAfterCancel.get()).isEqualTo(ServiceState.TERMINATED);
            assertThat(stoppedAfterCancel.get()).as("the stop had ended when cancel returned").isTrue();
            future.toCompletableFuture().exceptionally(e -> null).join();
            assertThat(Fakes.eventually(BOUND, () -> heard.size() == 3)).isTrue();
            assertThat(heard).containsExactly("running", "stopping", "terminated");
        });
    }

    @Test
    void cancel_from_inside_a_call_does_not_wait_for_that_call_to_drain() throws Exception {
        try (FlowEngine engine = raceEngine(Duration.ofSeconds(30))) {
            ServiceFuture<Counter> future = engine.serviceTask("self-stopping", Counter::new).start("s");
            Counter counter = future.join();

            boolean cancelled = assertTimeoutPreemptively(BOUND,
                    () -> future.call(Duration.ofSeconds(1), c -> future.cancel(true)));

            assertThat(cancelled).isTrue();
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(counter.closes.get()).isEqualTo(1);
        }
    }

    // 7. close() from a library thread

    @Test
    void close_from_a_listener_on_a_backend_thread_reports_no_false_backend_timeout() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(2));
        CompletableFuture<Throwable> closeOutcome = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        ServiceFuture<Counter> future = RaceFixtures.startHeld(engine, "closer", "c", release);
        future.addListener(new ServiceListener() {
            @Override
            public void running(ServiceFuture<?> service) {
                try {
                    engine.close();
                    closeOutcome.complete(null);
                } catch (Throwable t) {
                    closeOutcome.complete(t);
                }
            }
        }, Runnable::run);
        release.countDown();

        assertThat(closeOutcome.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(engine.isClosed()).isTrue();
    }

    @Test
    void close_from_inside_a_call_reports_nothing_and_stops_the_service() throws Exception {
        FlowEngine engine = raceEngine(Duration.ofSeconds(30));
        ServiceFuture<Counter> future = engine.serviceTask("closer", Counter::new).start("c");
        Counter counter = future.join();

        assertTimeoutPreemptively(BOUND, () -> future.call(Duration.ofSeconds(1), c -> {
            engine.close();
            return null;
        }));

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(counter.closes.get()).isEqualTo(1);
    }

    // 8. start() racing close()

    @RepeatedTest(50)
    void start_racing_close_either_starts_and_is_stopped_or_fails_as_closed() {
        assertTimeoutPreemptively(BOUND, () -> {
            FlowEngine engine = raceEngine(Duration.ofSeconds(2));
            ServiceTask<String, Counter> task = engine.serviceTask("racer", Counter::new);
            task.start("warm").join();
            int starters = 4;
            CyclicBarrier barrier = new CyclicBarrier(starters + 1);
            List<ServiceFuture<Counter>> received = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Throwable>> refusals = new java.util.ArrayList<>();
            for (int t = 0; t < starters; t++) {
                String prefix = "raced" + t + "-";
                refusals.add(CompletableFuture.supplyAsync(() -> {
                    await(barrier);
                    try {
                        for (int i = 0; ; i++) {
                            received.add(task.start(prefix + i));
                        }
                    } catch (Throwable t2) {
                        return t2;
                    }
                }, runnable -> new Thread(runnable, "starter").start()));
            }
            CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                await(barrier);
                engine.close();
            }, runnable -> new Thread(runnable, "closer").start());

            closed.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            for (CompletableFuture<Throwable> refused : refusals) {
                assertThat(refused.get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("the integration is closed");
            }
            assertThat(received).allSatisfy(handle ->
                    assertThat(handle.state().isTerminal()).as("stopped by the close: %s", handle).isTrue());
            assertThat(task.instances()).hasSize(received.size() + 1).containsAll(received);
            assertThat(engine.services()).hasSameElementsAs(task.instances());
        });
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
