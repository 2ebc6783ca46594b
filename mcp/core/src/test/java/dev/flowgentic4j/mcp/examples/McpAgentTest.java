package dev.flowgentic4j.mcp.examples;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.mcp.FixtureServers;
import dev.flowgentic4j.mcp.McpOptions;
import dev.flowgentic4j.mcp.McpServerSpec;
import dev.flowgentic4j.mcp.McpServer;
import dev.flowgentic4j.mcp.McpServices;
import dev.flowgentic4j.mcp.McpTools;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.ToolExecutor;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The McpAgent example, through langchain4j's real OpenAI client against the scripted stub. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class McpAgentTest {
    private final OpenAiStub stub = OpenAiStub.start();

    @AfterEach
    void closeStub() {
        stub.close();
    }

    private ChatModel model() {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName("stub-model")
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void the_agent_is_offered_the_server_tools_and_reads_every_result_and_failure_and_the_node_shares_the_process() {
        stub.requireToolResults().enqueue(
                toolCalls(call("add", "{\"a\":17,\"b\":25}"), call("fail", "{\"message\":\"quota exceeded\"}"),
                        call("nope", "{}")),
                text("17 + 25 = 42"),
                toolCalls(call("count", "{}")),
                toolCalls(call("count", "{}")),
                text("counted 2"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        McpAgent.Report report = McpAgent.run(model(), FixtureServers.direct("fixture"),
                List.of("What is 17 + 25?", "Count twice."), new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(report.answers()).containsExactly("17 + 25 = 42", "counted 2");
        assertThat(stub.requests().get(0).toolNames())
                .containsExactlyInAnyOrder("add", "count", "pid", "sleep", "fail", "image", "env", "cwd");
        assertThat(stub.requests().get(0).toolParameters("add").orElseThrow().toString()).contains("first addend");
        assertThat(stub.requests().get(1).latestToolResults()).containsExactly(
                "42",
                "Error: tool 'fail' of MCP server 'fixture' returned an error: quota exceeded",
                "Error: there is no tool named 'nope'; available tools: add, count, cwd, env, fail, image, pid, sleep");
        assertThat(stub.requests().get(3).latestToolResults()).containsExactly("1");
        assertThat(stub.requests().get(4).latestToolResults()).containsExactly("2");
        assertThat(report.nodePids()).hasSize(2).doesNotContain(-1L);
        assertThat(report.nodePids().get(1)).isEqualTo(report.nodePids().get(0)); // one process for both runs
        assertThat(report.generation()).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Evidence: one server process for 2 questions");
    }

    @Test
    void langgraph4j_agent_executor_gets_an_mcp_failure_as_a_tool_result_instead_of_failing_the_graph() {
        stub.requireToolResults().enqueue(toolCalls(call("fail", "{\"message\":\"no such file\"}")),
                toolCalls(call("add", "{\"a\":1,\"b\":2}")), text("recovered: 3"));
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(
                    McpServices.definition(FixtureServers.direct("fixture"), McpOptions.ofDefaults()).build()).start(null);
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            StateGraph<AgentExecutor.State> agent = Graphs.define(() -> {
                AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(model());
                tools.forEach(builder::toolSpecification);
                return builder.build();
            });

            AgentExecutor.State state = Graphs.compile(agent)
                    .invoke(Map.of("messages", UserMessage.from("go"))).orElseThrow();

            assertThat(state.finalResponse()).contains("recovered: 3");
            assertThat(stub.requests().get(1).latestToolResults())
                    .containsExactly("Error: tool 'fail' of MCP server 'fixture' returned an error: no such file");
            assertThat(stub.requests().get(2).latestToolResults()).containsExactly("3");
        }
    }

    interface Assistant {
        String chat(String message);
    }

    @Test
    void ai_services_call_the_mcp_tools_and_read_their_failures() {
        stub.requireToolResults().enqueue(toolCalls(call("count", "{}"), call("sleep", "{\"millis\":\"soon\"}")),
                text("counted"));
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(
                    McpServices.definition(FixtureServers.direct("fixture"), McpOptions.ofDefaults()).build()).start(null);
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model())
                    .tools(McpTools.of(server)).build();

            assertThat(assistant.chat("count")).isEqualTo("counted");
            assertThat(stub.requests().get(1).latestToolResults()).hasSize(2);
            assertThat(stub.requests().get(1).latestToolResults().get(0)).isEqualTo("1");
            assertThat(stub.requests().get(1).latestToolResults().get(1))
                    .startsWith("Error: tool 'sleep' of MCP server 'fixture'");
        }
    }

    @Test
    void without_an_api_key_it_says_what_to_set_and_starts_nothing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = McpAgent.launch(Map.of(), FixtureServers.direct("fixture"), List.of("hi"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("OPENAI_API_KEY");
        assertThat(stub.requests()).isEmpty();
    }

    @Test
    void command_and_url_options_choose_the_server() {
        List<String> args = new ArrayList<>(List.of("--command", "node dist/index.js stdio", "what", "now"));
        McpServerSpec.Stdio spec = (McpServerSpec.Stdio) McpAgent.serverFrom(args);
        assertThat(spec.command()).containsExactly("node", "dist/index.js", "stdio");
        assertThat(spec.toString()).isEqualTo("MCP server 'server' (node, 2 arguments not shown)");
        assertThat(args).containsExactly("what", "now");
        assertThat(McpAgent.serverFrom(new ArrayList<>(List.of("--url", "http://127.0.0.1:3001/mcp"))).toString())
                .isEqualTo("MCP server 'server' (http://127.0.0.1:3001/mcp)");
    }
}
