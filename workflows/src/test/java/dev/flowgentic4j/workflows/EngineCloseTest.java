package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EngineCloseTest {

    private static EngineConfig config(Duration stopTimeout) {
        return EngineConfig.builder().serviceRetry(fastRetry(1)).stopTimeout(stopTimeout).build();
    }

    @Test
    void close_stops_every_running_service_in_reverse_start_order() {
        List<String> stopped = Collections.synchronizedList(new ArrayList<>());
        FlowEngine engine = FlowEngine.create(config(Duration.ofSeconds(2)));
        ServiceTask<String, Counter> task = engine.serviceTask(ServiceDefinition.builder("ordered", Counter::new)
                .stop(counter -> stopped.add(counter.owner)).build());
        List<ServiceFuture<Counter>> futures = new ArrayList<>();
        for (String owner : List.of("a", "b", "c", "d")) {
            ServiceFuture<Counter> future = task.start(owner);
            future.join();
            futures.add(future);
        }
        futures.get(1).cancel(true); // already stopped: not stopped twice

        engine.close();

        assertThat(stopped).containsExactly("b", "d", "c", "a");
        assertThat(futures).allSatisfy(f -> assertThat(f.state()).isEqualTo(ServiceState.TERMINATED));
    }

    @Test
    void a_stop_that_throws_or_hangs_is_reported_by_name_and_the_others_still_stop() {
        FlowEngine engine = FlowEngine.create(config(Duration.ofMillis(200)));
        CountDownLatch never = new CountDownLatch(1);
        Counter good1 = engine.serviceTask("good1", Counter::new).start("1").join();
        engine.serviceTask(ServiceDefinition.builder("throws", Counter::new)
                .stop(c -> {
                    throw new IOException("disk gone");
                }).build()).start("t").join();
        engine.serviceTask(ServiceDefinition.builder("hangs", Counter::new)
                .stop(c -> never.await()).build()).start("h").join();
        Counter good2 = engine.serviceTask("good2", Counter::new).start("2").join();

        assertThatThrownBy(engine::close)
                .isInstanceOfSatisfying(ShutdownException.class, e -> {
                    assertThat(e.getMessage()).contains("'throws#").contains("disk gone").contains("'hangs#")
                            .doesNotContain("good");
                    assertThat(e.offenders()).hasSize(2);
                    assertThat(e.getSuppressed()).hasSize(2);
                });
        assertThat(good1.closes.get()).isEqualTo(1);
        assertThat(good2.closes.get()).isEqualTo(1);
        Map<ServiceState, List<ServiceFuture<?>>> byState = engine.servicesByState();
        assertThat(byState.get(ServiceState.FAILED)).extracting(ServiceFuture::name)
                .containsExactlyInAnyOrder("throws", "hangs");
        assertThat(byState.get(ServiceState.TERMINATED)).extracting(ServiceFuture::name)
                .containsExactlyInAnyOrder("good1", "good2");
    }

    @Test
    void after_close_no_thread_of_ours_is_left_and_nothing_can_start() throws Exception {
        FlowEngine engine = FlowEngine.create(config(Duration.ofSeconds(2)));
        ServiceTask<String, Counter> task = engine.serviceTask("late", Counter::new);
        for (int i = 0; i < 5; i++) {
            task.start("s" + i).join();
        }
        FunctionTask<String, Integer> fn = engine.functionTask("fn", String::length);
        fn.call("abc");

        engine.close();
        engine.close(); // idempotent

        assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> Fakes.ourThreads().isEmpty()))
                .as("threads still alive: %s", Fakes.ourThreads()).isTrue();
        assertThatThrownBy(() -> task.start("again")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasMessageContaining("'late'");
        assertThatThrownBy(() -> fn.call("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> engine.serviceTask("new", Counter::new)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void close_stops_a_service_that_is_still_starting() throws Exception {
        FlowEngine engine = FlowEngine.create(config(Duration.ofSeconds(2)));
        CountDownLatch entered = new CountDownLatch(1);
        ServiceFuture<Counter> future = engine.serviceTask("starting", (String owner) -> {
            entered.countDown();
            Fakes.hang();
            return new Counter(owner);
        }).start("s");
        entered.await();

        engine.close();

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
    }

    @Test
    void services_by_state_is_a_snapshot_of_every_instance() throws Exception {
        FlowEngine engine = FlowEngine.create(config(Duration.ofSeconds(2)));
        try {
            CountDownLatch never = new CountDownLatch(1);
            ServiceFuture<Counter> running = engine.serviceTask("up", Counter::new).start("u");
            running.join();
            ServiceFuture<Counter> starting = engine.serviceTask("pending", (String o) -> {
                never.await();
                return new Counter(o);
            }).start("p");
            ServiceFuture<Counter> failed = engine.<String, Counter>serviceTask("down", o -> {
                throw new IOException("no");
            }).start("d");
            assertThat(Fakes.eventually(Duration.ofSeconds(5), () -> failed.state() == ServiceState.FAILED)).isTrue();
            ServiceFuture<Counter> stopped = engine.serviceTask("gone", Counter::new).start("g");
            stopped.join();
            stopped.cancel(true);

            Map<ServiceState, List<ServiceFuture<?>>> snapshot = engine.servicesByState();

            assertThat(snapshot.get(ServiceState.RUNNING)).containsExactly(running);
            assertThat(snapshot.get(ServiceState.STARTING)).containsExactly(starting);
            assertThat(snapshot.get(ServiceState.FAILED)).containsExactly(failed);
            assertThat(snapshot.get(ServiceState.TERMINATED)).containsExactly(stopped);
            assertThat(engine.startupDurations()).containsOnlyKeys(running.id(), stopped.id());
        } finally {
            engine.close();
        }
    }
}
