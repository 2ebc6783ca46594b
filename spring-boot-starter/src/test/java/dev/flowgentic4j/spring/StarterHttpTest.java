package dev.flowgentic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgentic4j.spring.app.Gate;
import dev.flowgentic4j.spring.app.KvStore;
import dev.flowgentic4j.spring.app.Probe;
import dev.flowgentic4j.spring.app.TestApp;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubRequest;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * One real application on a random port, driven over HTTP: the REST endpoint answers through a graph
 * and an agent (langchain4j's OpenAI client against the scripted stub) over services declared as beans;
 * Actuator's health, readiness, Prometheus and flowgentic4j endpoints show the services.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,prometheus,flowgentic4j",
        "management.endpoint.flowgentic4j.access=unrestricted",
        "management.endpoint.health.show-details=always",
        "management.endpoint.health.probes.enabled=true",
        "management.endpoint.health.group.readiness.include=readinessState",
        "management.endpoint.health.group.readiness.show-details=always",
        "management.defaults.metrics.export.enabled=true",
        "management.prometheus.metrics.export.enabled=true",
        "flowgentic4j.services.kv.max-concurrent-calls=1",
        "flowgentic4j.services.kv.call-wait-timeout=0s",
        "flowgentic4j.services.lazyone.lazy=true",
        "flowgentic4j.services.slow.required=false",
        "flowgentic4j.services.notes.lazy=true"})
class StarterHttpTest {
    @LocalServerPort
    int port;

    @Autowired
    OpenAiStub stub;

    @Autowired
    FlowgenticServices services;

    @Autowired
    ServiceFuture<KvStore> kvByType;

    @Autowired
    @Qualifier("kv")
    ServiceFuture<?> kvByName;

    @Autowired
    ServiceFuture<Probe> probe;

    @Autowired
    Gate slowGate;

    @Autowired
    AtomicInteger lazyColdStarts;

    @Autowired
    ApplicationAvailability availability;

    @Autowired
    ServiceFuture<AtomicLong> tallyByType;

    @Autowired
    @Qualifier("tally")
    ServiceFuture<?> tallyByName;

    @Autowired
    @Qualifier("notes")
    ServiceFuture<StringBuilder> notes;

    @Autowired
    ServiceTask<Integer, String> echoes;

    @Autowired
    FlowgenticAgents agents;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void the_endpoint_answers_through_the_graph_and_the_agent_over_the_service() {
        int before = stub.requests().size();

        Http.Response r = http.get("/ask?q=capital");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("answer").asText()).isEqualTo("The answer is Oslo");
        List<StubRequest> requests = stub.requests().subList(before, stub.requests().size());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).toolNames()).contains("recall", "remember", "countUp").doesNotContain("now");
        assertThat(requests.get(1).latestToolResults()).containsExactly("Oslo");
        assertThat(kvByType.join().recall("asked")).isNotEqualTo("nothing stored under asked"); // the graph's node ran
    }

    @Test
    void a_service_future_is_injected_by_type_and_by_name() {
        assertThat(kvByType).isSameAs(kvByName).isSameAs(services.future("kv"));
        assertThat(kvByType.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(kvByType.name()).isEqualTo("kv");
    }

    @Test
    void task_beans_declare_services_injected_by_type_and_by_name_with_their_properties() {
        assertThat(tallyByType).isSameAs(tallyByName).isSameAs(services.future("tally"));
        assertThat(tallyByType.state()).as("an eager NoArgServiceTask bean is started with the context")
                .isEqualTo(ServiceState.RUNNING);
        long before = tallyByType.call(Duration.ofSeconds(5), AtomicLong::get);
        assertThat(tallyByType.call(Duration.ofSeconds(5), AtomicLong::incrementAndGet)).isEqualTo(before + 1);
        assertThat(services.isRequired("tally")).isTrue();

        assertThat(notes).isSameAs(services.future("notes"));
        assertThat(services.isLazy("notes")).as("flowgentic4j.services.notes.lazy=true").isTrue();
        assertThat(notes.call(Duration.ofSeconds(5), StringBuilder::toString)).isEqualTo("noted");
        assertThat(notes.state()).isEqualTo(ServiceState.RUNNING);

        assertThat(services.names()).contains("tally", "notes").doesNotContain("echoes");
        assertThat(echoes.instances()).as("a task taking an argument is left to the application").isEmpty();

        JsonNode listed = http.get("/actuator/flowgentic4j").json().get("services");
        assertThat(listed.get("tally").get("state").asText()).isEqualTo("RUNNING");
        assertThat(listed.get("tally").get("calls").asLong()).isPositive();
        assertThat(http.get("/actuator/health").json().at("/components/flowgentic4j/components/tally/status").asText())
                .isEqualTo("UP");
    }

    @Test
    void the_tool_methods_of_a_bean_holding_a_service_future_are_agent_tools() {
        Map<ToolSpecification, ToolExecutor> tools = agents.serviceTools();
        assertThat(tools.keySet()).extracting(ToolSpecification::name)
                .contains("recall", "remember", "countUp")
                .as("a bean with @Tool methods but no ServiceFuture field is not collected").doesNotContain("now");
        ToolExecutor countUp = tools.entrySet().stream().filter(e -> e.getKey().name().equals("countUp"))
                .findFirst().orElseThrow().getValue();

        long before = tallyByType.call(Duration.ofSeconds(5), AtomicLong::get);
        String result = countUp.execute(ToolExecutionRequest.builder().id("c1").name("countUp").arguments("{}").build(),
                "memory");

        assertThat(result).isEqualTo(String.valueOf(before + 1));
        assertThat(tallyByType.call(Duration.ofSeconds(5), AtomicLong::get)).isEqualTo(before + 1);
    }

    @Test
    void per_service_properties_override_the_definition() throws Exception {
        // flowgentic4j.services.kv.max-concurrent-calls=1, call-wait-timeout=0s: a second call at once is refused
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> kvByType.call(Duration.ofSeconds(5),
                store -> {
                    inside.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return store.recall("capital");
                }));
        try {
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> kvByType.call(Duration.ofSeconds(5), store -> store.recall("capital")))
                    .isInstanceOf(ServiceBusyException.class);
        } finally {
            release.countDown();
        }
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("Oslo");
    }

    @Test
    void actuator_shows_every_service_in_health_readiness_prometheus_and_its_own_endpoint() {
        http.get("/ask?q=capital"); // some calls to count

        JsonNode health = http.get("/actuator/health").json();
        JsonNode kv = health.at("/components/flowgentic4j/components/kv");
        assertThat(kv.get("status").asText()).isEqualTo("UP");
        assertThat(kv.at("/details/state").asText()).isEqualTo("RUNNING");
        assertThat(kv.at("/details/generation").asInt()).isEqualTo(1);
        assertThat(health.at("/components/flowgentic4j/components").has("http")).isTrue();

        Http.Response readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().at("/components/flowgentic4j/components").has("kv")).isTrue();
        assertThat(readiness.json().at("/components/flowgentic4j/components").has("slow"))
                .as("an optional service is not part of readiness").isFalse();

        String prometheus = http.get("/actuator/prometheus").body();
        assertThat(prometheus).containsPattern("flowgentic4j_service_calls_total\\{[^}]*service=\"kv\"")
                .contains("flowgentic4j_calls_total{flow_type=\"AGENT_TOOL_AS_SERVICE\"");

        JsonNode listed = http.get("/actuator/flowgentic4j").json().get("services");
        assertThat(listed.get("kv").get("state").asText()).isEqualTo("RUNNING");
        assertThat(listed.get("kv").get("calls").asLong()).isPositive();
        assertThat(listed.get("kv").get("uptimeMillis").asLong()).isNotNegative();
        assertThat(listed.get("kv").get("restarts").asLong()).isZero();
        assertThat(listed.get("lazyone").get("lazy").asBoolean()).isTrue();
    }

    @Test
    void a_lazy_service_starts_at_its_first_use_and_an_optional_one_does_not_hold_up_start_up() {
        // the context is up and ready while the optional service is still starting
        assertThat(services.future("slow").state()).isEqualTo(ServiceState.STARTING);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        slowGate.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> services.future("slow").state() == ServiceState.RUNNING);

        assertThat(lazyColdStarts.get()).isZero();
        assertThat(services.future("lazyone").state()).isEqualTo(ServiceState.NEW);
        assertThat(http.get("/actuator/flowgentic4j/lazyone").json().get("state").asText()).isEqualTo("NEW");

        assertThat(http.get("/lazy").json().get("value").asInt()).isEqualTo(1);
        assertThat(http.get("/lazy").json().get("value").asInt()).isEqualTo(2);
        assertThat(lazyColdStarts.get()).isEqualTo(1);
        assertThat(http.get("/actuator/flowgentic4j/lazyone").json().get("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void an_unhealthy_service_turns_down_and_readiness_out_of_service_and_back_after_its_restart() {
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);

        probe.join().breakIt();

        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health/flowgentic4j/probe").status() == 503);
        JsonNode down = http.get("/actuator/health/flowgentic4j/probe").json();
        assertThat(down.get("status").asText()).isEqualTo("DOWN");
        assertThat(down.at("/details/health").asText()).isEqualTo("UNHEALTHY");
        assertThat(down.at("/details/lastFailure").asText()).contains("probe broken by the test");
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health/readiness").status() == 503);
        assertThat(http.get("/actuator/health/readiness").json().get("status").asText()).isEqualTo("OUT_OF_SERVICE");
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);

        Http.Response restarted = http.post("/actuator/flowgentic4j/probe");

        assertThat(restarted.status()).isEqualTo(200);
        assertThat(restarted.json().get("restarts").asLong()).isEqualTo(1);
        probe.join(); // the new instance, behind the same injected handle
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health/flowgentic4j/probe").status() == 200);
        JsonNode up = http.get("/actuator/health/flowgentic4j/probe").json();
        assertThat(up.get("status").asText()).isEqualTo("UP");
        assertThat(up.at("/details/generation").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health/readiness").status() == 200);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    }
}
