package dev.flowgentic4j.quickstart;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * A ReAct agent (LangGraph4j's ReAct graph from {@code ExecutionWrappers.reactAgent}, which answers
 * every tool call, unknown names included) whose tools are backed by two persistent services, inside
 * a graph whose service nodes use the very same live instances:
 *
 * <pre>
 *   START -> check_session (service node: weather client) -> agent (ReAct, tools on both services)
 *         -> audit (service node: HTTP server) -> END
 * </pre>
 *
 * The weather client logs in once; the demo HTTP server starts once; every question reuses both.
 * Talks to any OpenAI-compatible endpoint: set {@code OPENAI_API_KEY}, and optionally
 * {@code OPENAI_BASE_URL} and {@code OPENAI_MODEL}.
 */
public final class AgentWithServiceTools {
    public static final String DEFAULT_BASE_URL = OpenAiEndpoint.DEFAULT_BASE_URL;
    public static final String DEFAULT_MODEL = OpenAiEndpoint.DEFAULT_MODEL;

    /** What one run showed, for tests. */
    public record Report(List<String> answers, int coldStarts, long weatherCalls, long serverRequests,
                         String weatherSession) {}

    private AgentWithServiceTools() {}

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        String backend = Backends.takeBackendOption(rest, "AgentWithServiceTools");
        int status = launch(System.getenv(), !rest.isEmpty() ? List.of(String.join(" ", rest))
                : List.of("What is the weather in Oslo, and the 3-day forecast for Rome?",
                        "Is our demo server up? Check /api/health."), System.out, System.err, backend);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Reads the endpoint from {@code env} and runs {@code questions}; without a key, says what to
     * set and returns 2. Never prints the key.
     */
    static int launch(Map<String, String> env, List<String> questions, PrintStream out, PrintStream err) {
        return launch(env, questions, out, err, "local");
    }

    /** {@link #launch(Map, List, PrintStream, PrintStream)} on the backend named {@code backend}. */
    static int launch(Map<String, String> env, List<String> questions, PrintStream out, PrintStream err,
                      String backend) {
        Optional<OpenAiEndpoint> endpoint = OpenAiEndpoint.fromEnvironment(env);
        if (endpoint.isEmpty()) {
            OpenAiEndpoint.printHowToConfigure("AgentWithServiceTools", err);
            return 2;
        }
        out.println("Using model " + endpoint.get().modelName() + " at " + endpoint.get().baseUrl());
        try {
            run(endpoint.get().chatModel(), questions, out, backend);
            return 0;
        } catch (RuntimeException e) {
            Optional<Throwable> unreachable = OpenAiEndpoint.unreachableCause(e);
            if (unreachable.isEmpty()) {
                throw e;
            }
            err.println("AgentWithServiceTools: " + OpenAiEndpoint.unreachableAdvice(
                    "the chat endpoint " + endpoint.get().baseUrl(), unreachable.get()));
            return 3;
        }
    }

    /** Builds the services, the tools and the graph, and asks each question in turn, on the local backend. */
    public static Report run(ChatModel model, List<String> questions, PrintStream out) {
        return run(model, questions, out, "local");
    }

    /** {@link #run(ChatModel, List, PrintStream)} on the backend named {@code backend}. */
    public static Report run(ChatModel model, List<String> questions, PrintStream out, String backend) {
        AtomicInteger coldStarts = new AtomicInteger();
        try (LangGraphIntegration integration = Backends.integration(backend, out)) {
            ExecutionWrappers wrappers = integration.executionWrappers();

            // two SERVICE_TASKs: started once, alive for every question below
            ServiceTask<String, WeatherApiClient> weatherTask = wrappers.serviceTask("weather_api", credentials -> {
                out.println("  ❄️  COLD START: weather API client logging in...");
                coldStarts.incrementAndGet();
                return WeatherApiClient.login(credentials);
            });
            ServiceTask<Integer, SimpleServer> serverTask = wrappers.serviceTask(
                    ServiceDefinition.builder("demo_server", (Integer port) -> {
                        out.println("  ❄️  COLD START: demo HTTP server starting...");
                        coldStarts.incrementAndGet();
                        return SimpleServer.start(SimpleServer.DEFAULT_HOST, port);
                    }).stop(SimpleServer::shutdown).build());
            ServiceFuture<WeatherApiClient> weather = weatherTask.start("demo-credentials");
            ServiceFuture<SimpleServer> server = serverTask.start(0);

            // AGENT_TOOL_AS_SERVICE: @Tool methods of the client, plus a function over the live server
            Map<ToolSpecification, ToolExecutor> tools = AgentTools.merge(
                    wrappers.agentToolAsService(weather, WeatherApiClient.class),
                    wrappers.agentToolAsService(server, "server_request", "Sends a GET request to our demo HTTP "
                                    + "server and returns its JSON answer",
                            List.of(ToolParameter.required("path", String.class, "the path, e.g. /api/health")),
                            (s, args) -> {
                                SimpleServer.Response r = s.handleRequest(args.get("path", String.class), "GET");
                                return "HTTP " + r.status() + " from server " + r.instance() + ": request "
                                        + r.request() + " for " + r.path() + ", up " + r.uptime().toMillis() + " ms";
                            }));

            // the ReAct agent: LangGraph4j's graph, with a tools node that answers every tool call
            // (an unknown tool name included) and runs the calls of one turn concurrently on the backend
            CompiledGraph<AgentExecutor.State> agent = Graphs.compile(wrappers.reactAgent(model, tools,
                    ReactAgentConfig.builder().systemMessage("You answer with the tools you have. Be brief.")
                            .executeToolsConcurrently().maxIterations(5).build()));

            // SERVICE_TASK nodes on the same handles the tools use
            CompiledGraph<AgentExecutor.State> graph = Graphs.compile(Graphs.define(() ->
                    new StateGraph<>(MessagesState.SCHEMA, AgentExecutor.Serializers.STD.object())
                            .addNode("check_session", wrappers.<WeatherApiClient, AgentExecutor.State>serviceNode(
                                    weather, (client, state) -> {
                                        out.println("  [node] weather session " + client.session() + ", "
                                                + client.calls() + " calls so far");
                                        return Map.of();
                                    }))
                            .addNode("agent", agent)
                            .addNode("audit", wrappers.<SimpleServer, AgentExecutor.State>serviceNode(
                                    server, (s, state) -> {
                                        out.println("  [node] demo server " + s.instanceId() + " served "
                                                + s.requestCount() + " requests");
                                        return Map.of();
                                    }))
                            .addEdge(StateGraph.START, "check_session")
                            .addEdge("check_session", "agent")
                            .addEdge("agent", "audit")
                            .addEdge("audit", StateGraph.END)));

            List<String> answers = new ArrayList<>();
            for (String question : questions) {
                out.println();
                out.println("Q: " + question);
                AgentExecutor.State state = graph.invoke(Map.of("messages", UserMessage.from(question)))
                        .orElseThrow();
                String answer = state.finalResponse().orElse("(no answer)");
                answers.add(answer);
                out.println("A: " + answer);
            }
            out.println();
            out.println("Evidence: " + coldStarts.get() + " cold starts for " + questions.size() + " questions; "
                    + "weather client " + weather.join().session() + " served " + weather.join().calls()
                    + " calls; server handle saw " + server.callCount() + " tool/node calls");
            return new Report(answers, coldStarts.get(), weather.join().calls(), server.join().requestCount(),
                    weather.join().session());
        }
    }
}
