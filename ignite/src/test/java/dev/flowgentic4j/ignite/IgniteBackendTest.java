package dev.flowgentic4j.ignite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.TaskFailedException;
import dev.flowgentic4j.workflows.TaskFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One embedded node (own ports, so it never meets the failover test's cluster): lifecycle and errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IgniteBackendTest {
    private IgniteBackend backend;
    private FlowEngine engine;

    @BeforeEach
    void start() {
        RecordingGreeter.CLOSED.clear();
        backend = IgniteBackend.start(IgniteBackendConfig.builder().discoveryPort(47520, 5)
                .communicationPort(47140).build());
        engine = FlowEngine.create(EngineConfig.builder().backend(backend).build());
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private ServiceTask<String, Greeter> greeters() {
        return engine.serviceTask(backend.serviceDefinition("greeter",
                IgniteService.builder(Greeter.class, RecordingGreeter.class, String.class).build()).build());
    }

    @Test
    void a_started_service_yields_a_typed_proxy_and_failures_come_back_as_thrown() throws Exception {
        ServiceFuture<Greeter> hello = greeters().start("Hello");

        Greeter proxy = hello.get(30, TimeUnit.SECONDS);

        assertThat(hello.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(proxy.greet("Ada")).isEqualTo("Hello, Ada");
        assertThat(hello.<String>call(java.time.Duration.ofSeconds(5), g -> g.greet("Bob"))).isEqualTo("Hello, Bob");
        assertThat(hello.join()).isSameAs(proxy);
        assertThatThrownBy(() -> proxy.fail("disk full")).isExactlyInstanceOf(IOException.class)
                .hasMessage("disk full");
        assertThat(IgniteBackend.hostOf(proxy).pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(backend.ignite().services().serviceDescriptors())
                .anyMatch(d -> d.name().equals(IgniteBackend.serviceName(proxy)));
    }

    @Test
    void cancel_undeploys_the_service_and_closes_its_instance() {
        ServiceFuture<Greeter> hello = greeters().start("Hello");
        String name = IgniteBackend.serviceName(hello.join());

        hello.cancel(true);

        assertThat(hello.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(RecordingGreeter.CLOSED).containsExactly("Hello");
        assertThat(backend.ignite().services().serviceDescriptors()).noneMatch(d -> d.name().equals(name));
        assertThatThrownBy(hello::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void close_undeploys_every_service_in_reverse_start_order_and_removes_the_work_directory() {
        ServiceTask<String, Greeter> greeters = greeters();
        List<ServiceFuture<Greeter>> started = List.of(greeters.start("one"), greeters.start("two"),
                greeters.start("three"));
        started.forEach(ServiceFuture::join);
        Path workDirectory = Path.of(backend.ignite().configuration().getWorkDirectory());

        engine.close();

        assertThat(RecordingGreeter.CLOSED).containsExactly("three", "two", "one");
        assertThat(started).allSatisfy(f -> assertThat(f.state()).isEqualTo(ServiceState.TERMINATED));
        assertThat(backend.isClosed()).isTrue();
        assertThat(Files.exists(workDirectory)).isFalse();
    }

    @Test
    void a_service_that_cannot_be_deployed_is_failed_with_ignites_cause() {
        ServiceFuture<Greeter> broken = engine.serviceTask(backend.serviceDefinition("broken",
                IgniteService.builder(Greeter.class, BrokenGreeter.class).build())
                .retry(RetryConfig.noRetry()).build()).start(null);

        assertThatThrownBy(broken::join).isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("Ignite could not deploy service 'broken'")
                .hasStackTraceContaining("no greetings today");
        assertThat(broken.state()).isEqualTo(ServiceState.FAILED);
        assertThat(backend.ignite().services().serviceDescriptors()).isEmpty();
    }

    @Test
    void a_start_argument_value_that_cannot_be_serialized_fails_the_start_naming_the_culprit() {
        ArrayList<Object> names = new ArrayList<>(List.of("Ada", new Object()));
        @SuppressWarnings({"unchecked", "rawtypes"})
        IgniteService<ArrayList<Object>, Greeter> spec = (IgniteService) IgniteService.builder(Greeter.class,
                ListGreeter.class, ArrayList.class).build();
        ServiceFuture<Greeter> greeter = engine.serviceTask(backend.serviceDefinition("lists", spec)
                .retry(RetryConfig.noRetry()).build()).start(names);

        assertThatThrownBy(greeter::join).isInstanceOf(ServiceFailedException.class)
                .hasRootCauseInstanceOf(java.io.NotSerializableException.class)
                .hasStackTraceContaining("start argument of service 'lists' (java.util.ArrayList) cannot travel to "
                        + "another node: java.lang.Object is not Serializable");
        assertThat(backend.ignite().services().serviceDescriptors()).isEmpty();
    }

    @Test
    void a_function_runs_on_ignite_compute_with_the_tasks_retries() {
        FunctionTask<String, Integer> count = engine.functionTask("word_count", backend.onCompute(WordCount.class),
                RetryConfig.builder().maxAttempts(2).baseDelay(java.time.Duration.ofMillis(1)).build());

        assertThat(count.call("three little words")).isEqualTo(3);
        assertThatThrownBy(() -> count.call("  ")).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("2 attempt")
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("nothing to count");
    }

    @Test
    void a_lambda_function_is_refused_at_registration() {
        TaskFunction<String, Integer> lambda = String::length;
        @SuppressWarnings("unchecked")
        Class<TaskFunction<String, Integer>> type = (Class<TaskFunction<String, Integer>>) lambda.getClass();

        assertThatThrownBy(() -> backend.onCompute(type)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a lambda: a lambda cannot be deployed to another JVM");
    }
}
