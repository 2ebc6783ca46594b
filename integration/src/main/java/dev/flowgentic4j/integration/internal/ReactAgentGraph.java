package dev.flowgentic4j.integration.internal;

import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import java.util.concurrent.Executor;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agent.Agent;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.agentexecutor.CallModel;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * Builds LangGraph4j's own ReAct graph ({@link Agent#builder()} with {@link AgentExecutor.State}, node
 * {@code "agent"} = LangGraph4j's {@link CallModel}) with our {@link ToolsNode} as its {@code "action"}
 * node, the only difference from {@code AgentExecutor.builder().build()}.
 */
public final class ReactAgentGraph {
    private ReactAgentGraph() {}

    /** @param toolExecutor where the tool calls of one turn run concurrently, or null for one after another */
    public static StateGraph<AgentExecutor.State> build(ChatModel model, Map<ToolSpecification, ToolExecutor> tools,
            ReactAgentConfig config, Executor toolExecutor) {
        AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(model);
        config.systemMessage().map(SystemMessage::from).ifPresent(builder::systemMessage);
        config.responseFormat().ifPresent(builder::responseFormat);
        tools.forEach(builder::tool);
        CallModel<AgentExecutor.State> callModel = new CallModel<>(builder);
        ToolsNode toolsNode = new ToolsNode(tools, toolExecutor, config.maxIterations(), config.asyncCallSlots());
        return Graphs.define(() -> Agent.<ChatMessage, AgentExecutor.State>builder()
                .stateSerializer(config.stateSerializer())
                .schema(MessagesState.SCHEMA)
                .callModelAction(callModel)
                .executeToolsAction(toolsNode)
                .build());
    }
}
