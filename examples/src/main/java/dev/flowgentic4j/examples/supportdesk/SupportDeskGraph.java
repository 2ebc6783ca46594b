package dev.flowgentic4j.examples.supportdesk;

import static org.bsc.langgraph4j.GraphDefinition.END;
import static org.bsc.langgraph4j.GraphDefinition.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

import dev.flowgentic4j.examples.patterns.Cache;
import dev.flowgentic4j.examples.patterns.DatabasePool;
import dev.flowgentic4j.examples.patterns.EmbeddingModelService;
import dev.flowgentic4j.workflows.FlowgenticException;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphStateException;
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
 * service. Nodes hold the services' handles, never the services, and wait up to the ready timeout
 * for a service that is still starting. The compiled graph can be invoked any number of times.
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
     * @throws FlowgenticException wrapping LangGraph4j's {@link GraphStateException}
     */
    public static CompiledGraph<SupportDeskState> compile(Services services, Duration readyTimeout) {
        String afterAnswer = services.agent().isPresent() ? "rephrase" : END;
        try {
            StateGraph<SupportDeskState> graph = new StateGraph<>(Map.of(), SupportDeskState::new)
                    .addNode("check_cache", node_async(state -> {
                        Optional<String> hit = services.cache().call(readyTimeout,
                                cache -> cache.get(cacheKey(state.question())));
                        return hit.<Map<String, Object>>map(a -> Map.of(SupportDeskState.ANSWER, a,
                                SupportDeskState.CACHED, true)).orElse(Map.of(SupportDeskState.CACHED, false));
                    }))
                    .addNode("embed", node_async(state -> Map.of(SupportDeskState.EMBEDDING,
                            services.model().call(readyTimeout, model -> model.embed(state.question())))))
                    .addNode("nearest_faq", node_async(state -> {
                        float[] embedding = state.embedding().orElseThrow();
                        FaqStore.Match match = services.pool().call(readyTimeout,
                                pool -> FaqStore.nearest(pool, embedding));
                        return Map.of(SupportDeskState.ANSWER, match.faq().answer(),
                                SupportDeskState.MATCHED_QUESTION, match.faq().question(),
                                SupportDeskState.SCORE, match.score());
                    }))
                    .addNode("cache_answer", node_async(state -> {
                        String answer = state.answer().orElseThrow();
                        services.cache().call(readyTimeout, cache -> {
                            cache.set(cacheKey(state.question()), answer, CACHE_TTL);
                            return null;
                        });
                        return Map.of();
                    }))
                    .addEdge(START, "check_cache")
                    .addConditionalEdges("check_cache", edge_async(state -> state.cached() ? "hit" : "miss"),
                            Map.of("hit", afterAnswer, "miss", "embed"))
                    .addEdge("embed", "nearest_faq")
                    .addEdge("nearest_faq", "cache_answer")
                    .addEdge("cache_answer", afterAnswer);
            if (services.agent().isPresent()) {
                ServiceFuture<SupportAgent> agent = services.agent().get();
                graph.addNode("rephrase", node_async(state -> Map.of(
                                SupportDeskState.ANSWER, agent.call(readyTimeout,
                                        a -> a.rephrase(state.question(), state.answer().orElseThrow())),
                                SupportDeskState.REPHRASED, true)))
                        .addEdge("rephrase", END);
            }
            return graph.compile();
        } catch (GraphStateException e) {
            throw new FlowgenticException("cannot build the SupportDesk graph: " + e.getMessage(), e);
        }
    }

    /** The cache key of a question: case and spacing do not matter. */
    public static String cacheKey(String question) {
        return CACHE_PREFIX + question.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
