package dev.flowgentic4j.integration;

import dev.flowgentic4j.integration.internal.ToolsNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncCommandAction;
import org.bsc.langgraph4j.agent.Agent;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.agentexecutor.CallModel;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * LangGraph4j ReAct agent graphs that answer <em>every</em> tool request. The graph is LangGraph4j's
 * own: {@link Agent#builder()} with {@link AgentExecutor.State}, nodes {@code "agent"} (LangGraph4j's
 * {@link CallModel}: system message, tool specifications, streaming, response format, context
 * policy) and {@code "action"} (the tools node), so it plugs in wherever {@code AgentExecutor} does,
 * as a node or subgraph of a {@code StateGraph<AgentExecutor.State>} or {@code MessagesState} graph.
 *
 * <p>Only the tools node differs from {@code AgentExecutor.builder().build()} in LangGraph4j
 * 1.8.17, which skips a request for a tool it does not know (a real OpenAI endpoint then rejects
 * the next request: every {@code tool_call_id} needs a tool message) and lets an executor's
 * exception crash the run. Here every request of the last AI message gets exactly one
 * {@code ToolExecutionResultMessage}, in request order with its {@code tool_call_id}: an unknown name
 * gets {@code Error: there is no tool named 'x'; available tools: a, b}, an executor that throws gets
 * {@code Error: tool 'x' failed: ...}. The tool calls of one turn can run concurrently, and after
 * {@link ReactAgentConfig#maxIterations()} tool rounds per user message the agent stops with a final
 * response saying so. Graphs are independent of each other; thread-safety of a run is LangGraph4j's.
 *
 * <pre>{@code
 * CompiledGraph<AgentExecutor.State> agent = Graphs.compile(AgentGraphs.reactAgent(model, tools));
 * AgentExecutor.State state = agent.invoke(Map.of("messages", UserMessage.from("Weather in Oslo?"))).orElseThrow();
 * state.finalResponse();
 * }</pre>
 */
public final class AgentGraphs {
    private AgentGraphs() {}

    /**
     * A ReAct agent on {@code model} offering {@code tools}, with {@link ReactAgentConfig#ofDefaults()}.
     *
     * @throws NullPointerException if an argument is null
     * @throws GraphException if LangGraph4j rejects the graph
     */
    public static StateGraph<AgentExecutor.State> reactAgent(ChatModel model,
            Map<ToolSpecification, ToolExecutor> tools) {
        return reactAgent(model, tools, ReactAgentConfig.ofDefaults());
    }

    /**
     * A ReAct agent on {@code model} offering {@code tools}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code config} asks for concurrent tools without an executor
     *     (use {@link ExecutionWrappers#reactAgent} to run them on the integration's backend)
     * @throws GraphException if LangGraph4j rejects the graph
     */
    public static StateGraph<AgentExecutor.State> reactAgent(ChatModel model,
            Map<ToolSpecification, ToolExecutor> tools, ReactAgentConfig config) {
        return reactAgent(builder(model, tools), config);
    }

    /** An {@code AgentExecutor} builder with {@code model} and {@code tools}. */
    static AgentExecutor.Builder builder(ChatModel model, Map<ToolSpecification, ToolExecutor> tools) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tools, "tools");
        AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(model);
        tools.forEach(builder::tool);
        return builder;
    }

    /**
     * A ReAct agent from an {@code AgentExecutor} builder: its model (or streaming model), system
     * message, response format, conversation context policy and tools, built like
     * {@code builder.build()} but with the tools node described above. The builder's state
     * serializer is not visible from outside LangGraph4j: set it in {@code config}.
     *
     * <pre>{@code
     * AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(model)
     *     .systemMessage(SystemMessage.from("Be brief."));
     * tools.forEach(builder::tool);
     * StateGraph<AgentExecutor.State> agent = AgentGraphs.reactAgent(builder, ReactAgentConfig.ofDefaults());
     * }</pre>
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code config} asks for concurrent tools without an executor
     * @throws GraphException if LangGraph4j rejects the graph
     */
    public static StateGraph<AgentExecutor.State> reactAgent(AgentExecutor.Builder builder, ReactAgentConfig config) {
        Objects.requireNonNull(config, "config");
        return build(builder, config, requireExecutor(config));
    }

    /**
     * Just the tools node, for hand-made graphs: answers every tool request of the last AI message
     * (see above) and returns a {@code Command} whose goto is {@code "agent"} (call the model again)
     * or {@code "end"}; map both in {@code addNode(name, action, mappings)}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code config} asks for concurrent tools without an executor
     */
    public static AsyncCommandAction<AgentExecutor.State> toolsNode(Map<ToolSpecification, ToolExecutor> tools,
            ReactAgentConfig config) {
        Objects.requireNonNull(tools, "tools");
        return new ToolsNode(tools, requireExecutor(config), config.maxIterations());
    }

    /** Builds the graph; tool calls of one turn run on {@code toolExecutor}, or one after another if null. */
    static StateGraph<AgentExecutor.State> build(AgentExecutor.Builder builder, ReactAgentConfig config,
            Executor toolExecutor) {
        Objects.requireNonNull(builder, "builder");
        CallModel<AgentExecutor.State> callModel = new CallModel<>(builder);
        ToolsNode tools = new ToolsNode(builder.toolMap(), toolExecutor, config.maxIterations());
        return Graphs.define(() -> Agent.<ChatMessage, AgentExecutor.State>builder()
                .stateSerializer(config.stateSerializer())
                .schema(MessagesState.SCHEMA)
                .callModelAction(callModel)
                .executeToolsAction(tools)
                .build());
    }

    private static Executor requireExecutor(ReactAgentConfig config) {
        if (!config.executeToolsConcurrently()) {
            return null;
        }
        return config.toolExecutor().orElseThrow(() -> new IllegalArgumentException("executeToolsConcurrently() "
                + "needs an Executor here: use executeToolsConcurrently(executor), or ExecutionWrappers.reactAgent "
                + "to run tools on the integration's backend"));
    }
}
