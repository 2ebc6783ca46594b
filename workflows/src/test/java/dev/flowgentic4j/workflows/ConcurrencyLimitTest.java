package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FlowEngine engine = FlowEngine.create(Fakes.fastConfig());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void calls_over_the_limit_wait_for_a_slot_then_fail_with_a_clear_error() throws Exception {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("limited", Counter::new)
                .maxConcurrentCalls(2, Duration.ofMillis(100)).build()).start("l");
        future.join();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> holders = holdSlots(pool, future, 2, release);
            assertThat(future.inFlightCalls()).isEqualTo(2);

            assertThatThrownBy(() -> future.call(WAIT, Counter::increment))
                    .isInstanceOf(ServiceBusyException.class)
                    .hasMessageContaining("'limited#").hasMessageContaining("2 concurrent calls already in flight");

            release.countDown();
            for (Future<Integer> h : holders) {
                h.get(10, TimeUnit.SECONDS);
            }
            assertThat(future.call(WAIT, Counter::increment)).isEqualTo(3);
            assertThat(future.join().value.get()).isEqualTo(3); // the refused call never reached the instance
            assertThat(future.callCount()).isEqualTo(4);        // but it is counted, as refused
            assertThat(future.refusedCallCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void the_limit_holds_under_contention() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("bounded", Counter::new)
                .maxConcurrentCalls(3, Duration.ofSeconds(30)).build()).start("b");
        future.join();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        future.call(WAIT, c -> {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.yield();
                            inside.decrementAndGet();
                            return c.increment();
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInside.get()).isBetween(1, 3);
        assertThat(future.join().value.get()).isEqualTo(16 * 200);
    }

    @Test
    void a_bad_limit_is_rejected_naming_the_argument() {
        assertThatThrownBy(() -> ServiceDefinition.builder("x", Counter::new).maxConcurrentCalls(0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentCalls");
        assertThatThrownBy(() -> ServiceDefinition.builder("x", Counter::new).maxConcurrentCalls(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waitTimeout");
    }

    /** Holds {@code slots} slots of {@code future} with calls blocked on {@code release}; returns once they are inside. */
    private static List<Future<Integer>> holdSlots(ExecutorService pool, ServiceFuture<Counter> future, int slots,
            CountDownLatch release) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(slots);
        List<Future<Integer>> holders = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            holders.add(pool.submit(() -> future.call(WAIT, c -> {
                inside.countDown();
                release.await();
                return c.increment();
            })));
        }
        inside.await();
        return holders;
    }

    @Test
    void async_calls_over_the_limit_wait_without_a_thread_and_get_their_slots_in_fifo_order() throws Exception {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("fifo", Counter::new)
                .maxConcurrentCalls(1, Duration.ofSeconds(30)).build()).start("f");
        future.join();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            List<Future<Integer>> holder = holdSlots(pool, future, 1, release);
            List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<CompletableFuture<Integer>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int mine = i;
                waiting.add(future.callAsync(WAIT, c -> {
                    order.add(mine);
                    return c.increment();
                }));
            }
            // five calls queued on this one thread: none ran, none holds a thread
            assertThat(waiting).noneMatch(CompletableFuture::isDone);
            assertThat(order).isEmpty();
            assertThat(future.inFlightCalls()).isEqualTo(1);

            release.countDown();
            holder.get(0).get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly(0, 1, 2, 3, 4);
            assertThat(waiting.get(4).join()).isEqualTo(6);
            assertThat(future.callCount()).isEqualTo(6);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void an_async_call_with_a_free_slot_runs_on_the_calling_thread() {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("inline", Counter::new)
                .maxConcurrentCalls(2, Duration.ofSeconds(1)).build()).start("i");
        future.join();
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> ran = future.callAsync(WAIT, c -> Thread.currentThread());
        assertThat(ran).isCompletedWithValue(caller);
    }

    @Test
    void an_async_call_that_waits_past_the_timeout_fails_busy_and_leaves_the_slots_intact() throws Exception {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("slow", Counter::new)
                .maxConcurrentCalls(1, Duration.ofMillis(100)).build()).start("s");
        future.join();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            List<Future<Integer>> holder = holdSlots(pool, future, 1, release);
            CompletableFuture<Integer> refused = future.callAsync(WAIT, Counter::increment);
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ServiceBusyException.class)
                    .hasMessageContaining("'slow#").hasMessageContaining("1 concurrent calls already in flight");

            release.countDown();
            holder.get(0).get(10, TimeUnit.SECONDS);
            assertThat(future.callAsync(WAIT, Counter::increment).get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(future.call(WAIT, Counter::increment)).isEqualTo(3);
            assertThat(future.join().value.get()).isEqualTo(3); // the refused call never reached the instance
            assertThat(future.callCount()).isEqualTo(4);        // but it is counted, as refused
            assertThat(future.refusedCallCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void an_interrupted_waiting_caller_is_refused_with_its_flag_restored_and_frees_nothing() throws Exception {
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("irq", Counter::new)
                .maxConcurrentCalls(1, Duration.ofSeconds(30)).build()).start("q");
        future.join();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> holder = holdSlots(pool, future, 1, release);
            CompletableFuture<Boolean> flag = new CompletableFuture<>();
            pool.submit(() -> {
                Thread.currentThread().interrupt();     // the wait for the held slot ends at once
                try {
                    future.call(WAIT, Counter::increment);
                    flag.complete(null);
                } catch (ServiceBusyException e) {
                    flag.complete(Thread.interrupted());
                }
            });
            assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> next = future.callAsync(WAIT, Counter::increment);
            assertThat(next).isNotDone();    // the holder still has the one slot
            release.countDown();
            holder.get(0).get(10, TimeUnit.SECONDS);
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @RepeatedTest(5)
    void sync_and_async_callers_share_one_limit_under_contention() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("mixed", Counter::new)
                .maxConcurrentCalls(2, Duration.ofSeconds(30)).build()).start("m");
        future.join();
        ServiceCall<Counter, Integer> work = c -> {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            Thread.yield();
            inside.decrementAndGet();
            return c.increment();
        };
        ExecutorService pool = Executors.newFixedThreadPool(8);
        ConcurrentLinkedQueue<CompletableFuture<Integer>> async = new ConcurrentLinkedQueue<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean sync = t % 2 == 0;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        if (sync) {
                            future.call(WAIT, work);
                        } else {
                            async.add(future.callAsync(WAIT, work));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(async.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInside.get()).isBetween(1, 2);
        assertThat(future.join().value.get()).isEqualTo(8 * 100);
        assertThat(future.inFlightCalls()).isZero();
    }
}
