package dev.flowgentic4j.examples;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.quickstart.AgentWithServiceTools;
import dev.flowgentic4j.quickstart.ServiceIntermittent;
import dev.flowgentic4j.quickstart.ServiceIntermittent.Exchange;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quickstart programs, unchanged, on the Ignite backend chosen by name ({@code --backend ignite}):
 * the same evidence as on the local backend.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QuickstartOnIgniteTest {

    @Test
    void service_intermittent_on_ignite_shows_one_cold_start_per_service_own_counters_and_a_clean_shutdown() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        ServiceIntermittent.Report report = ServiceIntermittent.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                0, "ignite");

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("Backend: ignite");
        List<Exchange> server1 = report.exchanges().stream().filter(e -> e.server().equals("Server 1")).toList();
        List<Exchange> server2 = report.exchanges().stream().filter(e -> e.server().equals("Server 2")).toList();
        assertThat(server1).extracting(e -> e.response().request()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(server2).extracting(e -> e.response().request()).containsExactly(1L, 2L);
        assertThat(report.coldStarts()).isEqualTo(2);
        assertThat(report.server1Refuses()).isTrue();
        assertThat(report.server2Refuses()).isTrue();
        assertThat(report.evidence()).hasSize(7).allSatisfy(line -> assertThat(line).startsWith("✅"));
    }

    @Test
    void the_agent_example_on_ignite_shares_both_services_with_one_cold_start_each() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OpenAiStub stub = OpenAiStub.start().requireToolResults()) {
            stub.enqueue(
                    toolCalls(call("currentWeather", "{\"city\":\"Oslo\"}")),
                    text("Oslo reported."),
                    toolCalls(call("server_request", "{\"path\":\"/api/health\"}")),
                    text("Server is up."));
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test")
                    .modelName("stub-model").build();

            AgentWithServiceTools.Report report = AgentWithServiceTools.run(model, List.of("weather?", "server?"),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8), "ignite");

            assertThat(report.answers()).containsExactly("Oslo reported.", "Server is up.");
            assertThat(report.coldStarts()).isEqualTo(2);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("Backend: ignite")
                    .contains("Evidence: 2 cold starts for 2 questions");
            assertThat(stub.requests().get(1).latestToolResults().get(0)).startsWith("Oslo: ");
            assertThat(stub.requests().get(3).latestToolResults().get(0)).startsWith("HTTP 200 from server ");
        }
    }
}
