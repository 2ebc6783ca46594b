package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.LifecycleCoreTest.FakeTicker;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Replicas behind one handle: routing by load, per-replica limits, rolling updates, autoscaling, close. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One replica's instance: numbered in start order, with the version it was started with. */
    static final class Worker implements AutoCloseable {
        final int number;
        final String version;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        volatile boolean closed;

        Worker(int number, String version) {
            this.number = number;
            this.version = version;
        }

        /** A call: fails if it reaches a closed instance, which a drain must make impossible. */
        String work(long sleepMillis) throws InterruptedException {
            inside.incrementAndGet();
            try {
                if (closed) {
                    throw new IllegalStateException("worker " + number + " called after close");
                }
                calls.incrementAndGet();
                if (sleepMillis > 0) {
                    Thread.sleep(sleepMillis); // stands for I/O
                }
                return version;
            } finally {
                inside.decrementAndGet();
            }
        }

        @Override
        public void close() {
            if (inside.get() > 0) {
                throw new IllegalStateException("worker " + number + " closed with a call inside");
            }
            closed = true;
            closes.incrementAndGet();
        }
    }

    private static EngineConfig config(Ticker ticker) {
        return EngineConfig.builder().ticker(ticker).serviceRetry(Fakes.fastRetry(1))
                .stopTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void calls_go_to_the_replica_with_fewest_in_flight_so_a_slow_replica_receives_fewer() throws Exception {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("spread", (String v) -> {
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(2).build()).start("v1");
            service.join();
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            assertThat(service.replicas()).hasSize(2);
            Worker slow = workers.get(0);
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    done.add(callers.submit(() -> {
                        for (int i = 0; i < 60; i++) {
                            service.call(WAIT, w -> w.work(w == slow ? 20 : 0));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                callers.shutdownNow();
            }
            Worker fast = workers.get(1);
            assertThat(slow.calls.get() + fast.calls.get()).isEqualTo(480);
            assertThat(slow.calls.get() * 4).as("slow %s fast %s", slow.calls, fast.calls).isLessThan(fast.calls.get());
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.callCount()).isEqualTo(480);
        }
        assertThat(workers).allSatisfy(w -> assertThat(w.closes).hasValue(1));
    }

    @Test
    void max_concurrent_calls_applies_per_replica() throws Exception {
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            AtomicInteger numbers = new AtomicInteger();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("limited", (String v) -> new Worker(numbers.incrementAndGet(), v))
                    .replicas(2).maxConcurrentCalls(1, Duration.ZERO).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> served = new CopyOnWriteArrayList<>();
            CountDownLatch entered = new CountDownLatch(2);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> blocked = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    blocked.add(callers.submit(() -> service.call(WAIT, w -> {
                        served.add(w.number);
                        entered.countDown();
                        release.await();
                        return null;
                    })));
                    assertThat(eventually(WAIT, () -> service.inFlightCalls() == blocked.size())).isTrue();
                }
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(served).containsExactlyInAnyOrder(1, 2); // one call on each replica, each at its limit
                assertThatThrownBy(() -> service.call(WAIT, w -> w.number)).isInstanceOf(ServiceBusyException.class);
                release.countDown();
                for (Future<?> f : blocked) {
                    f.get(10, TimeUnit.SECONDS);
                }
            } finally {
                release.countDown();
                callers.shutdownNow();
            }
            assertThat(service.refusedCallCount()).isEqualTo(1);
        }
    }

    @RepeatedTest(2)
    void rolling_updates_under_16_threads_fail_no_call_and_close_every_instance_once() throws Exception {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        EventRecorder recorder;
        ServiceFuture<Worker> service;
        AtomicLong failures = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            recorder = engine.telemetry().record();
            service = engine.serviceTask(ServiceDefinition
                    .builder("rolling", (String v) -> {
                        Thread.sleep(30); // a cold start no call may wait for
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(3).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            AtomicBoolean go = new AtomicBoolean(true);
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                boolean async = t % 2 == 1; // half through callAsync, as graph nodes and tools call
                loops.add(callers.submit(() -> {
                    while (go.get()) {
                        try {
                            if (async) {
                                service.callAsync(WAIT, w -> w.work(1)).join();
                            } else {
                                service.call(WAIT, w -> w.work(1));
                            }
                            ok.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            errors.add(e);
                        }
                    }
                }));
            }
            try {
                assertThat(eventually(WAIT, () -> ok.get() > 100)).isTrue();
                assertThat(service.restart().get(30, TimeUnit.SECONDS)).isEqualTo(2);
                assertThat(service.update("v2").get(30, TimeUnit.SECONDS)).isEqualTo(3);
                long before = ok.get();
                assertThat(eventually(WAIT, () -> ok.get() > before + 100)).isTrue();
                assertThat(service.restart().get(30, TimeUnit.SECONDS)).isEqualTo(4);
            } finally {
                go.set(false);
                for (Future<?> f : loops) {
                    f.get(30, TimeUnit.SECONDS);
                }
                callers.shutdownNow();
            }
            String version = service.call(WAIT, w -> w.version);
            assertThat(version).isEqualTo("v2");
            assertThat(service.replicas()).hasSize(3)
                    .allSatisfy(r -> assertThat(r.join().version).isEqualTo("v2"));
        }
        assertThat(errors).isEmpty();
        assertThat(failures).hasValue(0);
        assertThat(service.failedCallCount()).isZero();
        assertThat(workers).hasSize(12); // 3 first + 3 per rolling update
        assertThat(workers).allSatisfy(w -> assertThat(w.closes).as("worker %s", w.number).hasValue(1));
        assertThat(recorder.events()).filteredOn(e -> e instanceof ServiceEvent s
                && s.type() == ServiceEvent.Type.REPLICA_REPLACED).hasSize(9);
    }

    @Test
    void autoscales_up_under_a_burst_and_back_down_after_within_bounds_and_delays() throws Exception {
        FakeTicker ticker = new FakeTicker();
        List<Worker> workers = new CopyOnWriteArrayList<>();
        CountDownLatch coldStarts = new CountDownLatch(1);
        try (FlowEngine engine = FlowEngine.create(config(ticker))) {
            EventRecorder recorder = engine.telemetry().record();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("scaled", (String v) -> {
                        if (!workers.isEmpty()) {
                            coldStarts.await(); // the scale-up's replicas start when the test says
                        }
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(ReplicaPolicy.autoscaling(1, 3).withTargetInFlight(2)).build()).start("v1");
            service.join();
            Map<String, Boolean> created = new ConcurrentHashMap<>();
            engine.services().forEach(s -> created.put(s.id(), true));
            assertThat(created).hasSize(1);

            CountDownLatch release = new CountDownLatch(1);
            ExecutorService burst = Executors.newFixedThreadPool(8);
            List<Future<?>> calls = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    calls.add(burst.submit(() -> service.call(WAIT, w -> {
                        release.await();
                        return w.number;
                    })));
                }
                assertThat(eventually(WAIT, () -> service.inFlightCalls() == 8)).isTrue();
                ticker.advance(Duration.ofSeconds(29));
                service.call(WAIT, w -> w.number);           // 8 in flight want 4 replicas (max 3): not for 30 s yet
                assertThat(engine.services()).hasSize(1);
                ticker.advance(Duration.ofSeconds(1));
                service.call(WAIT, w -> w.number);           // 30 s above: one scale action, to the max
                assertThat(eventually(WAIT, () -> engine.services().size() == 3)).isTrue();
                ticker.advance(Duration.ofSeconds(100));     // the scale-up is under way: no second action
                service.call(WAIT, w -> w.number);
                ticker.advance(Duration.ofSeconds(100));
                service.call(WAIT, w -> w.number);
                assertThat(engine.services()).hasSize(3);
                assertThat(service.replicas()).hasSize(1);   // new replicas take calls once RUNNING
                coldStarts.countDown();
                assertThat(eventually(WAIT, () -> service.replicas().size() == 3)).isTrue();
                ticker.advance(Duration.ofSeconds(100));
                service.call(WAIT, w -> w.number);
                assertThat(engine.services()).hasSize(3);    // never above max
            } finally {
                release.countDown();
                coldStarts.countDown();
                for (Future<?> f : calls) {
                    f.get(10, TimeUnit.SECONDS);
                }
                burst.shutdownNow();
            }
            assertThat(service.inFlightCalls()).isZero();
            service.call(WAIT, w -> w.number);               // opens the scale-down window
            ticker.advance(Duration.ofSeconds(599));
            service.call(WAIT, w -> w.number);
            assertThat(service.replicas()).hasSize(3);
            ticker.advance(Duration.ofSeconds(1));
            service.call(WAIT, w -> w.number);               // 600 s below: down to the min
            assertThat(eventually(WAIT, () -> service.replicas().size() == 1)).isTrue();
            assertThat(eventually(WAIT, () -> workers.stream().filter(w -> w.closes.get() == 1).count() == 2)).isTrue();
            ticker.advance(Duration.ofSeconds(1200));
            service.call(WAIT, w -> w.number);
            service.call(WAIT, w -> w.number);
            assertThat(service.replicas()).hasSize(1);       // never below min
            assertThat(engine.services()).hasSize(3);        // no replica started since
            assertThat(service.failedCallCount()).isZero();

            List<String> scaling = recorder.events().stream()
                    .filter(e -> e instanceof ServiceEvent s && (s.type() == ServiceEvent.Type.SCALED_UP
                            || s.type() == ServiceEvent.Type.SCALED_DOWN))
                    .map(e -> ((ServiceEvent) e).type() + " " + ((ServiceEvent) e).detail())
                    .toList();
            assertThat(scaling).hasSize(2);
            assertThat(scaling.get(0)).startsWith("SCALED_UP 1 -> 3 replicas");
            assertThat(scaling.get(1)).startsWith("SCALED_DOWN 3 -> 1 replicas");
        }
        assertThat(workers).hasSize(3).allSatisfy(w -> assertThat(w.closes).hasValue(1));
    }

    @RepeatedTest(2)
    void scaling_up_and_down_under_16_threads_fails_no_call_and_closes_every_instance_once() throws Exception {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        AtomicLong failures = new AtomicLong();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        EventRecorder recorder;
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            recorder = engine.telemetry().record();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("elastic", (String v) -> {
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(ReplicaPolicy.autoscaling(1, 4).withTargetInFlight(2)
                            .withDelays(Duration.ZERO, Duration.ZERO)).build()).start("v1");
            service.join();
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicBoolean heavy = new AtomicBoolean(false);
            Gate gate = new Gate();
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                boolean always = t == 0;
                boolean async = t % 2 == 1;
                loops.add(callers.submit(() -> {
                    while (go.get()) {
                        if (!always && !heavy.get()) {
                            gate.await(); // light phase: one caller only
                            continue;
                        }
                        try {
                            if (async) {
                                service.callAsync(WAIT, w -> w.work(1)).join();
                            } else {
                                service.call(WAIT, w -> w.work(1));
                            }
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            errors.add(e);
                        }
                    }
                    return null;
                }));
            }
            try {
                for (int cycle = 0; cycle < 3; cycle++) {
                    heavy.set(true);
                    gate.open();
                    int c = cycle;
                    assertThat(eventually(WAIT, () -> service.replicas().size() == 4)).as("up, cycle %d", c).isTrue();
                    heavy.set(false);
                    gate.close();
                    assertThat(eventually(WAIT, () -> service.replicas().size() == 1)).as("down, cycle %d", c).isTrue();
                }
            } finally {
                go.set(false);
                gate.open();
                for (Future<?> f : loops) {
                    f.get(30, TimeUnit.SECONDS);
                }
                callers.shutdownNow();
            }
            assertThat(service.failedCallCount()).isZero();
        }
        assertThat(errors).isEmpty();
        assertThat(failures).hasValue(0);
        assertThat(workers.size()).isGreaterThanOrEqualTo(1 + 3 * 3);
        assertThat(workers).allSatisfy(w -> assertThat(w.closes).as("worker %s", w.number).hasValue(1));
        long ups = recorder.events().stream().filter(e -> e instanceof ServiceEvent s
                && s.type() == ServiceEvent.Type.SCALED_UP).count();
        long downs = recorder.events().stream().filter(e -> e instanceof ServiceEvent s
                && s.type() == ServiceEvent.Type.SCALED_DOWN).count();
        assertThat(ups).isGreaterThanOrEqualTo(3);
        assertThat(downs).isGreaterThanOrEqualTo(3);
    }

    /** Callers wait at it while it is closed (up to a second, then look again); opening lets every waiter through. */
    static final class Gate {
        private final java.util.concurrent.atomic.AtomicReference<CountDownLatch> latch =
                new java.util.concurrent.atomic.AtomicReference<>(new CountDownLatch(1));

        void await() throws InterruptedException {
            latch.get().await(1, TimeUnit.SECONDS);
        }

        void open() {
            latch.get().countDown();
        }

        void close() {
            latch.set(new CountDownLatch(1));
        }
    }

    @Test
    void the_scheduler_timer_scales_up_and_down_when_no_call_comes() throws Exception {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("timed", (String v) -> {
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(ReplicaPolicy.autoscaling(1, 2).withTargetInFlight(1)
                            .withDelays(Duration.ofMillis(50), Duration.ofMillis(50))).build()).start("v1");
            service.join();
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            List<Future<?>> blocked = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    blocked.add(callers.submit(() -> service.call(WAIT, w -> release.await(30, TimeUnit.SECONDS))));
                }
                // 2 in flight at a target of 1: no further call comes; the timer at the window's end scales up
                assertThat(eventually(WAIT, () -> service.replicas().size() == 2)).isTrue();
            } finally {
                release.countDown();
                for (Future<?> f : blocked) {
                    f.get(10, TimeUnit.SECONDS);
                }
                callers.shutdownNow();
            }
            // the last call's end opened the scale-down window; no call comes: the timer scales down
            assertThat(eventually(WAIT, () -> service.replicas().size() == 1)).isTrue();
            assertThat(eventually(WAIT, () -> workers.stream().filter(w -> w.closes.get() == 1).count() == 1)).isTrue();
        }
        assertThat(workers).hasSize(2).allSatisfy(w -> assertThat(w.closes).hasValue(1));
    }

    @Test
    void a_failed_replica_gets_no_calls_and_a_rolling_restart_replaces_it() throws Exception {
        List<Worker> workers = new CopyOnWriteArrayList<>();
        AtomicInteger starts = new AtomicInteger();
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("patchy", (String v) -> {
                        int n = starts.incrementAndGet();
                        if (n == 2) {
                            throw new java.io.IOException("replica start " + n + " cannot connect");
                        }
                        Worker w = new Worker(n, v);
                        workers.add(w);
                        return w;
                    }).replicas(ReplicaPolicy.fixed(2).withReplacement(RestartPolicy.never())).build()).start("v1");
            service.join();
            assertThat(eventually(WAIT, () -> service.replicas().stream()
                    .anyMatch(r -> r.state() == ServiceState.FAILED))).isTrue();
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
            for (int i = 0; i < 20; i++) {
                String version = service.call(WAIT, w -> w.work(0));
                assertThat(version).isEqualTo("v1");
            }
            assertThat(workers).hasSize(1);
            assertThat(workers.get(0).calls).hasValue(20);

            assertThat(service.restart().get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.replicas()).hasSize(2).allSatisfy(r -> assertThat(r.isRunning()).isTrue());
            assertThat(workers).extracting(w -> w.number).containsExactly(1, 3, 4);
            // the first generation of replica 1, replaced blue/green, drains then stops
            assertThat(eventually(WAIT, () -> workers.get(0).closes.get() == 1)).isTrue();
            assertThat(service.failedCallCount()).isZero();
        }
        assertThat(workers).allSatisfy(w -> assertThat(w.closes).hasValue(1));
    }

    @Test
    void call_async_is_routed_by_load_and_waits_for_a_slot_without_a_thread() throws Exception {
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            AtomicInteger numbers = new AtomicInteger();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("async", (String v) -> new Worker(numbers.incrementAndGet(), v))
                    .replicas(2).maxConcurrentCalls(1, Duration.ofSeconds(10)).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Integer>> futures = new CopyOnWriteArrayList<>();
            ExecutorService callers = Executors.newFixedThreadPool(2);
            List<Integer> served = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // a free slot: the call runs on its caller's thread
                    callers.submit(() -> futures.add(service.callAsync(WAIT, w -> {
                        release.await(10, TimeUnit.SECONDS);
                        return w.number;
                    })));
                    int started = i + 1;
                    assertThat(eventually(WAIT, () -> service.inFlightCalls() == started)).isTrue();
                }
                List<CompletableFuture<Integer>> queued = new ArrayList<>();
                for (int i = 0; i < 2; i++) { // no free slot: an incomplete future at once, no thread waits
                    queued.add(service.callAsync(WAIT, w -> w.number));
                }
                assertThat(queued).allSatisfy(f -> assertThat(f).isNotDone());
                assertThat(service.inFlightCalls()).isEqualTo(4);  // two running, two queued, one per replica
                release.countDown();
                for (CompletableFuture<Integer> f : queued) {
                    served.add(f.get(10, TimeUnit.SECONDS));
                }
                assertThat(eventually(WAIT, () -> futures.size() == 2)).isTrue();
                for (CompletableFuture<Integer> f : futures) {
                    served.add(f.get(10, TimeUnit.SECONDS));
                }
            } finally {
                release.countDown();
                callers.shutdownNow();
            }
            assertThat(served).containsOnly(1, 2);
            assertThat(served.stream().filter(n -> n == 1).count()).isEqualTo(2); // two on each replica
            assertThat(service.inFlightCalls()).isZero();
            assertThat(service.failedCallCount()).isZero();
            assertThat(service.callCount()).isEqualTo(4);
        }
    }

    @Test
    void each_replica_has_its_own_health_restarts_and_generation() throws Exception {
        List<Fakes.Fragile> built = new CopyOnWriteArrayList<>();
        try (FlowEngine engine = FlowEngine.create(config(Ticker.systemTicker()))) {
            ServiceFuture<Fakes.Fragile> service = engine.serviceTask(ServiceDefinition
                    .builder("fragile", (String v) -> {
                        Fakes.Fragile f = new Fakes.Fragile("replica " + (built.size() + 1));
                        built.add(f);
                        return f;
                    })
                    .health(HealthConfig.<Fakes.Fragile>builder(Fakes.Fragile::ping).interval(Duration.ofMillis(20))
                            .timeout(Duration.ofSeconds(1)).build())
                    .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ZERO))
                    .replicas(2).build()).start("v1");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning)
                    && service.health().isHealthy())).isTrue();
            List<ServiceFuture<Fakes.Fragile>> replicas = service.replicas();
            ServiceFuture<Fakes.Fragile> sick = replicas.get(0);
            ServiceFuture<Fakes.Fragile> well = replicas.get(1);
            Fakes.Fragile broken = sick.join();
            Fakes.Fragile healthy = well.join();
            broken.broken.set(true); // its ping fails from now on: its own supervisor replaces it
            assertThat(eventually(WAIT, () -> sick.generation() == 2 && sick.isRunning())).isTrue();
            assertThat(well.generation()).isEqualTo(1);
            assertThat(well.join()).isSameAs(healthy);
            assertThat(eventually(WAIT, () -> broken.closes.get() == 1)).isTrue();
            assertThat(sick.join()).isNotSameAs(broken);
            for (int i = 0; i < 20; i++) {
                int value = service.call(WAIT, f -> f.increment());
                assertThat(value).isPositive();
            }
            assertThat(service.replicas()).containsExactly(sick, well); // the same slots, each its own generation
            assertThat(service.failedCallCount()).isZero();
        }
        assertThat(built).hasSize(3).allSatisfy(f -> assertThat(f.closes).hasValue(1));
    }

    @Test
    void the_handle_reports_state_generation_and_uptime_on_the_engine_ticker() throws Exception {
        AtomicLong now = new AtomicLong(); // a ticker that starts at 0
        try (FlowEngine engine = FlowEngine.create(config(now::get))) {
            AtomicInteger numbers = new AtomicInteger();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("reported", (String v) -> new Worker(numbers.incrementAndGet(), v))
                    .replicas(2).build()).start("v1");
            service.join();
            assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(service.isDone()).isTrue();
            assertThat(service.generation()).isEqualTo(1);
            assertThat(service.startupDuration()).contains(Duration.ZERO);
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            assertThat(service.uptime()).isEqualTo(Duration.ofSeconds(5));
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(service.generation()).isEqualTo(2);
            assertThat(service.cancel(true)).isTrue();
            assertThat(service.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(service.isCancelled()).isTrue();
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            assertThat(service.uptime()).isEqualTo(Duration.ofSeconds(5)); // frozen at the stop
            assertThatThrownBy(service::join).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(service.toCompletableFuture()).isCancelled();
            assertThat(service.cancel(true)).isFalse();
            assertThat(engine.services()).allSatisfy(s -> assertThat(s.state()).isEqualTo(ServiceState.TERMINATED));
        }
    }

    @RepeatedTest(3)
    void close_during_a_rolling_update_or_a_scale_up_stops_everything_within_its_deadline() throws Exception {
        for (boolean scaleUp : new boolean[] {false, true}) {
            FakeTicker ticker = new FakeTicker();
            List<Worker> workers = new CopyOnWriteArrayList<>();
            AtomicInteger hangingStarts = new AtomicInteger();
            AtomicInteger interrupted = new AtomicInteger();
            CountDownLatch hanging = new CountDownLatch(1);
            java.util.Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
            FlowEngine engine = FlowEngine.create(config(ticker));
            ReplicaPolicy policy = scaleUp
                    ? ReplicaPolicy.autoscaling(1, 2).withTargetInFlight(1).withDelays(Duration.ZERO, Duration.ZERO)
                    : ReplicaPolicy.fixed(2);
            int first = policy.min();
            ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                    .builder("closing", (String v) -> {
                        if (workers.size() >= first) {
                            hangingStarts.incrementAndGet();
                            hanging.countDown();
                            try {
                                Fakes.hang(); // the replacement's cold start never ends by itself
                            } catch (InterruptedException e) {
                                interrupted.incrementAndGet();
                                throw e;
                            }
                        }
                        Worker w = new Worker(workers.size() + 1, v);
                        workers.add(w);
                        return w;
                    }).replicas(policy).build()).start("v1");
            assertThat(eventually(WAIT, () -> workers.size() == first
                    && service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            CompletableFuture<Integer> rolling = null;
            CountDownLatch release = new CountDownLatch(1);
            Thread caller = null;
            if (scaleUp) {
                caller = new Thread(() -> service.call(WAIT, w -> {
                    release.await();   // 1 in flight at a target of 1... and another call sees 2: scale up
                    return null;
                }));
                caller.start();
                assertThat(eventually(WAIT, () -> service.inFlightCalls() == 1)).isTrue();
                service.call(WAIT, w -> w.number);
            } else {
                rolling = service.restart();
            }
            assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            if (caller != null) {
                caller.join(10_000);
            }
            long began = System.nanoTime();
            engine.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(2_000 + 1_000 + 2_000);
            assertThat(service.state()).isIn(ServiceState.TERMINATED, ServiceState.FAILED);
            // nothing the engine started outlives it: no thread that was not there before (callers joined above)
            assertThat(eventually(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive).filter(t -> t.getName().startsWith("flowgentic4j-"))
                    .allMatch(threadsBefore::contains))).as("engine threads after close").isTrue();
            assertThat(engine.services()).allSatisfy(s -> assertThat(s.state().isTerminal()).isTrue());
            assertThat(workers).hasSize(first).allSatisfy(w -> assertThat(w.closes).hasValue(1));
            assertThat(hangingStarts).hasValue(1);
            assertThat(eventually(WAIT, () -> interrupted.get() == 1)).isTrue();
            if (rolling != null) {
                CompletableFuture<Integer> r = rolling;
                assertThat(eventually(WAIT, r::isDone)).isTrue();
                assertThat(r).isCompletedExceptionally();
            }
            assertThatThrownBy(() -> service.call(WAIT, w -> w.number)).isInstanceOf(ServiceUnavailableException.class);
            assertThat(service.restart()).isCancelled();
        }
    }

    @RepeatedTest(3)
    void close_during_a_scale_down_whose_replica_drains_stops_everything_within_its_deadline() throws Exception {
        FakeTicker ticker = new FakeTicker();
        List<Worker> workers = new CopyOnWriteArrayList<>();
        java.util.Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        // stop timeout 4 s: a leaving replica drains its calls for up to 2 s
        FlowEngine engine = FlowEngine.create(EngineConfig.builder().ticker(ticker).serviceRetry(Fakes.fastRetry(1))
                .stopTimeout(Duration.ofSeconds(4)).backendShutdownTimeout(Duration.ofSeconds(2)).build());
        ServiceFuture<Worker> service = engine.serviceTask(ServiceDefinition
                .builder("shrinking", (String v) -> {
                    Worker w = new Worker(workers.size() + 1, v);
                    workers.add(w);
                    return w;
                }).replicas(ReplicaPolicy.autoscaling(1, 2).withTargetInFlight(2)
                        .withDelays(Duration.ZERO, Duration.ZERO)).build()).start("v1");
        service.join();
        List<CountDownLatch> releases = new ArrayList<>();
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 4; i++) {
                if (i == 3) { // the 3rd call in flight wanted 2 replicas: the 4th goes to the new one
                    assertThat(eventually(WAIT, () -> service.replicas().size() == 2
                            && service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
                }
                CountDownLatch release = new CountDownLatch(1);
                releases.add(release);
                held.add(CompletableFuture.supplyAsync(() -> service.call(WAIT, w -> {
                    release.await(20, TimeUnit.SECONDS);
                    return w.number;
                }), callers));
                int inFlight = i + 1;
                assertThat(eventually(WAIT, () -> service.inFlightCalls() == inFlight)).isTrue();
            }
            assertThat(held.get(0).isDone()).isFalse();
            // two calls end (both on replica 1): 2 left, one per replica, want 1 replica: one leaves, draining its call
            releases.get(0).countDown();
            assertThat(held.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            releases.get(1).countDown();
            assertThat(held.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(eventually(WAIT, () -> service.replicas().size() == 1)).isTrue();
            assertThat(engine.services().stream().filter(r -> !service.replicas().contains(r)).count()).isEqualTo(1);
            assertThat(eventually(WAIT, () -> engine.services().stream().filter(r -> !service.replicas().contains(r))
                    .allMatch(r -> r.state() == ServiceState.STOPPING))).as("the leaving replica drains").isTrue();
            assertThat(workers).allSatisfy(w -> assertThat(w.closes).hasValue(0));

            long began = System.nanoTime();
            engine.close(); // the held calls never return by themselves: both drains run out
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(4_000 + 2_000 + 1_000);
        } finally {
            releases.forEach(CountDownLatch::countDown);
            callers.shutdown();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            engine.close();
        }
        assertThat(service.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(engine.services()).hasSize(2).allSatisfy(r -> assertThat(r.state()).isEqualTo(ServiceState.TERMINATED));
        assertThat(workers).hasSize(2).allSatisfy(w -> assertThat(w.closes).as("worker %s", w.number).hasValue(1));
        for (CompletableFuture<Integer> call : held.subList(2, 4)) {
            assertThat(call.get(10, TimeUnit.SECONDS)).isPositive(); // a final stop lets a late call's outcome through
        }
        assertThat(eventually(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).filter(t -> t.getName().startsWith("flowgentic4j-"))
                .allMatch(threadsBefore::contains))).as("engine threads after close").isTrue();
        assertThatThrownBy(() -> service.call(WAIT, w -> w.number)).isInstanceOf(ServiceUnavailableException.class);
        assertThat(service.restart()).isCancelled();
    }

    @Test
    void replicas_are_checked_at_once() {
        assertThatThrownBy(() -> ReplicaPolicy.fixed(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min must be >= 1");
        assertThatThrownBy(() -> ReplicaPolicy.autoscaling(3, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max must be >= min");
        assertThatThrownBy(() -> ReplicaPolicy.fixed(1).withTargetInFlight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicaPolicy.fixed(1).withDelays(Duration.ofSeconds(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        ReplicaPolicy policy = ReplicaPolicy.autoscaling(1, 4);
        assertThat(policy.targetInFlight()).isEqualTo(2);
        assertThat(policy.upscaleDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.downscaleDelay()).isEqualTo(Duration.ofSeconds(600));
        assertThat(policy.desiredReplicas(0)).isEqualTo(1);
        assertThat(policy.desiredReplicas(5)).isEqualTo(3);
        assertThat(policy.desiredReplicas(50)).isEqualTo(4);
    }
}
