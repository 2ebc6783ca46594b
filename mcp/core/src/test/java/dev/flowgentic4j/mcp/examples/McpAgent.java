package dev.flowgentic4j.mcp.examples;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.mcp.FixtureServers;
import dev.flowgentic4j.mcp.McpOptions;
import dev.flowgentic4j.mcp.McpServer;
import dev.flowgentic4j.mcp.McpServerSpec;
import dev.flowgentic4j.mcp.McpServices;
import dev.flowgentic4j.mcp.McpTools;
import dev.flowgentic4j.quickstart.OpenAiEndpoint;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * An agent whose tools come from an MCP server started once, and a graph node that uses the same
 * server: one process, one session, shared by the workflow step and the agent.
 *
 * <pre>
 *   START -> server_info (service node: the MCP server) -> agent (ReAct, the server's tools) -> END
 * </pre>
 *
 * The server is the Java fixture server by default; {@code --command "node server.js stdio"} runs
 * any stdio server, {@code --url http://127.0.0.1:3001/mcp} connects to a Streamable HTTP one.
 * Talks to any OpenAI-compatible endpoint: set {@code OPENAI_API_KEY}, and optionally
 * {@code OPENAI_BASE_URL} and {@code OPENAI_MODEL}. Run it from the repository root:
 *
 * <pre>
 *   ./mvnw -B -q -pl mcp/core -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp mcp/core/target/test-classes:mcp/core/target/classes:$(cat mcp/core/target/cp.txt) \
 *       dev.flowgentic4j.mcp.examples.McpAgent [--command "..." | --url ...] [question...]
 * </pre>
 */
public final class McpAgent {

    /** What one run showed, for tests: the answers, the server pid each node run saw, the generation. */
    public record Report(List<String> answers, List<Long> nodePids, List<String> toolNames, int generation) {}

    private McpAgent() {}

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        McpServerSpec spec = serverFrom(rest);
        List<String> questions = rest.isEmpty() ? List.of("What is 17 + 25? Then count twice and tell me the count.")
                : List.of(String.join(" ", rest));
        int status = launch(System.getenv(), spec, questions, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Takes {@code --command "..."} or {@code --url ...} out of {@code args}; the fixture server otherwise. */
    static McpServerSpec serverFrom(List<String> args) {
        int command = args.indexOf("--command");
        if (command >= 0 && command + 1 < args.size()) {
            String line = args.remove(command + 1);
            args.remove(command);
            String[] words = line.trim().split("\\s+");
            return McpServerSpec.stdio("server", words[0], Arrays.copyOfRange(words, 1, words.length));
        }
        int url = args.indexOf("--url");
        if (url >= 0 && url + 1 < args.size()) {
            URI uri = URI.create(args.remove(url + 1));
            args.remove(url);
            return McpServerSpec.http("server", uri);
        }
        return FixtureServers.direct("fixture");
    }

    static int launch(Map<String, String> env, McpServerSpec spec, List<String> questions, PrintStream out,
                      PrintStream err) {
        Optional<OpenAiEndpoint> endpoint = OpenAiEndpoint.fromEnvironment(env);
        if (endpoint.isEmpty()) {
            OpenAiEndpoint.printHowToConfigure("McpAgent", err);
            return 2;
        }
        out.println("Using model " + endpoint.get().modelName() + " at " + endpoint.get().baseUrl());
        run(endpoint.get().chatModel(), spec, questions, out);
        return 0;
    }

    /** Starts the server as a service, builds the graph and asks each question in turn. */
    public static Report run(ChatModel model, McpServerSpec spec, List<String> questions, PrintStream out) {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();

            // the MCP server as a SERVICE_TASK: spawned, initialized and its tools listed once
            ServiceFuture<McpServer> server = wrappers.serviceTask(
                    McpServices.definition(spec, McpOptions.ofDefaults()).build()).start(null);
            McpServer live = server.join();
            out.println("MCP server " + live + " is up after " + server.startupDuration().orElseThrow().toMillis()
                    + " ms with " + live.tools().size() + " tools");

            // its tools as AGENT_TOOL_AS_SERVICE tools: each call resolves the live server
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            CompiledGraph<AgentExecutor.State> agent = Graphs.compile(wrappers.reactAgent(model, tools,
                    ReactAgentConfig.builder().systemMessage("Answer with the tools you have. Be brief.")
                            .maxIterations(5).build()));

            // a SERVICE_TASK node on the same handle: the same process the tools use
            List<Long> nodePids = new CopyOnWriteArrayList<>();
            CompiledGraph<AgentExecutor.State> graph = Graphs.compile(Graphs.define(() ->
                    new StateGraph<>(MessagesState.SCHEMA, AgentExecutor.Serializers.STD.object())
                            .addNode("server_info", wrappers.<McpServer, AgentExecutor.State>serviceNode(server,
                                    (mcp, state) -> {
                                        nodePids.add(mcp.pid().orElse(-1));
                                        out.println("  [node] " + mcp + ", generation " + server.generation());
                                        return Map.of();
                                    }))
                            .addNode("agent", agent)
                            .addEdge(StateGraph.START, "server_info")
                            .addEdge("server_info", "agent")
                            .addEdge("agent", StateGraph.END)));

            List<String> answers = new ArrayList<>();
            for (String question : questions) {
                out.println();
                out.println("Q: " + question);
                AgentExecutor.State state = graph.invoke(Map.of("messages", UserMessage.from(question))).orElseThrow();
                String answer = state.finalResponse().orElse("(no answer)");
                answers.add(answer);
                out.println("A: " + answer);
            }
            out.println();
            out.println("Evidence: one server process for " + questions.size() + " questions, " + server.callCount()
                    + " calls through its handle, generation " + server.generation());
            return new Report(answers, List.copyOf(nodePids),
                    tools.keySet().stream().map(ToolSpecification::name).toList(), server.generation());
        }
    }
}
