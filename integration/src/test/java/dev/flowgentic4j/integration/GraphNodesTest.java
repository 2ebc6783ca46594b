package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.TaskFailedException;
import dev.flowgentic4j.workflows.TaskFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphInput;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.checkpoint.MemorySaver;
import org.bsc.langgraph4j.state.AgentState;
import org.bsc.langgraph4j.state.Channel;
import org.bsc.langgraph4j.state.Channels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GraphNodesTest {
    static final Map<String, Channel<?>> CHANNELS = Map.of("log", Channels.appenderWithDuplicate(ArrayList::new));

    private LangGraphIntegration integration;
    private ExecutionWrappers wrappers;
    private final AtomicInteger coldStarts = new AtomicInteger();
    private ServiceTask<Void, Counter> counterTask;

    @BeforeEach
    void setUp() {
        integration = LangGraphIntegration.create(IntegrationConfig.builder()
                .engine(EngineConfig.builder().serviceRetry(RetryConfig.noRetry()).taskRetry(RetryConfig.noRetry()).build())
                .build());
        wrappers = integration.executionWrappers();
        counterTask = wrappers.serviceTask("counter", ignored -> {
            coldStarts.incrementAndGet();
            return new Counter();
        });
    }

    @AfterEach
    void tearDown() {
        integration.close();
    }

    private static List<String> log(AgentState state) {
        return state.<List<String>>value("log").orElse(List.of());
    }

    private CompiledGraph<AgentState> twoServiceNodes(ServiceFuture<Counter> counter, CompileConfig config) {
        return Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("first", wrappers.serviceNode(counter,
                        (c, state) -> Map.of("log", "first:" + c.id() + ":" + c.increment("first"))))
                .addNode("second", wrappers.serviceNode(counter,
                        (c, state) -> Map.of("log", "second:" + c.id() + ":" + c.increment("second"))))
                .addEdge(START, "first")
                .addEdge("first", "second")
                .addEdge("second", END)), config);
    }

    @Test
    void service_nodes_use_one_live_instance_across_nodes_and_graph_runs() {
        ServiceFuture<Counter> counter = counterTask.start(null);
        CompiledGraph<AgentState> graph = twoServiceNodes(counter, CompileConfig.builder().build());

        AgentState run1 = graph.invoke(Map.of()).orElseThrow();
        AgentState run2 = graph.invoke(Map.of()).orElseThrow();

        String id = counter.join().id();
        assertThat(log(run1)).containsExactly("first:" + id + ":1", "second:" + id + ":2");
        assertThat(log(run2)).containsExactly("first:" + id + ":3", "second:" + id + ":4");
        assertThat(coldStarts.get()).isEqualTo(1);
        assertThat(counter.callCount()).isEqualTo(4);
    }

    @Test
    void service_nodes_stay_exact_across_concurrent_graph_runs_on_many_threads() throws Exception {
        ServiceFuture<Counter> counter = counterTask.start(null);
        CompiledGraph<AgentState> graph = twoServiceNodes(counter, CompileConfig.builder().build());
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<AgentState>> runs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> graph.invoke(Map.of()).orElseThrow(), threads));
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertThat(counter.join().hits()).isEqualTo(64);
        assertThat(counter.callCount()).isEqualTo(64);
        assertThat(coldStarts.get()).isEqualTo(1);
    }

    @Test
    void parallel_branches_reach_the_same_instance_and_are_counted_once() {
        ServiceFuture<Counter> counter = counterTask.start(null);
        CompiledGraph<AgentState> graph = Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("left", wrappers.serviceNode(counter, (c, s) -> { c.increment("l"); return Map.of("log", "left:" + c.id()); }))
                .addNode("right", wrappers.serviceNode(counter, (c, s) -> { c.increment("r"); return Map.of("log", "right:" + c.id()); }))
                .addNode("join", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "join:" + c.hits())))
                .addEdge(START, "left")
                .addEdge(START, "right")
                .addEdge("left", "join")
                .addEdge("right", "join")
                .addEdge("join", END)));

        AgentState state = graph.invoke(Map.of()).orElseThrow();

        String id = counter.join().id();
        assertThat(log(state)).containsExactlyInAnyOrder("left:" + id, "right:" + id, "join:2");
        assertThat(counter.join().hits()).isEqualTo(2);
    }

    @Test
    void checkpointed_graph_interrupted_and_resumed_reaches_the_same_live_instance() {
        ServiceFuture<Counter> counter = counterTask.start(null);
        CompiledGraph<AgentState> graph = twoServiceNodes(counter, CompileConfig.builder()
                .checkpointSaver(new MemorySaver()).interruptBefore("second").build());
        RunnableConfig thread = RunnableConfig.builder().threadId("conversation-1").build();

        AgentState paused = graph.invoke(Map.of(), thread).orElseThrow();
        assertThat(log(paused)).hasSize(1);
        assertThat(graph.getState(thread).next()).isEqualTo("second");

        AgentState resumed = graph.invoke(GraphInput.resume(), thread).orElseThrow();

        String id = counter.join().id();
        assertThat(log(resumed)).containsExactly("first:" + id + ":1", "second:" + id + ":2");
        assertThat(coldStarts.get()).isEqualTo(1);
    }

    @Test
    void failed_service_fails_the_node_naming_service_and_state() {
        ServiceTask<Void, Counter> broken = wrappers.serviceTask("broken", ignored -> {
            throw new IllegalStateException("cannot connect");
        });
        ServiceFuture<Counter> counter = broken.start(null);
        counter.toCompletableFuture().handle((v, e) -> null).join();
        CompiledGraph<AgentState> graph = twoServiceNodes(counter, CompileConfig.builder().build());

        assertThatThrownBy(() -> graph.invoke(Map.of()))
                .satisfies(e -> assertThat(Assertions.catchThrowable(() -> { throw rootOf(e); }))
                        .isInstanceOf(ServiceUnavailableException.class)
                        .hasMessageContaining("service 'broken#1' is FAILED"));
        assertThat(counter.state()).isEqualTo(ServiceState.FAILED);
    }

    @Test
    void cancelled_service_fails_the_node_naming_service_and_state() {
        ServiceFuture<Counter> counter = counterTask.start(null);
        counter.join();
        counter.cancel(true);
        CompiledGraph<AgentState> graph = twoServiceNodes(counter, CompileConfig.builder().build());

        assertThatThrownBy(() -> graph.invoke(Map.of()))
                .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(ServiceUnavailableException.class)
                        .hasMessageContaining("service 'counter#1' is TERMINATED"));
    }

    @Test
    void execution_blocks_run_on_the_backend_and_update_the_state() {
        CompiledGraph<AgentState> graph = Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("fn", wrappers.executionBlock("fn", state -> Map.of("log", "fn on " + Thread.currentThread().getName())))
                .addNode("block", wrappers.executionBlock("block", state -> Map.of("log", "block saw " + log(state).size())))
                .addEdge(START, "fn")
                .addEdge("fn", "block")
                .addEdge("block", END)));

        AgentState state = graph.invoke(Map.of()).orElseThrow();

        assertThat(log(state)).hasSize(2);
        assertThat(log(state).get(0)).startsWith("fn on flowgentic4j-");
        assertThat(log(state).get(1)).isEqualTo("block saw 1");
    }

    @Test
    void failing_execution_block_fails_the_node_naming_the_block() {
        CompiledGraph<AgentState> graph = Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("block", wrappers.executionBlock("risky", state -> {
                    throw new java.io.IOException("disk full");
                }))
                .addEdge(START, "block")
                .addEdge("block", END)));

        assertThatThrownBy(() -> graph.invoke(Map.of()))
                .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(TaskFailedException.class)
                        .hasMessageContaining("task 'risky' failed after 1 attempt: IOException: disk full"));
    }

    @Test
    void an_execution_block_with_a_retry_policy_is_tried_again_and_one_without_is_not() {
        AtomicInteger attempts = new AtomicInteger();
        TaskFunction<AgentState, Map<String, Object>> flaky = state -> {
            if (attempts.incrementAndGet() == 1) {
                throw new java.io.IOException("first attempt fails");
            }
            return Map.of("log", "attempt " + attempts.get());
        };
        RetryConfig twice = RetryConfig.builder().maxAttempts(2).baseDelay(Duration.ofMillis(1)).build();
        CompiledGraph<AgentState> retried = Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("block", wrappers.executionBlock("flaky", flaky, twice))
                .addEdge(START, "block")
                .addEdge("block", END)));

        assertThat(log(retried.invoke(Map.of()).orElseThrow())).containsExactly("attempt 2");

        attempts.set(0);
        CompiledGraph<AgentState> once = Graphs.compile(Graphs.define(() -> new StateGraph<>(CHANNELS, AgentState::new)
                .addNode("block", wrappers.executionBlock("flaky_once", flaky))
                .addEdge(START, "block")
                .addEdge("block", END)));
        assertThatThrownBy(() -> once.invoke(Map.of()))
                .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(TaskFailedException.class)
                        .hasMessageContaining("after 1 attempt"));
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void graph_state_exception_is_rethrown_unchecked_with_its_cause() {
        assertThatThrownBy(() -> Graphs.compile(Graphs.define(() -> new StateGraph<>(AgentState::new)
                .addEdge(START, "missing"))))
                .isInstanceOf(GraphException.class)
                .hasCauseInstanceOf(org.bsc.langgraph4j.GraphStateException.class);
    }

    /** The first flowgentic4j exception in the cause chain (LangGraph4j wraps node failures). */
    static Throwable rootOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.flowgentic4j.workflows.FlowgenticException) {
                return t;
            }
        }
        return e;
    }
}
