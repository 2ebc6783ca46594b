package dev.flowgentic4j.examples.supportdesk;

import static org.bsc.langgraph4j.GraphDefinition.END;
import static org.bsc.langgraph4j.GraphDefinition.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;

import dev.flowgentic4j.patterns.Cache;
import dev.flowgentic4j.patterns.DatabasePool;
import dev.flowgentic4j.patterns.EmbeddingModelService;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;

/**
 * The SupportDesk workflow as a LangGraph4j graph whose nodes share live services:
 *
 * <pre>
 * START -> check_cache --hit--> (rephrase ->) END
 *               \--miss--> embed -> nearest_faq -> cache_answer -> (rephrase ->) END
 * </pre>
 *
 * {@code embed} uses the model service, {@code nearest_faq} the pool service, {@code check_cache}
 * and {@code cache_answer} the cache service, {@code rephrase} (only with an agent) the agent
 * service. The nodes are SERVICE_TASK nodes ({@link ExecutionWrappers#serviceNode}): they hold the
 * services' handles, never the services, and wait up to the ready timeout for a service that is
 * still starting. The compiled graph can be invoked any number of times.
 */
public final class SupportDeskGraph {
    /** Key prefix of cached answers. */
    public static final String CACHE_PREFIX = "supportdesk:answer:";
    /** How long a cached answer lives. */
    public static final Duration CACHE_TTL = Duration.ofMinutes(10);

    /** The live services the nodes use, by handle. */
    public record Services(ServiceFuture<EmbeddingModelService> model, ServiceFuture<DatabasePool> pool,
                           ServiceFuture<? extends Cache> cache, Optional<ServiceFuture<SupportAgent>> agent) {
        public Services {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(agent, "agent");
        }
    }

    private SupportDeskGraph() {}

    /**
     * Builds and compiles the graph.
     *
     * @throws dev.flowgentic4j.integration.GraphException if LangGraph4j rejects the graph
     */
    public static CompiledGraph<SupportDeskState> compile(ExecutionWrappers wrappers, Services services,
                                                          Duration readyTimeout) {
        return Graphs.compile(define(wrappers, services, readyTimeout));
    }

    /**
     * Builds the graph, not compiled (to observe it, or draw it).
     *
     * @throws dev.flowgentic4j.integration.GraphException if LangGraph4j rejects the graph
     */
    public static StateGraph<SupportDeskState> define(ExecutionWrappers wrappers, Services services,
                                                      Duration readyTimeout) {
        String afterAnswer = services.agent().isPresent() ? "rephrase" : END;
        return Graphs.define(() -> {
            StateGraph<SupportDeskState> graph = new StateGraph<>(Map.of(), SupportDeskState::new)
                    .addNode("check_cache", wrappers.serviceNode(services.cache(), (cache, state) -> cache
                            .get(cacheKey(state.question()))
                            .<Map<String, Object>>map(a -> Map.of(SupportDeskState.ANSWER, a, SupportDeskState.CACHED, true))
                            .orElse(Map.of(SupportDeskState.CACHED, false)), readyTimeout))
                    .addNode("embed", wrappers.serviceNode(services.model(), (model, state) ->
                            Map.of(SupportDeskState.EMBEDDING, model.embed(state.question())), readyTimeout))
                    .addNode("nearest_faq", wrappers.serviceNode(services.pool(), (pool, state) -> {
                        FaqStore.Match match = FaqStore.nearest(pool, state.embedding().orElseThrow());
                        return Map.of(SupportDeskState.ANSWER, match.faq().answer(),
                                SupportDeskState.MATCHED_QUESTION, match.faq().question(),
                                SupportDeskState.SCORE, match.score());
                    }, readyTimeout))
                    .addNode("cache_answer", wrappers.serviceNode(services.cache(), (cache, state) -> {
                        cache.set(cacheKey(state.question()), state.answer().orElseThrow(), CACHE_TTL);
                        return Map.of();
                    }, readyTimeout))
                    .addEdge(START, "check_cache")
                    .addConditionalEdges("check_cache", edge_async(state -> state.cached() ? "hit" : "miss"),
                            Map.of("hit", afterAnswer, "miss", "embed"))
                    .addEdge("embed", "nearest_faq")
                    .addEdge("nearest_faq", "cache_answer")
                    .addEdge("cache_answer", afterAnswer);
            if (services.agent().isPresent()) {
                graph.addNode("rephrase", wrappers.serviceNode(services.agent().get(), (agent, state) -> Map.of(
                                SupportDeskState.ANSWER, agent.rephrase(state.question(), state.answer().orElseThrow()),
                                SupportDeskState.REPHRASED, true), readyTimeout))
                        .addEdge("rephrase", END);
            }
            return graph;
        });
    }

    /** The cache key of a question: case and spacing do not matter. */
    public static String cacheKey(String question) {
        return CACHE_PREFIX + question.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
