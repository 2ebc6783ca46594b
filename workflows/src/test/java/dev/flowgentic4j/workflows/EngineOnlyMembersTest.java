package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.workflows.internal.TelemetryAccess;
import dev.flowgentic4j.workflows.internal.service.ManagedService;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What only the engine may do is out of a user's reach, and the engine still does it. */
class EngineOnlyMembersTest {

    @Test
    void telemetry_offers_no_public_constructor_nor_the_engines_own_operations() {
        assertThat(Telemetry.class.getConstructors()).isEmpty();
        List<String> publicMethods = Arrays.stream(Telemetry.class.getMethods()).map(Method::getName).toList();
        assertThat(publicMethods).doesNotContain("watch", "started", "publish")
                .contains("subscribe", "metrics", "beginCall");
    }

    @Test
    void a_services_cold_start_is_not_public_on_its_handle() throws Exception {
        Method coldStart = ManagedService.class.getDeclaredMethod("coldStart");
        assertThat(Modifier.isPublic(coldStart.getModifiers())).isFalse();
    }

    @Test
    void the_telemetry_operations_are_installed_once_and_cannot_be_replaced() {
        TelemetryAccess.Operations installed = TelemetryAccess.operations();

        assertThat(installed).isNotNull();
        assertThatThrownBy(() -> TelemetryAccess.install(installed)).isInstanceOf(IllegalStateException.class);
        assertThat(TelemetryAccess.operations()).isSameAs(installed);
    }

    @Test
    void the_engine_still_follows_its_services_through_the_installed_operations() throws Exception {
        try (FlowEngine engine = FlowEngine.create()) {
            List<ServiceEvent.Type> seen = new CopyOnWriteArrayList<>();
            try (AutoCloseable subscription = engine.telemetry().subscribe(event -> {
                if (event instanceof ServiceEvent service) {
                    seen.add(service.type());
                }
            })) {
                NoArgServiceTask<String> task = engine.serviceTask("followed", () -> "ready");
                task.start();
                assertThat(seen).as("published by the starting thread").contains(ServiceEvent.Type.STARTING);
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(ServiceEvent.Type.RUNNING));
            }
            assertThat(engine.telemetry().services()).hasSize(1);
        }
    }
}
