package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
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
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                holders.add(pool.submit(() -> future.call(WAIT, c -> {
                    inside.countDown();
                    release.await();
                    return c.increment();
                })));
            }
            inside.await();
            assertThat(future.inFlightCalls()).isEqualTo(2);

            assertThatThrownBy(() -> future.call(WAIT, Counter::increment))
                    .isInstanceOf(ServiceBusyException.class)
                    .hasMessageContaining("'limited#").hasMessageContaining("2 concurrent calls already in flight");

            release.countDown();
            for (Future<Integer> h : holders) {
                h.get(10, TimeUnit.SECONDS);
            }
            assertThat(future.call(WAIT, Counter::increment)).isEqualTo(3);
            assertThat(future.callCount()).isEqualTo(3); // the refused call never reached the instance
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
}
