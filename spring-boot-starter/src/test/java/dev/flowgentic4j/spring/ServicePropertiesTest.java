package dev.flowgentic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.spring.FlowgenticProperties.RestartMode;
import dev.flowgentic4j.spring.FlowgenticProperties.ServiceProperties;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-service properties override what the definition bean says, and only what is set. */
class ServicePropertiesTest {
    static final String PREFIX = "flowgentic4j.services.db.";

    private static ServiceDefinition<Void, StringBuilder> definition() {
        return ServiceDefinition.<StringBuilder>builder("db", () -> new StringBuilder())
                .retry(RetryConfig.builder().maxAttempts(2).baseDelay(Duration.ofMillis(10)).build())
                .stopTimeout(Duration.ofSeconds(3))
                .health(HealthConfig.<StringBuilder>builder(sb -> { }).interval(Duration.ofSeconds(10))
                        .timeout(Duration.ofSeconds(2)).failureThreshold(3).build())
                .restartPolicy(RestartPolicy.onFailure(1, Duration.ofMinutes(5), Duration.ZERO))
                .maxConcurrentCalls(4, Duration.ofMillis(100))
                .build();
    }

    @Test
    void nothing_set_keeps_the_definition() {
        ServiceDefinition<Void, StringBuilder> d = FlowgenticServices.withProperties(definition(),
                new ServiceProperties(), PREFIX);

        assertThat(d.retry().orElseThrow().maxAttempts()).isEqualTo(2);
        assertThat(d.stopTimeout()).contains(Duration.ofSeconds(3));
        assertThat(d.health().orElseThrow().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.restartPolicy().maxRestarts()).isEqualTo(1);
        assertThat(d.maxConcurrentCalls()).isEqualTo(4);
        assertThat(d.callWaitTimeout()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void each_property_set_overrides_its_value_and_keeps_the_rest() {
        ServiceProperties p = new ServiceProperties();
        p.getRetry().setMaxAttempts(5);
        p.setStopTimeout(Duration.ofSeconds(7));
        p.setHealthInterval(Duration.ofMillis(250));
        p.getRestart().setPolicy(RestartMode.ON_FAILURE);
        p.getRestart().setMaxRestarts(2);
        p.getRestart().setWindow(Duration.ofSeconds(30));
        p.setMaxConcurrentCalls(16);

        ServiceDefinition<Void, StringBuilder> d = FlowgenticServices.withProperties(definition(), p, PREFIX);

        assertThat(d.retry().orElseThrow().maxAttempts()).isEqualTo(5);
        assertThat(d.retry().orElseThrow().baseDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(d.stopTimeout()).contains(Duration.ofSeconds(7));
        assertThat(d.health().orElseThrow().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(d.health().orElseThrow().failureThreshold()).isEqualTo(3);
        assertThat(d.restartPolicy().maxRestarts()).isEqualTo(2);
        assertThat(d.restartPolicy().window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxConcurrentCalls()).isEqualTo(16);
        assertThat(d.callWaitTimeout()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void restart_policy_never_turns_supervision_off() {
        ServiceProperties p = new ServiceProperties();
        p.getRestart().setPolicy(RestartMode.NEVER);

        assertThat(FlowgenticServices.withProperties(definition(), p, PREFIX).restartPolicy().restarts()).isFalse();
    }

    @Test
    void a_restart_policy_without_a_health_check_fails_naming_the_service_properties() {
        ServiceProperties p = new ServiceProperties();
        p.getRestart().setPolicy(RestartMode.ON_FAILURE);
        ServiceDefinition<Void, StringBuilder> plain = ServiceDefinition.<StringBuilder>builder("db", () -> new StringBuilder()).build();

        assertThatThrownBy(() -> FlowgenticServices.withProperties(plain, p, PREFIX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid settings under flowgentic4j.services.db: ")
                .hasMessageContaining("needs a health check");
    }

    @Test
    void setters_refuse_bad_values_at_once() {
        ServiceProperties p = new ServiceProperties();
        assertThatThrownBy(() -> p.setMaxConcurrentCalls(0)).hasMessage("max-concurrent-calls must be >= 1, was 0");
        assertThatThrownBy(() -> p.getRetry().setMaxAttempts(0)).hasMessage("max-attempts must be >= 1, was 0");
        assertThatThrownBy(() -> p.setHealthInterval(Duration.ZERO)).hasMessage("health-interval must be positive, was PT0S");
        assertThatThrownBy(() -> p.getRestart().setMaxRestarts(0)).hasMessage("max-restarts must be >= 1, was 0");
    }

    @Test
    void definition_settings_names_each_property_that_shapes_a_definition() {
        ServiceProperties p = new ServiceProperties();
        p.setLazy(true);
        p.setRequired(false);
        assertThat(FlowgenticServices.definitionSettings(p)).as("required and lazy apply to task beans").isEmpty();

        p.setMaxConcurrentCalls(2);
        p.getRetry().setMaxAttempts(3);
        p.getRestart().setPolicy(RestartMode.NEVER);
        assertThat(FlowgenticServices.definitionSettings(p)).containsExactly("max-concurrent-calls", "retry", "restart");
    }
}
