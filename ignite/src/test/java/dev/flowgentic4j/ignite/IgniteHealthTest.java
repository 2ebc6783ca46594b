package dev.flowgentic4j.ignite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The local state follows the cluster: a service undeployed from outside (another client's
 * {@code ignite.services().cancel(name)}) is noticed by the health check and either reported
 * UNHEALTHY or redeployed as a new generation. One embedded node on its own ports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IgniteHealthTest {
    private FlowEngine engine;
    private IgniteBackend backend;

    private void start(RestartPolicy restartPolicy) {
        backend = IgniteBackend.start(IgniteBackendConfig.builder().discoveryPort(47540, 5)
                .communicationPort(47180)
                .health(Duration.ofMillis(100), Duration.ofMillis(500))
                .restartPolicy(restartPolicy)
                .build());
        engine = FlowEngine.create(EngineConfig.builder().backend(backend).build());
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private ServiceFuture<Greeter> greeter() {
        ServiceFuture<Greeter> hello = engine.serviceTask(backend.serviceDefinition("greeter",
                IgniteService.builder(Greeter.class, RecordingGreeter.class, String.class).build()).build())
                .start("Hello");
        hello.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> hello.health().state() == HealthStatus.State.HEALTHY);
        return hello;
    }

    @Test
    void a_service_undeployed_from_outside_turns_unhealthy_naming_it_without_a_restart_policy() {
        start(RestartPolicy.never());
        ServiceFuture<Greeter> hello = greeter();
        String name = IgniteBackend.serviceName(hello.join());

        backend.ignite().services().cancel(name);

        await().atMost(Duration.ofSeconds(10)).until(() -> hello.health().state() == HealthStatus.State.UNHEALTHY);
        assertThat(hello.health().failure()).get().extracting(Throwable::getMessage).asString()
                .contains("service 'greeter'", name, "no longer deployed");
        assertThat(hello.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(hello.generation()).isEqualTo(1);
    }

    @Test
    void a_service_undeployed_from_outside_is_redeployed_as_generation_2_by_the_default_policy() throws Exception {
        start(IgniteBackendConfig.DEFAULT_RESTART_POLICY);
        ServiceFuture<Greeter> hello = greeter();
        String first = IgniteBackend.serviceName(hello.join());

        backend.ignite().services().cancel(first);

        await().atMost(Duration.ofSeconds(20)).until(() -> hello.generation() == 2 && !hello.isRestarting());
        String second = IgniteBackend.serviceName(hello.join());
        assertThat(second).isNotEqualTo(first).startsWith("greeter@");
        assertThat(hello.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(hello.<String>call(Duration.ofSeconds(5), g -> g.greet("Ada"))).isEqualTo("Hello, Ada");
        assertThat(backend.ignite().services().serviceDescriptors()).anyMatch(d -> d.name().equals(second))
                .noneMatch(d -> d.name().equals(first));
        await().atMost(Duration.ofSeconds(10)).until(() -> hello.health().state() == HealthStatus.State.HEALTHY);
    }

    @Test
    void bad_health_settings_are_refused_naming_the_setting() {
        assertThatThrownBy(() -> IgniteBackendConfig.builder().health(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthInterval");
        assertThatThrownBy(() -> IgniteBackendConfig.builder().health(Duration.ofSeconds(1), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthTimeout");
    }
}
