package dev.flowgentic4j.integration;

import java.util.Objects;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

/**
 * Fluent LangGraph4j graph building without its checked {@link GraphStateException}: it is
 * rethrown as our unchecked {@link GraphException}, keeping the cause.
 *
 * <pre>{@code
 * CompiledGraph<AgentState> graph = Graphs.compile(Graphs.define(() -> new StateGraph<>(AgentState::new)
 *     .addNode("lookup", wrappers.serviceNode(weather, (client, state) -> Map.of("report", client.report("Oslo"))))
 *     .addEdge(StateGraph.START, "lookup")
 *     .addEdge("lookup", StateGraph.END)));
 * StateGraph<AgentExecutor.State> agent = Graphs.define(() -> AgentExecutor.builder().chatModel(model).build());
 * }</pre>
 */
public final class Graphs {
    private Graphs() {}

    /** A piece of LangGraph4j graph code that may throw {@link GraphStateException}. */
    @FunctionalInterface
    public interface Definition<T> {
        T define() throws GraphStateException;
    }

    /**
     * Runs {@code definition} and returns what it built.
     *
     * @throws GraphException if LangGraph4j rejected the definition
     */
    public static <T> T define(Definition<T> definition) {
        Objects.requireNonNull(definition, "definition");
        try {
            return definition.define();
        } catch (GraphStateException e) {
            throw new GraphException("invalid graph: " + e.getMessage(), e);
        }
    }

    /** @throws GraphException if LangGraph4j rejects the graph */
    public static <S extends AgentState> CompiledGraph<S> compile(StateGraph<S> graph) {
        return define(graph::compile);
    }

    /** @throws GraphException if LangGraph4j rejects the graph or the config */
    public static <S extends AgentState> CompiledGraph<S> compile(StateGraph<S> graph, CompileConfig config) {
        return define(() -> graph.compile(config));
    }
}
