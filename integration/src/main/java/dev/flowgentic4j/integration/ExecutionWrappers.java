package dev.flowgentic4j.integration;

import dev.flowgentic4j.integration.internal.GraphNodes;
import dev.flowgentic4j.integration.internal.ReactAgentGraph;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ServiceToolFunction;
import dev.flowgentic4j.tools.ToolArguments;
import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFactory;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceInitializer;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.ServiceTaskRegistry;
import dev.flowgentic4j.workflows.TaskFunction;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.state.AgentState;

/**
 * Turns plain Java functions into the flow types: FUNCTION_TASK ({@link #functionTask}), SERVICE_TASK
 * ({@link #serviceTask}), AGENT_TOOL_AS_FUNCTION ({@link #agentToolAsFunction}), AGENT_TOOL_AS_SERVICE
 * ({@link #agentToolAsService}), EXECUTION_BLOCK ({@link #executionBlock}), plus graph nodes on a live
 * service ({@link #serviceNode}) and the ReAct agent
 * ({@link #reactAgent}). Obtained from {@link LangGraphIntegration#executionWrappers()}; the
 * integration itself holds the settings, the engine and the lifecycle verbs. Thread-safe.
 *
 * <pre>{@code
 * ExecutionWrappers wrappers = integration.executionWrappers();
 * FunctionTask<String, Integer> length = wrappers.functionTask("length", String::length);
 * ServiceTask<Integer, SimpleServer> server = wrappers.serviceTask("start_server", SimpleServer::start);
 * ServiceFuture<SimpleServer> live = server.start(0);
 * AsyncNodeAction<AgentState> node = wrappers.serviceNode(live, (s, state) -> Map.of("hits", s.requestCount()));
 * Map<ToolSpecification, ToolExecutor> tools = wrappers.agentToolAsService(live, "ping", "Pings the server",
 *     List.of(), (s, args) -> s.handleRequest("/ping", "GET"));   // the same live instance as the node
 * }</pre>
 */
public final class ExecutionWrappers implements ServiceTaskRegistry {
    private final FlowEngine engine;
    private final IntegrationConfig config;

    ExecutionWrappers(FlowEngine engine, IntegrationConfig config) {
        this.engine = engine;
        this.config = config;
    }

    /**
     * A FUNCTION_TASK with the integration's default retry policy.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the integration is closed
     */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function) {
        return engine.functionTask(name, function);
    }

    /** A FUNCTION_TASK with its own retry policy; same checks as {@link #functionTask(String, TaskFunction)}. */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function, RetryConfig retry) {
        return engine.functionTask(name, function, retry);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The verb a LangGraph4j or langchain4j user reaches for: it registers on the integration's
     * engine, so the service shows in {@link LangGraphIntegration#services()} and stops when the
     * integration closes ({@link FlowEngine} has the same verbs for plain Java).
     *
     * <pre>{@code
     * ServiceFuture<SimpleServer> server = wrappers.serviceTask("start_server", SimpleServer::start).start(0);
     * }</pre>
     */
    @Override
    public <A, S> ServiceTask<A, S> serviceTask(String name, ServiceInitializer<A, S> initializer) {
        return engine.serviceTask(name, initializer);
    }

    /**
     * {@inheritDoc}
     *
     * <pre>{@code
     * ServiceFuture<Cache> cache = wrappers.serviceTask("cache", () -> new Cache()).start();
     * }</pre>
     */
    @Override
    public <S> NoArgServiceTask<S> serviceTask(String name, ServiceFactory<S> factory) {
        return engine.serviceTask(name, factory);
    }

    /**
     * {@inheritDoc}
     *
     * <pre>{@code
     * ServiceFuture<DatabasePool> pool = wrappers.serviceTask(PatternServices.databasePool()).start(settings);
     * }</pre>
     */
    @Override
    public <A, S> ServiceTask<A, S> serviceTask(ServiceDefinition<A, S> definition) {
        return engine.serviceTask(definition);
    }

    // ---- agent tools -------------------------------------------------------------------------

    /**
     * AGENT_TOOL_AS_FUNCTION with the default retry policy: a langchain4j tool named {@code name}
     * whose every call runs {@code function} as a FUNCTION_TASK. See {@link AgentTools#function}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the integration is closed
     */
    public Map<ToolSpecification, ToolExecutor> agentToolAsFunction(String name, String description,
            List<ToolParameter> parameters, TaskFunction<ToolArguments, ?> function) {
        return agentToolAsFunction(name, description, parameters, function, engine.config().taskRetry());
    }

    /** AGENT_TOOL_AS_FUNCTION with its own retry and timeout policy; same checks as above. */
    public Map<ToolSpecification, ToolExecutor> agentToolAsFunction(String name, String description,
            List<ToolParameter> parameters, TaskFunction<ToolArguments, ?> function, RetryConfig retry) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        FunctionTask<ToolArguments, ?> task = engine.functionTask(name, function, retry);
        return AgentTools.function(task, description, parameters);
    }

    /**
     * AGENT_TOOL_AS_SERVICE, object variant: one tool per {@code @Tool} method of {@code toolType},
     * each calling the live instance behind {@code service} (the same handle graph nodes use),
     * resolved at every call within {@link IntegrationConfig#serviceReadyTimeout()}. See
     * {@link AgentTools#serviceObject}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code toolType} has no usable {@code @Tool} method
     */
    public <S> Map<ToolSpecification, ToolExecutor> agentToolAsService(ServiceFuture<? extends S> service,
            Class<S> toolType) {
        return AgentTools.serviceObject(service, toolType, config.serviceReadyTimeout());
    }

    /**
     * AGENT_TOOL_AS_SERVICE, function variant: a tool that applies {@code function} to the live
     * instance behind {@code service}, resolved at every call. See {@link AgentTools#serviceFunction}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or two parameters share a name
     */
    public <S> Map<ToolSpecification, ToolExecutor> agentToolAsService(ServiceFuture<S> service, String name,
            String description, List<ToolParameter> parameters, ServiceToolFunction<? super S> function) {
        return AgentTools.serviceFunction(service, name, description, parameters, function,
                config.serviceReadyTimeout());
    }

    // ---- agent graph --------------------------------------------------------------------------

    /**
     * The ReAct agent: LangGraph4j's own ReAct graph ({@code Agent.builder()} with
     * {@link AgentExecutor.State}, nodes {@code "agent"}, LangGraph4j's {@code CallModel}, and
     * {@code "action"}) on {@code model}, offering {@code tools}, whose tools node answers
     * <em>every</em> tool request of the model's turn with exactly one tool result, in request order
     * with its {@code tool_call_id}: an unknown name gets {@code Error: there is no tool named 'x';
     * available tools: a, b}, an executor that throws gets {@code Error: tool 'x' failed: ...}
     * (LangGraph4j 1.8.17's {@code AgentExecutor} skips the first, which OpenAI then rejects, and
     * crashes on the second). Known tools still run through LangGraph4j's {@code LC4jToolService}, each on
     * the one tool path ({@link ToolCallExecutor}): a plain langchain4j tool is put on it here, so its
     * calls are recorded (as AGENT_TOOL_AS_FUNCTION) and an exception it throws is an error result.
     *
     * <p>Every {@link ReactAgentConfig} setting applies: the system message and response format,
     * {@code maxIterations} (after that many tool rounds per user message the run ends with a final
     * response saying so), {@code executeToolsConcurrently()} (the tool calls of one turn run on the
     * integration's backend, or on the given executor; results stay in request order) and the state
     * serializer. The graph works as a node or subgraph of any {@code MessagesState} graph.
     *
     * <pre>{@code
     * CompiledGraph<AgentExecutor.State> agent = Graphs.compile(wrappers.reactAgent(model, tools,
     *     ReactAgentConfig.builder().systemMessage("Be brief.").executeToolsConcurrently().build()));
     * AgentExecutor.State state = agent.invoke(Map.of("messages", UserMessage.from("Weather in Oslo?"))).orElseThrow();
     * }</pre>
     *
     * @throws NullPointerException if an argument is null
     * @throws GraphException if LangGraph4j rejects the graph
     */
    public StateGraph<AgentExecutor.State> reactAgent(ChatModel model, Map<ToolSpecification, ToolExecutor> tools,
            ReactAgentConfig config) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(config, "config");
        Executor toolExecutor = null;
        if (config.executeToolsConcurrently()) {
            Backend backend = engine.backend();
            toolExecutor = config.toolExecutor().orElse(command -> backend.submit("agent tool call", () -> {
                command.run();
                return null;
            }));
        }
        return ReactAgentGraph.build(model, ToolCallExecutor.observeAll(tools, engine.telemetry()), config,
                toolExecutor);
    }

    // ---- graph nodes ---------------------------------------------------------------------------

    /**
     * A SERVICE_TASK node bound to {@code service}: every run, in every graph run, thread and
     * parallel branch, waits up to {@link IntegrationConfig#serviceReadyTimeout()} for the one live
     * instance and applies {@code action} to it and the state. A failed or stopped service fails the
     * node with {@link dev.flowgentic4j.workflows.ServiceUnavailableException} naming the service and
     * its state. The instance never enters the graph state.
     *
     * @throws NullPointerException if an argument is null
     */
    public <S, St extends AgentState> AsyncNodeAction<St> serviceNode(ServiceFuture<S> service,
            ServiceNodeAction<? super S, St> action) {
        return serviceNode(service, action, config.serviceReadyTimeout());
    }

    /** A SERVICE_TASK node with its own ready timeout; see {@link #serviceNode(ServiceFuture, ServiceNodeAction)}. */
    public <S, St extends AgentState> AsyncNodeAction<St> serviceNode(ServiceFuture<S> service,
            ServiceNodeAction<? super S, St> action, Duration readyTimeout) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(action, "action");
        return GraphNodes.service(service, action, Checks.requirePositive(readyTimeout, "readyTimeout"));
    }

    /**
     * An EXECUTION_BLOCK node: every run executes {@code block} on the state once, on the backend (no
     * retries), and returns its update; a failure fails the node with
     * {@link dev.flowgentic4j.workflows.TaskFailedException} naming the block. The block is a
     * FUNCTION_TASK registered under {@code name}, so its calls are counted like any task's.
     *
     * <pre>{@code
     * graph.addNode("summarise", wrappers.executionBlock("summarise", state -> Map.of("summary", summarise(state))));
     * }</pre>
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the integration is closed
     */
    public <St extends AgentState> AsyncNodeAction<St> executionBlock(String name,
            TaskFunction<St, Map<String, Object>> block) {
        return executionBlock(name, block, RetryConfig.noRetry());
    }

    /**
     * An EXECUTION_BLOCK node whose block is tried again as {@code retry} says (for blocks that may
     * run more than once); same checks as
     * {@link #executionBlock(String, TaskFunction)}.
     */
    public <St extends AgentState> AsyncNodeAction<St> executionBlock(String name,
            TaskFunction<St, Map<String, Object>> block, RetryConfig retry) {
        return GraphNodes.block(engine.functionTask(name, block, retry));
    }
}
