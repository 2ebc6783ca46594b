package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BadInputTest {
    private final FlowEngine engine = FlowEngine.create(Fakes.fastConfig());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void null_or_blank_names_are_rejected_naming_the_argument() {
        assertThatThrownBy(() -> engine.serviceTask(null, Counter::new)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> engine.serviceTask("  ", Counter::new)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> engine.functionTask("", String::length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }

    @Test
    void a_null_function_is_rejected() {
        assertThatThrownBy(() -> engine.functionTask("f", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("function");
        assertThatThrownBy(() -> engine.serviceTask("s", (ServiceInitializer<String, Counter>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("initializer");
        assertThatThrownBy(() -> ServiceDefinition.builder("s", Counter::new).stop(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("stopper");
    }

    @Test
    void a_duplicate_task_name_is_rejected() {
        engine.serviceTask("db", Counter::new);
        assertThatThrownBy(() -> engine.serviceTask("db", Counter::new)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'db' is already registered");
        assertThatThrownBy(() -> engine.functionTask("db", String::length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'db'");
    }

    @Test
    void zero_or_negative_durations_are_rejected_naming_the_field() {
        assertThatThrownBy(() -> EngineConfig.builder().stopTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopTimeout");
        assertThatThrownBy(() -> ServiceDefinition.builder("s", Counter::new).stopTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopTimeout");
        assertThatThrownBy(() -> RetryConfig.builder().attemptTimeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
        assertThatThrownBy(() -> RetryConfig.builder().baseDelay(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseDelay");
        assertThatThrownBy(() -> RetryConfig.builder().maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> RetryConfig.builder().jitter(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> RetryConfig.builder().baseDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        ServiceFuture<Counter> future = engine.serviceTask("t", Counter::new).start("x");
        assertThatThrownBy(() -> future.awaitRunning(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> future.call(null, c -> 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> future.addListener(null, Runnable::run)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("listener");
    }
}
