package dev.flowgentic4j.quickstart;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.testkit.OpenAiStub;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentWithServiceToolsTest {

    @Test
    void agent_and_service_nodes_share_both_services_with_one_cold_start_each() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (OpenAiStub stub = OpenAiStub.start().requireToolResults()) {
            stub.enqueue(
                    toolCalls(call("currentWeather", "{\"city\":\"Oslo\"}"), call("rain_radar", "{}"),
                            call("forecast", "{\"city\":\"Rome\",\"days\":3}")),
                    text("Oslo and Rome reported."),
                    toolCalls(call("server_request", "{\"path\":\"/api/health\"}")),
                    toolCalls(call("forecast", "{\"city\":\"Rome\",\"days\":9}")),
                    text("Server is up."));
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-secret-test-key", "OPENAI_BASE_URL", stub.baseUrl(),
                    "OPENAI_MODEL", "stub-model");

            int status = AgentWithServiceTools.launch(env, List.of("weather?", "server?"), out, out);

            assertThat(status).isZero();
            String printed = buffer.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("A: Oslo and Rome reported.", "A: Server is up.",
                    "Evidence: 2 cold starts for 2 questions");
            assertThat(printed).doesNotContain("sk-secret-test-key");
            assertThat(stub.requests().get(0).toolNames())
                    .containsExactlyInAnyOrder("currentWeather", "forecast", "server_request");
            List<String> firstResults = stub.requests().get(1).latestToolResults();
            assertThat(firstResults).hasSize(3);
            assertThat(firstResults.get(0)).startsWith("Oslo: ");
            assertThat(firstResults.get(1)).isEqualTo("Error: there is no tool named 'rain_radar'; available tools: "
                    + "currentWeather, forecast, server_request");
            assertThat(firstResults.get(2)).startsWith("Rome forecast: day 1");
            assertThat(stub.requests().get(3).latestToolResults().get(0))
                    .startsWith("HTTP 200 from server ").contains("request 1 for /api/health");
            assertThat(stub.requests().get(4).latestToolResults().get(0))
                    .isEqualTo("Error: tool 'forecast' failed: IllegalArgumentException: days must be 1 to 7, was 9");
        }
    }

    @Test
    void without_a_key_it_says_what_to_set_and_fails() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int status = AgentWithServiceTools.launch(Map.of(), List.of("hi"), System.out, err);

        assertThat(status).isEqualTo(2);
        assertThat(buffer.toString(StandardCharsets.UTF_8))
                .contains("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL");
    }

    @Test
    void an_unreachable_endpoint_is_explained_in_one_paragraph_and_fails_with_status_3() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/v1";
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int status = AgentWithServiceTools.launch(Map.of("OPENAI_API_KEY", "sk-secret-test-key", "OPENAI_BASE_URL", url),
                List.of("hi"), new PrintStream(OutputStream.nullOutputStream()), err);

        String paragraph = buffer.toString(StandardCharsets.UTF_8);
        assertThat(status).isEqualTo(3);
        assertThat(paragraph.strip().lines()).hasSize(1);
        assertThat(paragraph).contains(url, "unreachable", "OPENAI_BASE_URL", "start a local")
                .doesNotContain("sk-secret-test-key");
    }

    @Test
    void run_reports_the_shared_weather_session_and_server_requests() {
        try (OpenAiStub stub = OpenAiStub.start().requireToolResults()) {
            stub.enqueue(toolCalls(call("currentWeather", "{\"city\":\"Oslo\"}")), text("one"),
                    toolCalls(call("currentWeather", "{\"city\":\"Bergen\"}"),
                            call("server_request", "{\"path\":\"/a\"}")), text("two"));
            var model = dev.langchain4j.model.openai.OpenAiChatModel.builder().baseUrl(stub.baseUrl())
                    .apiKey("test").modelName("stub").maxRetries(0).build();

            AgentWithServiceTools.Report report = AgentWithServiceTools.run(model, List.of("q1", "q2"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            assertThat(report.answers()).containsExactly("one", "two");
            assertThat(report.coldStarts()).isEqualTo(2);
            assertThat(report.weatherCalls()).isEqualTo(2);
            assertThat(report.serverRequests()).isEqualTo(1);
        }
    }
}
