package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import dev.flowgentic4j.workflows.Fakes.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceTaskTest {
    private final FlowEngine engine = FlowEngine.create(fastConfig());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void start_returns_the_handle_before_the_service_is_ready_and_the_cold_start_runs_on_the_backend() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> initThread = new AtomicReference<>();
        ServiceTask<String, Counter> task = engine.serviceTask("slow", owner -> {
            initThread.set(Thread.currentThread().getName());
            release.await();
            return new Counter(owner);
        });

        ServiceFuture<Counter> future = task.start("a");

        assertThat(future.state()).isIn(ServiceState.STARTING);
        assertThat(future.isDone()).isFalse();
        release.countDown();
        Counter counter = future.join();
        assertThat(counter.owner).isEqualTo("a");
        assertThat(future.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(initThread.get()).startsWith("flowgentic4j-").isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void thirty_two_threads_awaiting_one_handle_get_the_same_instance_and_the_initializer_ran_once() throws Exception {
        AtomicInteger coldStarts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ServiceFuture<Counter> future = engine.serviceTask("shared", (String owner) -> {
            coldStarts.incrementAndGet();
            release.await();
            return new Counter(owner);
        }).start("x");

        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            CountDownLatch waiting = new CountDownLatch(32);
            List<Future<Counter>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                boolean useJoin = i % 2 == 0;
                results.add(pool.submit(() -> {
                    waiting.countDown();
                    return useJoin ? future.join() : future.get(10, TimeUnit.SECONDS);
                }));
            }
            waiting.await();
            release.countDown();
            Set<Counter> seen = ConcurrentHashMap.newKeySet();
            for (Future<Counter> result : results) {
                seen.add(result.get(10, TimeUnit.SECONDS));
            }
            assertThat(seen).hasSize(1);
            assertThat(coldStarts.get()).isEqualTo(1);
            assertThat(future.toCompletableFuture().join()).isSameAs(seen.iterator().next());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void two_starts_give_two_independent_instances_with_their_own_state() throws Exception {
        AtomicInteger coldStarts = new AtomicInteger();
        ServiceTask<String, Counter> task = engine.serviceTask("counter", owner -> {
            coldStarts.incrementAndGet();
            return new Counter(owner);
        });

        ServiceFuture<Counter> first = task.start("one");
        first.join().increment();
        first.join().increment();
        ServiceFuture<Counter> second = task.start("two");
        second.join().increment();
        first.join().increment();

        assertThat(first.join()).isNotSameAs(second.join());
        assertThat(first.join().value.get()).isEqualTo(3);
        assertThat(second.join().value.get()).isEqualTo(1);
        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(coldStarts.get()).isEqualTo(2);
        assertThat(task.instances()).containsExactly(first, second);

        second.cancel(true);
        assertThat(first.isRunning()).isTrue();
        assertThat(first.join().increment()).isEqualTo(4);
    }

    @Test
    void cancel_stops_the_service_and_closes_the_instance_exactly_once() throws Exception {
        ServiceFuture<Counter> future = engine.serviceTask("closing", Counter::new).start("c");
        Counter counter = future.join();
        RecordingListener listener = new RecordingListener();
        future.addListener(listener, Runnable::run);

        assertThat(future.cancel(true)).isTrue();

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(counter.closes.get()).isEqualTo(1);
        assertThat(future.isCancelled()).isTrue();
        assertThat(future.cancel(true)).isFalse();
        counter.close(); // the instance's own shutdown afterwards is harmless
        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        // listeners hear of a transition after its futures completed: terminated() may come a moment later
        assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> listener.events.size() == 2)).isTrue();
        assertThat(listener.events).containsExactly("stopping from RUNNING", "terminated from STOPPING");
    }

    @Test
    void awaiting_a_cancelled_handle_throws_cancellation_exception() {
        ServiceFuture<Counter> future = engine.serviceTask("cancelled", Counter::new).start("c");
        future.join();
        future.cancel(true);

        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class).hasMessageContaining("cancelled#");
        assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> future.awaitRunning(Duration.ofSeconds(1))).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> future.call(Duration.ofSeconds(1), Counter::increment))
                .isInstanceOf(ServiceUnavailableException.class)
                .hasMessageContaining("'cancelled#").hasMessageContaining("TERMINATED");
    }

    @Test
    void cancel_runs_the_stop_function_given_at_registration_instead_of_close() {
        AtomicInteger stops = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("stopper", Counter::new)
                .stop(counter -> stops.incrementAndGet()).build()).start("s");
        Counter counter = future.join();

        future.cancel(false);

        assertThat(stops.get()).isEqualTo(1);
        assertThat(counter.closes.get()).isZero();
    }

    @Test
    void cancel_while_starting_interrupts_the_cold_start_and_terminates() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask("stuck", (String owner) -> {
            entered.countDown();
            try {
                Fakes.hang();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return new Counter(owner);
        }).start("s");
        entered.await();

        assertThat(future.cancel(true)).isTrue();

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(interrupted.get()).isEqualTo(1);
        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void an_instance_that_arrives_after_cancel_is_stopped_too() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        List<Counter> built = new ArrayList<>();
        ServiceFuture<Counter> future = engine.serviceTask("stubborn", (String owner) -> {
            entered.countDown();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // ignores the interrupt
            }
            Counter counter = new Counter(owner);
            synchronized (built) {
                built.add(counter);
            }
            return counter;
        }).start("s");
        entered.await();

        future.cancel(true);

        assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> {
            synchronized (built) {
                return built.size() == 1 && built.get(0).closes.get() == 1;
            }
        })).isTrue();
        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
    }

    @Test
    void a_failing_initializer_fails_the_handle_naming_the_service_after_the_retries() {
        AtomicInteger attempts = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.<String, Counter>builder("broken", owner -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("database refused");
        }).retry(fastRetry(3)).build()).start("b");
        RecordingListener listener = new RecordingListener();
        future.addListener(listener, Runnable::run);

        assertThatThrownBy(future::join)
                .isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("'broken#")
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("database refused")
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ServiceFailedException.class);
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        assertThat(future.failureCause()).get().asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.THROWABLE).hasMessageContaining("database refused");
        assertThat(future.cancel(true)).isFalse();
        assertThatThrownBy(() -> future.call(Duration.ofSeconds(1), Counter::increment))
                .isInstanceOf(ServiceUnavailableException.class).hasMessageContaining("FAILED");
    }

    @Test
    void start_up_is_retried_until_it_succeeds() {
        AtomicInteger attempts = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("flaky", (String owner) -> {
            if (attempts.incrementAndGet() < 3) {
                throw new java.io.IOException("not yet");
            }
            return new Counter(owner);
        }).retry(fastRetry(3)).build()).start("f");

        assertThat(future.join().owner).isEqualTo("f");
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void a_timed_out_start_attempt_is_cancelled_before_the_next_attempt_begins() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        RetryConfig retry = fastRetry(3).toBuilder().attemptTimeout(Duration.ofMillis(100)).build();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("hangs-once", (String owner) -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                if (attempts.incrementAndGet() == 1) {
                    Fakes.hang();
                }
                return new Counter(owner);
            } finally {
                running.decrementAndGet();
            }
        }).retry(retry).build()).start("h");

        assertThat(future.join().owner).isEqualTo("h");
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void the_handle_reports_name_id_startup_duration_uptime_and_calls() throws Exception {
        LifecycleCoreTest.FakeTicker ticker = new LifecycleCoreTest.FakeTicker();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().ticker(ticker).build())) {
            reportsNameIdStartupUptimeAndCalls(engine, ticker);
        }
    }

    private static void reportsNameIdStartupUptimeAndCalls(FlowEngine engine, LifecycleCoreTest.FakeTicker ticker) {
        ServiceFuture<Counter> future = engine.serviceTask("reported", Counter::new).start("r");
        future.join();

        assertThat(future.name()).isEqualTo("reported");
        assertThat(future.id()).startsWith("reported#");
        assertThat(future.startupDuration()).isPresent();
        assertThat(future.call(Duration.ofSeconds(1), Counter::increment)).isEqualTo(1);
        assertThat(future.call(Duration.ofSeconds(1), Counter::increment)).isEqualTo(2);
        assertThatThrownBy(() -> future.call(Duration.ofSeconds(1), c -> {
            throw new java.io.IOException("boom");
        })).isInstanceOf(FlowgenticException.class).hasMessageContaining("reported#").hasRootCauseMessage("boom");
        assertThat(future.callCount()).isEqualTo(3);
        assertThat(future.failedCallCount()).isEqualTo(1);
        Duration before = future.uptime();
        ticker.advance(Duration.ofSeconds(5));
        assertThat(future.uptime()).isEqualTo(before.plusSeconds(5));

        future.cancel(true);
        Duration frozen = future.uptime();
        ticker.advance(Duration.ofSeconds(5));
        assertThat(future.uptime()).as("uptime stops with the instance").isEqualTo(frozen);
    }

    @Test
    void listeners_hear_each_transition_once_in_order() throws Exception {
        RecordingListener listener = new RecordingListener();
        CountDownLatch release = new CountDownLatch(1);
        ServiceFuture<Counter> future = engine.serviceTask("heard", (String owner) -> {
            release.await();
            return new Counter(owner);
        }).start("l");
        future.addListener(listener, Runnable::run);
        release.countDown();
        future.join();
        future.cancel(true);
        future.cancel(true);

        assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> listener.events.size() == 3)).isTrue();
        assertThat(listener.events).containsExactly("running", "stopping from RUNNING", "terminated from STOPPING");
    }

    @Test
    void awaiting_with_a_timeout_that_expires_names_the_service_and_its_state() {
        CountDownLatch never = new CountDownLatch(1);
        ServiceFuture<Counter> future = engine.serviceTask("sleepy", (String owner) -> {
            never.await();
            return new Counter(owner);
        }).start("z");

        assertThatThrownBy(() -> future.awaitRunning(Duration.ofMillis(50)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("'sleepy#").hasMessageContaining("STARTING");
        assertThatThrownBy(() -> future.call(Duration.ofMillis(50), Counter::increment))
                .isInstanceOf(ServiceUnavailableException.class).hasMessageContaining("STARTING");
        assertThatThrownBy(() -> future.awaitRunning(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> future.get(-1, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
        never.countDown();
    }

    @Test
    void an_initializer_that_returns_null_fails_the_service() {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("nothing", (String o) -> (Counter) null)
                .retry(RetryConfig.noRetry()).build()).start("n");

        assertThatThrownBy(future::join).isInstanceOf(ServiceFailedException.class).hasMessageContaining("returned null");
    }
}
