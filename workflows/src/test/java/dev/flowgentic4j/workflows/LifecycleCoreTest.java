package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import dev.flowgentic4j.workflows.Fakes.Fragile;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lifecycle core: injected clock, a backend that rejects work, restarts as generations, the API tightening. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleCoreTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A clock that moves only when told to. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    /** The local backend, except that it rejects new work and timers once told to, as a closed backend does. */
    static final class RejectingBackend implements Backend {
        private final Backend delegate = Backend.local();
        final AtomicBoolean rejectWork = new AtomicBoolean();
        final AtomicBoolean rejectTimers = new AtomicBoolean();

        @Override
        public String name() {
            return "rejecting";
        }

        @Override
        public <T> BackendWork<T> submit(String label, Callable<T> work) {
            if (rejectWork.get()) {
                throw new RejectedExecutionException("backend rejects " + label);
            }
            return delegate.submit(label, work);
        }

        @Override
        public Future<?> schedule(Runnable action, Duration delay) {
            if (rejectTimers.get()) {
                throw new RejectedExecutionException("backend rejects timers");
            }
            return delegate.schedule(action, delay);
        }

        @Override
        public boolean isClosed() {
            return delegate.isClosed();
        }

        @Override
        public boolean shutdown(Duration timeout) {
            return delegate.shutdown(timeout);
        }
    }

    // ---- the injectable clock ----

    @Test
    void uptime_and_startup_duration_read_the_engine_ticker() {
        FakeTicker ticker = new FakeTicker();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().ticker(ticker).build())) {
            ServiceFuture<Counter> future = engine.serviceTask("timed", (String o) -> {
                ticker.advance(Duration.ofSeconds(3)); // the cold start "takes" three seconds
                return new Counter(o);
            }).start("t");
            future.join();
            assertThat(future.startupDuration()).contains(Duration.ofSeconds(3));
            assertThat(future.uptime()).isEqualTo(Duration.ZERO);

            ticker.advance(Duration.ofMinutes(5));
            assertThat(future.uptime()).isEqualTo(Duration.ofMinutes(5));

            future.cancel(true);
            ticker.advance(Duration.ofHours(1));
            assertThat(future.uptime()).as("frozen once stopped").isEqualTo(Duration.ofMinutes(5));
        }
    }

    private static ServiceDefinition<String, Fragile> supervised(List<Fragile> built, RestartPolicy policy) {
        return ServiceDefinition.<String, Fragile>builder("supervised", owner -> {
            Fragile f = new Fragile(owner);
            built.add(f);
            return f;
        }).health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                .restartPolicy(policy).build();
    }

    @Test
    void the_restart_window_reads_the_ticker_so_old_restarts_leave_the_budget() throws Exception {
        FakeTicker ticker = new FakeTicker();
        List<Fragile> built = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().ticker(ticker).serviceRetry(fastRetry(1)).build())) {
            ServiceFuture<Fragile> future = engine.serviceTask(supervised(built,
                    RestartPolicy.onFailure(1, Duration.ofMinutes(1), Duration.ZERO))).start("w");
            future.join().broken.set(true);
            assertThat(eventually(() -> future.generation() == 2)).isTrue();

            ticker.advance(Duration.ofMinutes(2)); // the first restart leaves the one-minute window
            future.join().broken.set(true);

            assertThat(eventually(() -> future.generation() == 3)).as("restarted again within budget").isTrue();
            assertThat(future.state()).isEqualTo(ServiceState.RUNNING);
            future.join().broken.set(true); // no time passes: the budget is spent
            assertThat(eventually(() -> future.state() == ServiceState.FAILED)).isTrue();
            assertThat(future.failureCause()).get().asString().contains("restart budget (1 within PT1M)");
            assertThat(built).allSatisfy(f -> assertThat(f.closes.get()).isEqualTo(1));
        }
    }

    // ---- restarts are generations of a RUNNING service ----

    @Test
    void a_restart_keeps_the_service_running_and_done_and_calls_wait_for_the_next_generation() throws Exception {
        List<Fragile> built = new CopyOnWriteArrayList<>();
        CountDownLatch oldStopped = new CountDownLatch(1);
        CountDownLatch releaseNew = new CountDownLatch(1);
        List<String> heard = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).build())) {
            ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("gen", owner -> {
                if (!built.isEmpty()) {
                    releaseNew.await(); // the second generation's cold start waits for the test
                }
                Fragile f = new Fragile(owner);
                built.add(f);
                return f;
            }).stop(f -> {
                f.close();
                oldStopped.countDown();
            }).health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                    .restartPolicy(RestartPolicy.onFailure(2, Duration.ofMinutes(1), Duration.ZERO)).build()).start("g");
            future.addListener(new ServiceListener() {
                @Override
                public void starting(ServiceFuture<?> service) {
                    heard.add("starting");
                }

                @Override
                public void restarting(ServiceFuture<?> service, int generation, Throwable cause) {
                    heard.add("restarting " + generation);
                }

                @Override
                public void restarted(ServiceFuture<?> service, int generation) {
                    heard.add("restarted " + generation);
                }
            }, Runnable::run);
            Fragile first = future.join();
            first.broken.set(true);
            oldStopped.await();

            assertThat(future.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(future.isRestarting()).isTrue();
            assertThat(future.isDone()).isTrue();
            assertThat(future.generation()).isEqualTo(1);
            assertThatThrownBy(() -> future.call(Duration.ofMillis(20), Fragile::increment))
                    .isInstanceOf(ServiceUnavailableException.class).hasMessageContaining("RUNNING");
            java.util.concurrent.CompletableFuture<Fragile> next = future.toCompletableFuture();
            assertThat(next).isNotDone();

            releaseNew.countDown();

            Fragile second = future.call(WAIT, f -> f);
            assertThat(second).isNotSameAs(first).isSameAs(next.get(10, TimeUnit.SECONDS));
            assertThat(future.generation()).isEqualTo(2);
            assertThat(future.isRestarting()).isFalse();
            // listeners hear of a transition after its futures completed: restarted() may come a moment later
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> heard.size() == 2)).isTrue();
            assertThat(heard).containsExactly("restarting 1", "restarted 2");
        }
    }

    // ---- a backend that rejects work ----

    @Test
    void cancel_runs_the_stop_on_the_callers_thread_when_the_backend_rejects_work() {
        RejectingBackend backend = new RejectingBackend();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(backend).build())) {
            AtomicReference<Thread> stoppedOn = new AtomicReference<>();
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("rejected", Counter::new)
                    .stop(c -> {
                        stoppedOn.set(Thread.currentThread());
                        c.close();
                    }).build()).start("r");
            Counter counter = future.join();
            backend.rejectWork.set(true);
            backend.rejectTimers.set(true);

            assertThat(future.cancel(true)).isTrue();

            assertThat(stoppedOn.get()).isSameAs(Thread.currentThread());
            assertThat(counter.closes.get()).isEqualTo(1);
            assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        }
    }

    @Test
    void close_stops_every_service_on_its_own_thread_when_the_backend_rejects_work() {
        RejectingBackend backend = new RejectingBackend();
        FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(backend).build());
        Counter a = engine.serviceTask("a", Counter::new).start("a").join();
        Counter b = engine.serviceTask("b", Counter::new).start("b").join();
        backend.rejectWork.set(true);

        engine.close();

        assertThat(a.closes.get()).isEqualTo(1);
        assertThat(b.closes.get()).isEqualTo(1);
        assertThat(engine.servicesByState()).containsOnlyKeys(ServiceState.TERMINATED);
    }

    @Test
    void a_start_the_backend_rejects_fails_the_service_naming_it() {
        RejectingBackend backend = new RejectingBackend();
        backend.rejectWork.set(true);
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(backend)
                .serviceRetry(fastRetry(1)).build())) {
            ServiceFuture<Counter> future = engine.serviceTask("never", Counter::new).start("n");

            assertThatThrownBy(future::join).isInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("'never#").hasRootCauseInstanceOf(RejectedExecutionException.class);
            assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        }
    }

    @Test
    void a_restart_whose_timer_the_backend_rejects_fails_the_service_and_stops_the_old_instance() throws Exception {
        RejectingBackend backend = new RejectingBackend();
        List<Fragile> built = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(backend).serviceRetry(fastRetry(1)).build())) {
            ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("supervised",
                            owner -> {
                                Fragile f = new Fragile(owner);
                                built.add(f);
                                return f;
                            })
                    .stop(f -> {
                        backend.rejectTimers.set(true); // the restart's cold start, scheduled after this stop, cannot be
                        f.close();
                    })
                    .health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(10)).build())
                    .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ZERO)).build()).start("x");
            future.join().broken.set(true);

            assertThat(eventually(() -> future.state() == ServiceState.FAILED)).isTrue();
            assertThat(future.failureCause()).get().asString().contains("could not schedule its restart");
            assertThat(built).hasSize(1);
            assertThat(built.get(0).closes.get()).isEqualTo(1);
        }
    }

    // ---- API: start() without an argument, ServiceCallException ----

    static final class Plain implements AutoCloseable {
        int hits;

        @Override
        public void close() {
        }
    }

    @Test
    void a_service_without_start_argument_starts_with_start() {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<Plain> plain = engine.serviceTask("plain", () -> new Plain()).start();
            ServiceFuture<Plain> defined = engine.serviceTask(ServiceDefinition.builder("defined", Plain::new).build())
                    .start(null);

            int hits = plain.call(WAIT, p -> ++p.hits);
            assertThat(hits).isEqualTo(1);
            assertThat(defined.join()).isNotSameAs(plain.join());
        }
    }

    @Test
    void a_checked_exception_inside_call_is_a_service_call_exception_keeping_the_cause() {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<Plain> future = engine.serviceTask("checked", () -> new Plain()).start();
            IOException thrown = new IOException("disk full");

            assertThatThrownBy(() -> future.call(WAIT, p -> {
                throw thrown;
            })).isInstanceOfSatisfying(ServiceCallException.class, e -> {
                assertThat(e.getCause()).isSameAs(thrown);
                assertThat(e.serviceId()).isEqualTo(future.id());
                assertThat(e).hasMessageContaining("'checked#").hasMessageContaining("disk full");
            });
            IllegalStateException unchecked = new IllegalStateException("as is");
            assertThatThrownBy(() -> future.call(WAIT, p -> {
                throw unchecked;
            })).isSameAs(unchecked);
        }
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        return Fakes.eventually(WAIT, condition);
    }
}
