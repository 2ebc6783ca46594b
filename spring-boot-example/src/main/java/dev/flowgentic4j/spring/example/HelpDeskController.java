package dev.flowgentic4j.spring.example;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.patterns.InProcessCache;
import dev.flowgentic4j.spring.FlowgenticAgents;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.data.message.UserMessage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /ask?q=...}: the graph
 *
 * <pre>
 * START -> check_cache --hit--> END
 *               \--miss--> search_faq --sure--> cache_answer -> END
 *                               \--unsure--> agent -> cache_answer -> END   (without a model: END)
 * </pre>
 *
 * {@code check_cache}, {@code search_faq} and {@code cache_answer} are SERVICE_TASK nodes on the
 * injected service handles; the agent's tool calls reach the same knowledge base instance.
 */
@RestController
public class HelpDeskController {
    /** A FAQ match at least this good answers without the agent. */
    static final double SURE = 0.6;
    static final int MAX_QUESTION_CHARS = 2_000;

    private final CompiledGraph<HelpDeskState> graph;

    HelpDeskController(ExecutionWrappers wrappers, FlowgenticAgents agents, ServiceFuture<KnowledgeBase> faq,
            ServiceFuture<InProcessCache> cache) {
        Optional<CompiledGraph<AgentExecutor.State>> agent = agents.chatModel().map(model -> Graphs.compile(
                agents.reactAgent(ReactAgentConfig.builder().maxIterations(4).systemMessage(
                        "You are a help desk. Answer in one or two sentences, using searchFaq.").build())));
        String unsure = agent.isPresent() ? "agent" : END;
        this.graph = Graphs.compile(Graphs.define(() -> {
            StateGraph<HelpDeskState> g = new StateGraph<>(Map.of(), HelpDeskState::new)
                    .addNode("check_cache", wrappers.<InProcessCache, HelpDeskState>serviceNode(cache, (c, state) ->
                            c.get(key(state.question())).<Map<String, Object>>map(a -> Map.of(
                                    HelpDeskState.ANSWER, a, HelpDeskState.SOURCE, "cache")).orElse(Map.of())))
                    .addNode("search_faq", wrappers.<KnowledgeBase, HelpDeskState>serviceNode(faq, (kb, state) ->
                            kb.nearest(state.question()).<Map<String, Object>>map(m -> Map.of(
                                    HelpDeskState.ANSWER, m.faq().answer(), HelpDeskState.SOURCE, "faq",
                                    HelpDeskState.SCORE, m.score())).orElse(Map.of())))
                    .addNode("cache_answer", wrappers.<InProcessCache, HelpDeskState>serviceNode(cache, (c, state) -> {
                        state.answer().ifPresent(a -> c.set(key(state.question()), a, Duration.ofMinutes(10)));
                        return Map.of();
                    }))
                    .addEdge(START, "check_cache")
                    .addConditionalEdges("check_cache", edge_async(s -> s.answer().isPresent() ? "hit" : "miss"),
                            Map.of("hit", END, "miss", "search_faq"))
                    .addConditionalEdges("search_faq", edge_async(s -> s.score() >= SURE ? "sure" : "unsure"),
                            Map.of("sure", "cache_answer", "unsure", unsure))
                    .addEdge("cache_answer", END);
            agent.ifPresent(a -> {
                try {
                    g.addNode("agent", node_async(state -> {
                        AgentExecutor.State out = a.invoke(Map.of("messages", UserMessage.from(state.question())))
                                .orElseThrow();
                        return Map.of(HelpDeskState.ANSWER, out.finalResponse().orElse("(no answer)"),
                                HelpDeskState.SOURCE, "agent");
                    })).addEdge("agent", "cache_answer");
                } catch (org.bsc.langgraph4j.GraphStateException e) {
                    throw new IllegalStateException(e);
                }
            });
            return g;
        }));
    }

    @GetMapping("/ask")
    public Map<String, Object> ask(@RequestParam("q") String question) {
        if (question.isBlank() || question.length() > MAX_QUESTION_CHARS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "q must hold 1 to " + MAX_QUESTION_CHARS + " characters");
        }
        HelpDeskState state = graph.invoke(Map.of(HelpDeskState.QUESTION, question)).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("question", question);
        out.put("answer", state.answer().orElse("Sorry, I have no answer to that; please write to support."));
        out.put("source", state.source());
        return out;
    }

    static String key(String question) {
        return "helpdesk:" + question.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
