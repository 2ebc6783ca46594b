package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.ShutdownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LangGraphIntegrationTest {

    @Test
    void try_with_resources_stops_every_service_in_reverse_start_order() {
        List<String> stopped = Collections.synchronizedList(new ArrayList<>());
        List<ServiceFuture<String>> futures = new ArrayList<>();
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceTask<String, String> task = integration.executionWrappers().serviceTask(
                    ServiceDefinition.builder("named", (String name) -> name).stop(stopped::add).build());
            for (String name : List.of("first", "second", "third")) {
                futures.add(task.start(name));
            }
            futures.forEach(ServiceFuture::join);
            assertThat(integration.servicesByState().get(ServiceState.RUNNING)).hasSize(3);
        }
        assertThat(stopped).containsExactly("third", "second", "first");
        assertThat(futures).allSatisfy(f -> assertThat(f.state()).isEqualTo(ServiceState.TERMINATED));
    }

    @Test
    void close_reports_a_hanging_stop_within_the_configured_timeout_and_still_stops_the_rest() {
        CountDownLatch never = new CountDownLatch(1);
        List<String> stopped = Collections.synchronizedList(new ArrayList<>());
        IntegrationConfig config = IntegrationConfig.builder()
                .engine(EngineConfig.builder().stopTimeout(Duration.ofMillis(200)).build()).build();
        LangGraphIntegration integration = LangGraphIntegration.create(config);
        var wrappers = integration.executionWrappers();
        wrappers.serviceTask(ServiceDefinition.builder("ok", (String s) -> s).stop(stopped::add).build()).start("ok").join();
        wrappers.serviceTask(ServiceDefinition.builder("stuck", (String s) -> s).stop(s -> never.await()).build())
                .start("stuck").join();

        assertThatThrownBy(integration::close).isInstanceOf(ShutdownException.class)
                .hasMessageContaining("'stuck#").hasMessageContaining("did not finish within PT0.2S");
        assertThat(stopped).containsExactly("ok");
        assertThatThrownBy(() -> wrappers.functionTask("after", String::length))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("integration is closed");
    }

    @Test
    void function_tasks_run_through_the_wrappers() {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            var length = integration.executionWrappers().functionTask("length", String::length);
            assertThat(length.call("persistent")).isEqualTo(10);
        }
    }
}
