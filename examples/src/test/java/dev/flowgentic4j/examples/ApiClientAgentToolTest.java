package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.patterns.ApiClientService;
import dev.flowgentic4j.patterns.ApiClientSettings;
import dev.flowgentic4j.patterns.ApiCredentials;
import dev.flowgentic4j.patterns.ApiSecret;
import dev.flowgentic4j.patterns.HttpServerService;
import dev.flowgentic4j.patterns.HttpServerSettings;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest;
import dev.flowgentic4j.tools.ToolParameter;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.Test;

/**
 * The API client as AGENT_TOOL_AS_SERVICE tools of a ReAct agent (langchain4j's real OpenAI client
 * against the scripted stub): the tools share one token; a failing call goes back to the model as
 * the tool's result, naming endpoint and status, with no secret in it, even when the server echoes one.
 */
class ApiClientAgentToolTest {
    private static final String SECRET = "agent-secret-" + UUID.randomUUID();

    @Test
    void tools_share_one_token_and_a_failure_reaches_the_model_without_secrets() throws Exception {
        AtomicInteger tokens = new AtomicInteger();
        Map<String, Boolean> issued = new java.util.concurrent.ConcurrentHashMap<>();
        String basic = "Basic " + Base64.getEncoder().encodeToString(("desk:" + SECRET).getBytes(StandardCharsets.UTF_8));
        try (HttpServerService server = HttpServerService.start(HttpServerSettings.defaults(), Map.of(
                "/oauth2/token", exchange -> {
                    exchange.getRequestBody().readNBytes(4096);
                    if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                        HttpServerService.respond(exchange, 401, "{\"error\":\"invalid_client\"}");
                        return;
                    }
                    String token = "tok-" + UUID.randomUUID() + "-" + tokens.incrementAndGet();
                    issued.put(token, true);
                    HttpServerService.respond(exchange, 200,
                            "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
                },
                "/account", exchange -> answer(exchange, issued, 200, "{\"cash\":1000,\"currency\":\"EUR\"}"),
                // a badly behaved API that echoes the request's credentials in its error page
                "/orders", exchange -> answer(exchange, issued, 500, "order store down; you sent "
                        + exchange.getRequestHeaders().getFirst("Authorization") + " with client secret " + SECRET)));
             OpenAiStub stub = OpenAiStub.start();
             LangGraphIntegration integration = LangGraphIntegration.create()) {
            URI base = server.uri();
            ExecutionWrappers wrappers = integration.executionWrappers();
            var api = wrappers.serviceTask(PatternServices.apiClient()).start(ApiClientSettings.builder(base)
                    .name("desk_api")
                    .credentials(ApiCredentials.clientCredentials(base.resolve("/oauth2/token"), "desk",
                            ApiSecret.of(SECRET), Set.of("orders")))
                    .build());
            Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
            tools.putAll(wrappers.agentToolAsService(api, "account", "The trading account's cash", List.of(),
                    (client, args) -> client.get("/account").body()));
            tools.putAll(wrappers.agentToolAsService(api, "place_order", "Places an order",
                    List.of(ToolParameter.required("sku", String.class, "the instrument")),
                    (client, args) -> client.post("/orders",
                            "{\"sku\":\"" + args.get("sku", String.class) + "\"}").body()));
            stub.enqueue(StubReply.toolCalls(StubReply.call("account", "{}")),
                    StubReply.toolCalls(StubReply.call("place_order", "{\"sku\":\"ACME\"}")),
                    StubReply.text("The order could not be placed."));
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key")
                    .modelName("stub-model").maxRetries(0).timeout(Duration.ofSeconds(30)).build();

            AgentExecutor.State state = Graphs.compile(wrappers.reactAgent(model, tools, ReactAgentConfig.ofDefaults()))
                    .invoke(Map.of("messages", UserMessage.from("Buy ACME if I have cash"))).orElseThrow();

            assertThat(state.finalResponse()).contains("The order could not be placed.");
            List<StubRequest> requests = stub.requests();
            assertThat(requests).hasSize(3);
            assertThat(requests.get(1).latestToolResults()).singleElement().asString().contains("\"cash\":1000");
            String failure = requests.get(2).latestToolResults().get(0);
            assertThat(failure).contains("POST " + base + "/orders answered HTTP 500").contains("***")
                    .doesNotContain(SECRET);
            assertThat(tokens).as("both tools used the one token").hasValue(1);

            List<String> secrets = new java.util.ArrayList<>(issued.keySet());
            secrets.add(SECRET);
            StringBuilder sentToModel = new StringBuilder();
            requests.forEach(r -> sentToModel.append(r.body()).append('\n'));
            String log = Files.exists(Path.of("target", "tests.log")) ? Files.readString(Path.of("target", "tests.log")) : "";
            for (String secret : secrets) {
                assertThat(sentToModel.toString()).as("what the model saw").doesNotContain(secret);
                assertThat(log).as("the log").doesNotContain(secret);
                assertThat(String.valueOf(state.messages())).as("the agent's state").doesNotContain(secret);
            }
        }
    }

    private static void answer(HttpExchange exchange, Map<String, Boolean> issued, int status, String body)
            throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !issued.containsKey(auth.substring(7))) {
            HttpServerService.respond(exchange, 401, "{\"error\":\"invalid_token\"}");
            return;
        }
        exchange.getRequestBody().readNBytes(4096);
        HttpServerService.respond(exchange, status, body);
    }
}
