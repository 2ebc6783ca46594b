package dev.flowgentic4j.ignite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A three-node cluster on loopback: this JVM's node (which calls but hosts no services) and two
 * extra server JVMs. The counter singleton runs on one of them; that JVM is killed with SIGKILL.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterFailoverTest {
    private static final int DISCOVERY_PORT = 47500;
    private static final int COMMUNICATION_PORT = 47100;

    @TempDir
    static Path workRoot;
    static ExtraNodes extra;
    static FlowEngine engine;
    static IgniteBackend backend;

    @BeforeAll
    static void startCluster() throws Exception {
        extra = ExtraNodes.start(2, DISCOVERY_PORT, COMMUNICATION_PORT, workRoot);
        backend = IgniteBackend.start(IgniteBackendConfig.builder()
                .discoveryPort(DISCOVERY_PORT, 10)
                .communicationPort(COMMUNICATION_PORT)
                .workDirectory(workRoot.resolve("caller"))
                .hostsServices(false)
                .callRetry(RetryConfig.builder().maxAttempts(8).baseDelay(Duration.ofMillis(50))
                        .maxDelay(Duration.ofMillis(500)).build())
                .build());
        engine = FlowEngine.create(EngineConfig.builder().backend(backend).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.ignite().cluster().forServers().nodes().size() == 3);
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            if (extra != null) {
                extra.close();
            }
        }
    }

    @Test
    void the_singleton_moves_to_a_survivor_after_its_host_is_killed_and_calls_resume_with_the_count_intact()
            throws Exception {
        // given: the counter singleton, deployed on one of the extra JVMs
        ServiceFuture<Counter> counter = engine.serviceTask(backend.serviceDefinition("counter",
                IgniteService.builder(Counter.class, CacheCounter.class).build()).build()).start(null);
        Counter proxy = counter.join();
        assertThat(counter.state()).isEqualTo(ServiceState.RUNNING);
        Set<Long> extraPids = extra.nodes().stream().map(ExtraNodes.Node::pid).collect(Collectors.toSet());
        ServiceHostInfo firstHost = IgniteBackend.hostOf(proxy);
        assertThat(extraPids).contains(firstHost.pid());
        String firstInstance = proxy.instanceId();

        // called from this node, from a tool, and from the other nodes (compute jobs)
        assertThat(counter.call(Duration.ofSeconds(5), Counter::increment)).isEqualTo(1);
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceFunction(counter, "increment",
                "Adds one to the counter", List.of(), (c, args) -> c.increment(), Duration.ofSeconds(5));
        ToolExecutor tool = tools.values().iterator().next();
        assertThat(tool.execute(ToolExecutionRequest.builder().id("1").name("increment").arguments("{}").build(),
                "memory")).isEqualTo("2");
        FunctionTask<String, long[]> fromNode = engine.functionTask("increment_from_node",
                backend.onCompute(IncrementFromNode.class));
        Set<Long> callers = new java.util.HashSet<>();
        long count = 2;
        for (int i = 0; i < 6; i++) {
            long[] result = fromNode.call(IgniteBackend.serviceName(proxy));
            assertThat(result[0]).isEqualTo(++count);
            callers.add(result[1]);
        }
        assertThat(callers).isSubsetOf(extraPids).isNotEmpty();
        long beforeKill = count;

        // when: calls keep coming while the host is killed
        List<Object> outcomes = new ArrayList<>();
        CompletableFuture<Void> caller = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 400; i++) {
                try {
                    outcomes.add(counter.call(Duration.ofSeconds(5), Counter::increment));
                } catch (RuntimeException e) {
                    outcomes.add(e);
                }
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() >= 20);
        long killedAt = System.nanoTime();
        ExtraNodes.kill(firstHost.pid());

        // then: the next call succeeds within 5 s, on a new instance on the survivor
        long afterKill = CompletableFuture.supplyAsync(() -> counter.call(Duration.ofSeconds(5), Counter::increment))
                .get(5, TimeUnit.SECONDS);
        LoggerFactory.getLogger(ClusterFailoverTest.class).info("first call after the SIGKILL succeeded {} ms after it",
                (System.nanoTime() - killedAt) / 1_000_000);
        caller.get(60, TimeUnit.SECONDS);
        ServiceHostInfo newHost = IgniteBackend.hostOf(proxy);
        assertThat(newHost.pid()).isNotEqualTo(firstHost.pid()).isIn(extraPids);
        assertThat(proxy.instanceId()).isNotEqualTo(firstInstance);
        assertThat(counter.state()).isEqualTo(ServiceState.RUNNING);

        // every call succeeded, or failed only after its retries, never with a raw topology exception
        List<Long> values = new ArrayList<>();
        for (Object outcome : outcomes) {
            if (outcome instanceof Long value) {
                values.add(value);
            } else {
                assertThat(outcome).isInstanceOf(ServiceFailoverException.class)
                        .isNotInstanceOf(ClusterTopologyException.class);
                assertThat(((ServiceFailoverException) outcome).attempts()).isEqualTo(8);
            }
        }
        LoggerFactory.getLogger(ClusterFailoverTest.class).info("{} calls during the failover: {} succeeded, {} failed "
                + "after their retries", outcomes.size(), values.size(), outcomes.size() - values.size());
        // the count in the replicated cache went on: never back to 1, always up
        assertThat(values).isNotEmpty().isSorted();
        assertThat(values.get(0)).isGreaterThan(beforeKill);
        assertThat(afterKill).isGreaterThan(beforeKill);
        assertThat(proxy.increment()).isGreaterThan(values.get(values.size() - 1));
        assertThat(proxy.callsHere()).isLessThan(values.size() + 3); // the new instance counts its own calls only

        // cancel undeploys it from the cluster
        counter.cancel(true);
        assertThat(counter.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(backend.ignite().services().serviceDescriptors()).noneMatch(d -> d.name().startsWith("counter@"));
    }
}
