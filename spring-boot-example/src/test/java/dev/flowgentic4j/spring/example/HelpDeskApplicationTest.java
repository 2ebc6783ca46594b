package dev.flowgentic4j.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The help desk over real HTTP on a random port: FAQ answers, cached answers, and the agent (langchain4j's
 * OpenAI client against the scripted stub) whose tool is the knowledge base service; Actuator shows both
 * services.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HelpDeskApplicationTest {
    static final OpenAiStub STUB = OpenAiStub.start().respondWith(request -> request.latestToolResults().isEmpty()
            ? StubReply.toolCalls(StubReply.call("searchFaq", "{\"query\":\"invoices of a payment\"}"))
            : StubReply.text("Agent: " + String.join(" ", request.latestToolResults()).lines().findFirst().orElse("")));
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("OPENAI_BASE_URL", STUB::baseUrl);
        registry.add("OPENAI_API_KEY", () -> "test-key");
    }

    @AfterAll
    static void stopStub() {
        STUB.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ask(String question) throws Exception {
        HttpResponse<String> r = get("/ask?q=" + URLEncoder.encode(question, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void answers_from_the_faq_then_from_the_cache() throws Exception {
        JsonNode first = ask("How do I reset my password?");
        assertThat(first.get("source").asText()).isEqualTo("faq");
        assertThat(first.get("answer").asText()).contains("'Reset password'");

        JsonNode again = ask("how do I  reset my password?");
        assertThat(again.get("source").asText()).isEqualTo("cache");
        assertThat(again.get("answer").asText()).isEqualTo(first.get("answer").asText());
    }

    @Test
    void an_unsure_question_goes_to_the_agent_whose_tool_is_the_knowledge_base_service() throws Exception {
        int before = STUB.requests().size();

        JsonNode answer = ask("Can I pay with a gift voucher?");

        assertThat(answer.get("source").asText()).isEqualTo("agent");
        List<StubRequest> requests = STUB.requests().subList(before, STUB.requests().size());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).toolNames()).containsExactly("searchFaq");
        assertThat(requests.get(1).latestToolResults()).singleElement().asString().startsWith("Q: ");
        assertThat(answer.get("answer").asText()).startsWith("Agent: Q: ");
    }

    @Test
    void a_blank_question_is_refused() throws Exception {
        assertThat(get("/ask?q=%20").statusCode()).isEqualTo(400);
    }

    @Test
    void actuator_shows_both_services() throws Exception {
        ask("When will my order be shipped?");
        JsonNode health = JSON.readTree(get("/actuator/health").body());
        assertThat(health.at("/components/flowgentic4j/components/knowledge_base/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/flowgentic4j/components/in_process_cache/status").asText()).isEqualTo("UP");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        JsonNode services = JSON.readTree(get("/actuator/flowgentic4j").body()).get("services");
        assertThat(services.get("knowledge_base").get("calls").asLong()).isPositive();
        assertThat(get("/actuator/prometheus").body()).containsPattern("flowgentic4j_service_calls_total\\{[^}]*service=\"knowledge_base\"");
    }
}
