package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Graph nodes bound to a replicated service: one handle, calls spread over its replicas, a rolling restart mid-run. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicatedServiceNodeTest {

    @Test
    void nodes_on_a_replicated_service_spread_over_the_replicas_and_survive_a_rolling_restart() throws Exception {
        List<Counter> instances = new CopyOnWriteArrayList<>();
        try (LangGraphIntegration integration = LangGraphIntegration.create(IntegrationConfig.builder()
                .engine(EngineConfig.builder().serviceRetry(RetryConfig.noRetry()).build()).build())) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<Counter> counter = wrappers.serviceTask(ServiceDefinition
                    .builder("counter", () -> {
                        Counter c = new Counter();
                        instances.add(c);
                        return c;
                    }).replicas(2).build()).start(null);
            counter.join();
            for (ServiceFuture<Counter> replica : counter.replicas()) {
                replica.join();
            }
            CompiledGraph<AgentState> graph = Graphs.compile(Graphs.define(() -> new StateGraph<>(
                    GraphNodesTest.CHANNELS, AgentState::new)
                    .addNode("first", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "first:" + c.increment("first"))))
                    .addNode("second", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "second:" + c.increment("second"))))
                    .addEdge(START, "first")
                    .addEdge("first", "second")
                    .addEdge("second", END)), CompileConfig.builder().build());
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<CompletableFuture<AgentState>> first = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    first.add(CompletableFuture.supplyAsync(() -> graph.invoke(Map.of()).orElseThrow(), threads));
                }
                CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                assertThat(instances).hasSize(2).allSatisfy(c -> assertThat(c.hits()).isPositive()); // both served
                List<CompletableFuture<?>> runs = new ArrayList<>();
                runs.add(counter.restart());   // rolling, while 48 more runs go on
                for (int i = 0; i < 48; i++) {
                    runs.add(CompletableFuture.supplyAsync(() -> graph.invoke(Map.of()).orElseThrow(), threads));
                }
                CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
            assertThat(counter.generation()).isEqualTo(2);
            assertThat(instances).hasSize(4); // 2 replicas, each replaced once
            assertThat(instances.stream().mapToLong(Counter::hits).sum()).isEqualTo(128);
            assertThat(counter.callCount()).isEqualTo(128);
            assertThat(counter.failedCallCount()).isZero();
        }
    }
}
