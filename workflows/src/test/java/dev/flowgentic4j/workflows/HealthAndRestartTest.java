package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthAndRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FlowEngine engine = FlowEngine.create(fastConfig());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** A counter whose health can be switched off, as a dropped connection would. */
    static final class Fragile extends Counter {
        final AtomicBoolean broken = new AtomicBoolean();

        Fragile(String owner) {
            super(owner);
        }

        int use() throws IOException {
            if (broken.get()) {
                throw new IOException("connection lost");
            }
            return increment();
        }

        void ping() throws IOException {
            if (broken.get()) {
                throw new IOException("ping failed");
            }
        }
    }

    private static HealthConfig<Fragile> fastHealth() {
        return HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(20))
                .timeout(Duration.ofSeconds(1)).build();
    }

    @Test
    void a_readiness_check_must_pass_before_running_and_unready_instances_are_stopped() {
        List<Fragile> built = new CopyOnWriteArrayList<>();
        ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("ready", owner -> {
            Fragile f = new Fragile(owner);
            f.broken.set(built.size() < 2); // the first two are not ready
            built.add(f);
            return f;
        }).readiness(Fragile::ping).retry(fastRetry(3)).build()).start("r");

        Fragile live = future.join();

        assertThat(built).hasSize(3);
        assertThat(live).isSameAs(built.get(2));
        assertThat(built.get(0).closes.get()).isEqualTo(1);
        assertThat(built.get(1).closes.get()).isEqualTo(1);
        assertThat(live.closes.get()).isZero();
    }

    @Test
    void the_handle_reports_health_and_listeners_hear_changes() throws Exception {
        List<HealthStatus.State> heard = new CopyOnWriteArrayList<>();
        ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.builder("watched", Fragile::new)
                .health(fastHealth()).build()).start("w");
        future.addListener(new ServiceListener() {
            @Override
            public void healthChanged(ServiceFuture<?> service, HealthStatus health) {
                heard.add(health.state());
            }
        }, Runnable::run);
        Fragile live = future.join();
        assertThat(Fakes.eventually(WAIT, () -> future.health().isHealthy())).isTrue();

        live.broken.set(true);

        assertThat(Fakes.eventually(WAIT, () -> future.health().state() == HealthStatus.State.UNHEALTHY)).isTrue();
        HealthStatus unhealthy = future.health();
        assertThat(unhealthy.failure()).get().asString().contains("ping failed");
        assertThat(unhealthy.failureAt()).isPresent();
        assertThat(future.state()).isEqualTo(ServiceState.RUNNING); // no restart policy: stays up, says so
        live.broken.set(false);
        assertThat(Fakes.eventually(WAIT, () -> future.health().isHealthy())).isTrue();
        // listeners hear a change after it is published: wait for the third event, not for the state
        assertThat(Fakes.eventually(WAIT, () -> heard.size() >= 3)).as("heard %s", heard).isTrue();
        assertThat(heard).containsSubsequence(HealthStatus.State.HEALTHY, HealthStatus.State.UNHEALTHY,
                HealthStatus.State.HEALTHY);
    }

    @Test
    void an_unhealthy_service_is_restarted_behind_the_same_handle_and_calls_reach_the_new_instance() throws Exception {
        AtomicInteger coldStarts = new AtomicInteger();
        ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("supervised", owner -> {
            coldStarts.incrementAndGet();
            return new Fragile(owner);
        }).health(fastHealth()).restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofMillis(10)))
                .build()).start("s");
        Fragile first = future.join();
        assertThat(future.generation()).isEqualTo(1);
        int okBefore = 0;
        for (int i = 0; i < 10; i++) {
            okBefore += future.call(WAIT, Fragile::use) > 0 ? 1 : 0;
        }

        first.broken.set(true);
        int failedCalls = 0;
        int okAfterRestart = 0; // a call that waited out the restart lands on the new instance
        while (future.generation() == 1) { // calls while the service is failing
            try {
                future.call(WAIT, Fragile::use);
                okAfterRestart++;
            } catch (FlowgenticException e) {
                assertThat(e).hasMessageContaining("connection lost");
                failedCalls++;
            }
        }
        Fragile second = future.join();

        assertThat(second).isNotSameAs(first);
        assertThat(future.generation()).isEqualTo(2);
        assertThat(first.closes.get()).isEqualTo(1);
        assertThat(coldStarts.get()).isEqualTo(2);
        assertThat(future.call(WAIT, Fragile::use)).isEqualTo(okAfterRestart + 1); // calls after the restart succeed
        assertThat(failedCalls).isPositive();
        assertThat(future.failedCallCount()).isEqualTo(failedCalls);
        assertThat(future.callCount()).isEqualTo(okBefore + failedCalls + okAfterRestart + 1);
        assertThat(future.state()).isEqualTo(ServiceState.RUNNING);
    }

    @Test
    void when_the_restart_budget_is_spent_the_service_fails_and_says_why() throws Exception {
        ServiceFuture<Fragile> future = engine.serviceTask(ServiceDefinition.<String, Fragile>builder("doomed", owner -> {
            Fragile f = new Fragile(owner);
            f.broken.set(true); // every instance turns unhealthy at its first check
            return f;
        }).health(fastHealth()).restartPolicy(RestartPolicy.onFailure(2, Duration.ofMinutes(1), Duration.ZERO))
                .build()).start("d");

        assertThat(Fakes.eventually(WAIT, () -> future.state() == ServiceState.FAILED)).isTrue();

        assertThat(future.generation()).isEqualTo(3); // the first instance and two restarts
        assertThat(future.failureCause()).get().asString()
                .contains("'doomed#").contains("restart budget (2 within PT1M)").contains("ping failed");
        assertThatThrownBy(future::join).isInstanceOf(ServiceFailedException.class).hasMessageContaining("restart budget");
        assertThatThrownBy(() -> future.call(WAIT, Fragile::use)).isInstanceOf(ServiceUnavailableException.class)
                .hasMessageContaining("FAILED");
    }

    @Test
    void a_restart_policy_without_a_health_check_is_rejected() {
        assertThatThrownBy(() -> ServiceDefinition.builder("x", Counter::new)
                .restartPolicy(RestartPolicy.onFailure(1, Duration.ofSeconds(1), Duration.ZERO)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a health check");
        assertThatThrownBy(() -> RestartPolicy.onFailure(0, Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRestarts");
        assertThatThrownBy(() -> HealthConfig.builder(c -> { }).interval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    }
}
