package dev.flowgentic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.spring.app.KvStore;
import dev.flowgentic4j.spring.app.StopLog;
import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** Start-up that must fail, and say why: a required service that cannot start, a bad property value. */
class StartupFailureTest {

    /** When set, the broken service's cold start succeeds (as after an operator fixed the cause). */
    static volatile boolean fixed;

    /** Outlives the contexts, so a test can see what a failed start-up stopped. */
    static volatile StopLog stops = new StopLog();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        StopLog stopLog() {
            return stops;
        }

        @Bean
        ServiceDefinition<Void, KvStore> kv(StopLog stops) {
            return ServiceDefinition.builder("kv", () -> new KvStore(stops)).build();
        }

        /** A service declared by a task bean: its definition is fixed, only required/lazy/tools apply. */
        @Bean
        NoArgServiceTask<AtomicLong> counter(ExecutionWrappers wrappers) {
            return wrappers.serviceTask("counter", () -> new AtomicLong());
        }

        @Bean
        ServiceDefinition<Void, String> broken() {
            return ServiceDefinition.<String>builder("broken", () -> {
                if (!fixed) {
                    throw new IOException("disk on fire");
                }
                return "fixed";
            }).build();
        }
    }

    private static ConfigurableApplicationContext run(String... properties) {
        List<String> all = new ArrayList<>(List.of("spring.main.banner-mode=off",
                "flowgentic4j.services.broken.retry.max-attempts=1"));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties(all.toArray(String[]::new)).run();
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    /** The property Boot's binder names (and its failure report prints) for the first bind failure in the chain. */
    private static String boundProperty(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException b && b.getProperty() != null) {
                return b.getProperty().getName().toString();
            }
        }
        return "(no BindException in " + messages(t) + ")";
    }

    @Test
    void a_required_service_that_fails_to_start_fails_the_start_up_naming_it_and_its_cause() {
        stops = new StopLog();
        assertThatThrownBy(() -> run().close())
                .satisfies(e -> assertThat(messages(e))
                        .contains("required service 'broken' (bean 'broken') failed to start")
                        .contains("disk on fire"))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(stops.stopped()).as("the services that did start are stopped").containsExactly("kv");
    }

    @Test
    void an_optional_service_that_fails_does_not_stop_the_start_up_and_a_restart_brings_it_back() {
        fixed = false;
        try (ConfigurableApplicationContext context = run("flowgentic4j.services.broken.required=false")) {
            FlowgenticServices services = context.getBean(FlowgenticServices.class);
            ServiceFuture<?> handle = context.getBean("brokenFuture", ServiceFuture.class);
            org.awaitility.Awaitility.await().until(() -> handle.state() == ServiceState.FAILED);
            assertThat(services.future("kv").state()).isEqualTo(ServiceState.RUNNING);
            assertThat(services.allRequiredUp()).isTrue();

            fixed = true;
            services.restart("broken"); // FAILED: started anew behind the same handle

            assertThat(handle.join()).isEqualTo("fixed");
            assertThat(handle.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(services.info("broken").restarts()).isEqualTo(1);
        } finally {
            fixed = false;
        }
    }

    @Test
    void a_negative_concurrency_fails_the_start_up_naming_the_property() {
        assertThatThrownBy(() -> run("flowgentic4j.services.kv.max-concurrent-calls=-1").close())
                .satisfies(e -> {
                    assertThat(boundProperty(e)).isEqualTo("flowgentic4j.services.kv.max-concurrent-calls");
                    assertThat(messages(e)).contains("max-concurrent-calls must be >= 1, was -1");
                });
    }

    @Test
    void an_unknown_backend_fails_the_start_up_naming_the_property() {
        assertThatThrownBy(() -> run("flowgentic4j.backend=nope").close())
                .satisfies(e -> {
                    assertThat(boundProperty(e)).isEqualTo("flowgentic4j.backend");
                    assertThat(messages(e)).contains("no backend named 'nope' on the classpath (found: local");
                });
    }

    @Test
    void a_health_interval_for_a_service_without_health_check_fails_naming_the_service() {
        assertThatThrownBy(() -> run("flowgentic4j.services.kv.health-interval=1s").close())
                .satisfies(e -> assertThat(messages(e))
                        .contains("flowgentic4j.services.kv")
                        .contains("service 'kv' has no health check"));
    }

    @Test
    void a_definition_property_for_a_task_bean_fails_the_start_up_naming_the_properties_and_the_bean() {
        assertThatThrownBy(() -> run("flowgentic4j.services.counter.max-concurrent-calls=2",
                "flowgentic4j.services.counter.restart.policy=never").close())
                .satisfies(e -> assertThat(messages(e))
                        .contains("invalid settings under flowgentic4j.services.counter: "
                                + "max-concurrent-calls, restart cannot apply to service 'counter'")
                        .contains("task bean 'counter'")
                        .contains("declare a ServiceDefinition bean instead"));
    }
}
