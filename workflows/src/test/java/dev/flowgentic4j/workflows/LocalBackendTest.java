package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import dev.flowgentic4j.workflows.internal.LocalBackend;
import dev.flowgentic4j.workflows.spi.VirtualThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalBackendTest {

    private static BackendWork<Integer> blocker(Backend backend, CountDownLatch started, CountDownLatch release,
            AtomicInteger inside, AtomicInteger maxInside) {
        return backend.submit("blocker", () -> {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            started.countDown();
            release.await();
            inside.decrementAndGet();
            return 1;
        });
    }

    @Test
    void a_bounded_backend_runs_at_most_max_threads_and_queues_the_rest() throws Exception {
        try (Backend backend = Backend.local(LocalBackendConfig.builder().maxThreads(2).queueCapacity(10).build())) {
            CountDownLatch started = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            List<BackendWork<Integer>> work = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                work.add(blocker(backend, started, release, inside, maxInside));
            }
            started.await(10, TimeUnit.SECONDS);
            assertThat(work.subList(2, 6)).noneMatch(w -> w.outcome().isDone());
            release.countDown();
            int sum = 0;
            for (BackendWork<Integer> w : work) {
                sum += w.outcome().get(10, TimeUnit.SECONDS);
            }
            assertThat(sum).isEqualTo(6);
            assertThat(maxInside.get()).isEqualTo(2);
        }
    }

    @Test
    void a_full_backend_refuses_work_naming_its_limits() throws Exception {
        try (Backend backend = Backend.local(LocalBackendConfig.builder().maxThreads(1).queueCapacity(1).build())) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger inside = new AtomicInteger();
            BackendWork<Integer> running = blocker(backend, started, release, inside, new AtomicInteger());
            started.await(10, TimeUnit.SECONDS);
            BackendWork<Integer> queued = backend.submit("queued", () -> 2);
            assertThatThrownBy(() -> backend.submit("third", () -> 3))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("'local' is full").hasMessageContaining("maxThreads = 1")
                    .hasMessageContaining("queueCapacity = 1");
            release.countDown();
            assertThat(running.outcome().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(queued.outcome().get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }

    @Test
    void without_a_queue_a_bounded_backend_refuses_as_soon_as_every_thread_is_busy() throws Exception {
        try (Backend backend = Backend.local(LocalBackendConfig.builder().maxThreads(1).build())) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            BackendWork<Integer> running = blocker(backend, started, release, new AtomicInteger(), new AtomicInteger());
            started.await(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> backend.submit("second", () -> 2))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("queueCapacity = 0");
            release.countDown();
            running.outcome().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void virtual_threads_are_used_where_the_jvm_has_them_and_platform_threads_otherwise() throws Exception {
        LocalBackend backend = new LocalBackend("vt", LocalBackendConfig.builder().virtualThreads(true).build());
        try {
            assertThat(backend.usesVirtualThreads()).isEqualTo(Runtime.version().feature() >= 21);
            assertThat(LocalBackendConfig.virtualThreadsAvailable()).isEqualTo(VirtualThreads.available());
            Thread ran = backend.submit("where", Thread::currentThread).outcome().get(10, TimeUnit.SECONDS);
            assertThat(ran.getName()).startsWith("flowgentic4j-vt-");
            assertThat(ran.isDaemon()).isTrue();
            assertThat(Thread.class.getMethod("isVirtual").invoke(ran).equals(Boolean.TRUE))
                    .isEqualTo(backend.usesVirtualThreads());
        } catch (NoSuchMethodException e) {
            assertThat(backend.usesVirtualThreads()).isFalse();     // Java 17-18: no isVirtual()
        } finally {
            assertThat(backend.shutdown(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void the_seam_says_clearly_when_virtual_threads_are_missing() {
        if (VirtualThreads.available()) {
            assertThat(VirtualThreads.factory().newThread(() -> {})).isNotNull();
        } else {
            assertThatThrownBy(VirtualThreads::factory).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("Java 21");
        }
    }

    @Test
    void an_engine_on_a_bounded_virtual_backend_runs_services_and_async_calls() throws Exception {
        EngineConfig config = EngineConfig.builder()
                .localBackend(LocalBackendConfig.builder().virtualThreads(true).maxThreads(4).queueCapacity(100).build())
                .build();
        try (FlowEngine engine = FlowEngine.create(config)) {
            ServiceFuture<Counter> future = engine.serviceTask(ServiceDefinition.builder("vt", Counter::new)
                    .maxConcurrentCalls(1, Duration.ofSeconds(30)).build()).start("v");
            future.join();
            List<java.util.concurrent.CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(future.callAsync(Duration.ofSeconds(10), Counter::increment));
            }
            for (var call : calls) {
                call.get(10, TimeUnit.SECONDS);
            }
            assertThat(future.callCount()).isEqualTo(20);
            assertThat(future.join().value.get()).isEqualTo(20);
        }
    }

    @Test
    void bad_settings_are_rejected_naming_the_setting() {
        assertThatThrownBy(() -> LocalBackendConfig.builder().maxThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxThreads");
        assertThatThrownBy(() -> LocalBackendConfig.builder().queueCapacity(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity");
        assertThatThrownBy(() -> LocalBackendConfig.builder().queueCapacity(5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs maxThreads");
        try (Backend own = Backend.local()) {
            assertThatThrownBy(() -> EngineConfig.builder().backend(own)
                    .localBackend(LocalBackendConfig.ofDefaults()).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localBackend");
        }
    }
}
