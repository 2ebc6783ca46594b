package dev.flowgentic4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.testkit.CallLoad;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stdio MCP server that dies (issue 19, crash replacement): its process is killed with SIGKILL
 * from outside, and the service replaces it at once through its death signal, not through a health
 * check: every service here pings and looks for a dead process only every 10 minutes, so a
 * replacement within the test's waits can only come from the process's exit (diesWhen) or a call
 * that saw it go (deadOn). Real fixture server processes throughout.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** No health check notices anything within a test: a death must be heard by itself. */
    private static final McpOptions QUIET = McpOptions.builder()
            .pingInterval(Duration.ofMinutes(10)).exitCheckInterval(Duration.ofMinutes(10)).build();

    // under ~10 s a run: 3 cold starts of the fixture server under load
    @RepeatedTest(2)
    void three_kills_under_load_fail_only_the_calls_in_flight_and_each_is_replaced_at_once() throws Exception {
        List<McpServer> generations = new ArrayList<>();
        Set<Integer> killedGenerations = new LinkedHashSet<>();
        ConcurrentLinkedQueue<Integer> heardDead = new ConcurrentLinkedQueue<>();
        Map<Long, AtomicLong> callsByPid = new java.util.concurrent.ConcurrentHashMap<>();
        CallLoad load;
        ServiceFuture<McpServer> server;
        try (LangGraphIntegration integration = LangGraphIntegration.create();
             EventRecorder recorder = integration.telemetry().record()) {
            server = integration.executionWrappers().serviceTask(McpServices.definition(
                    FixtureServers.direct("fixture"), QUIET).retry(RetryConfig.noRetry()).build()).start(null);
            server.addListener(new ServiceListener() {
                @Override
                public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
                    heardDead.add(generation);
                }
            }, Runnable::run);
            generations.add(server.awaitRunning(WAIT));
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            AtomicLong turn = new AtomicLong();
            ServiceFuture<McpServer> handle = server;
            load = CallLoad.start(6, () -> {
                // half as an agent's tool calls (a failure is an "Error: ..." result), half as a graph node's
                String pid = turn.incrementAndGet() % 2 == 0 ? McpServiceTest.call(tools, "pid", "{}")
                        : handle.call(WAIT, mcp -> mcp.callTool("pid", "{}"));
                if (!pid.matches("\\d+")) {
                    throw new AssertionError(pid);
                }
                return callsByPid.computeIfAbsent(Long.parseLong(pid), p -> new AtomicLong()).incrementAndGet();
            });
            try {
                for (int kill = 1; kill <= 3; kill++) {
                    long before = load.ok();
                    assertThat(Probes.eventually(WAIT, () -> load.ok() >= before + 200))
                            .as("calls return before kill %d: %s", kill, load.failures()).isTrue();
                    McpServer victim = server.join();
                    int generation = server.generation();
                    long pid = victim.pid().orElseThrow();
                    int failuresBefore = load.failures().size();
                    killedGenerations.add(generation);
                    long killed = System.nanoTime();
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

                    // seen at once: the next generation runs long before any ping or exit check
                    assertThat(Probes.eventually(WAIT, () -> server.generation() == generation + 1
                            && !server.isRestarting())).as("generation %d replaced after the kill", generation).isTrue();
                    long replaced = System.nanoTime();
                    McpServer next = server.join();
                    generations.add(next);
                    assertThat(next.pid().orElseThrow()).isNotEqualTo(pid);
                    assertThat(victim.goneReason().orElseThrow()).contains("killed by signal 9");

                    // every later call succeeds: the failures of this kill are all in, and none comes after them
                    long atReplacement = load.ok();
                    assertThat(Probes.eventually(WAIT, () -> load.ok() >= atReplacement + 200)).isTrue();
                    int settled = load.failures().size();
                    long atSettled = load.ok();
                    assertThat(Probes.eventually(WAIT, () -> load.ok() >= atSettled + 200)).isTrue();
                    assertThat(load.failures()).as("no failure after kill %d's calls in flight", kill).hasSize(settled);
                    assertThat(settled - failuresBefore).as("at most one call in flight per caller failed")
                            .isLessThanOrEqualTo(6);
                    assertThat(callsByPid).containsKey(next.pid().orElseThrow());
                    assertThat(Probes.eventually(WAIT, () -> !McpServiceTest.alive(pid))).isTrue();
                    System.out.printf("mcp-crash | kill %d of pid %d: generation %d running %d ms later, %d calls"
                                    + " in flight failed%n", kill, pid, generation + 1, (replaced - killed) / 1_000_000,
                            settled - failuresBefore);
                }
            } finally {
                load.stop(WAIT);
            }
            System.out.printf("mcp-crash | %d calls returned, %d failed: %s%n", load.ok(), load.failures().size(),
                    load.failures().stream().map(Throwable::getMessage).distinct().limit(3).toList());
            for (Throwable failure : load.failures()) {
                if (failure instanceof InstanceDiedException died) {
                    // the graph node's path: the engine's exception, naming the dead generation and the signal
                    assertThat(killedGenerations).contains(died.generation());
                    assertThat(died.getMessage()).contains("service 'fixture").contains("died")
                            .contains("not retried because it is not declared idempotent");
                    assertThat(died.causeOfDeath()).contains("killed by signal 9");
                } else {
                    // the agent's path: a result the model reads, naming the server and the death
                    assertThat(failure).isInstanceOf(AssertionError.class);
                    assertThat(failure.getMessage()).startsWith("Error: ").contains("MCP server 'fixture'")
                            .contains("killed by signal 9").contains("during the call");
                }
            }
            assertThat(server.generation()).isEqualTo(4);
            assertThat(heardDead).containsExactlyElementsOf(killedGenerations);
            assertThat(recorder.events()).filteredOn(e -> e instanceof ServiceEvent s
                            && s.type() == ServiceEvent.Type.INSTANCE_DIED)
                    .extracting(e -> ((ServiceEvent) e).generation()).containsExactlyElementsOf(killedGenerations);
        }
        Set<Long> every = new LinkedHashSet<>();
        generations.forEach(g -> every.addAll(g.processIds()));
        assertThat(every).hasSizeGreaterThanOrEqualTo(4);
        assertThat(every).allSatisfy(pid -> assertThat(McpServiceTest.alive(pid)).as("pid %d", pid).isFalse());
    }

    // repeated: a request written in the instant of the death was lost like a call in flight (now refused unsent)
    @RepeatedTest(3)
    void an_idle_server_killed_is_replaced_and_the_next_call_waits_for_it_instead_of_failing() throws Exception {
        List<McpServer> generations = new ArrayList<>();
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(McpServices.definition(
                    FixtureServers.direct("fixture"), QUIET).retry(RetryConfig.noRetry()).build()).start(null);
            AtomicLong diedAt = new AtomicLong();
            CountDownLatch secondDeath = new CountDownLatch(2);
            server.addListener(new ServiceListener() {
                @Override
                public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
                    diedAt.set(System.nanoTime());
                    secondDeath.countDown();
                }
            }, Runnable::run);
            McpServer first = server.awaitRunning(WAIT);
            generations.add(first);
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            long firstPid = first.pid().orElseThrow();

            // an agent's call right after the process is gone (reaped: a killed JVM's main thread is a zombie while
            // its other threads still hold its stdin open, and a request written then is lost like one in flight)
            ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
            assertThat(Probes.eventually(WAIT, () -> ProcessHandle.of(firstPid).isEmpty())).isTrue();
            String pid = McpServiceTest.call(tools, "pid", "{}");
            assertThat(pid).matches("\\d+").isNotEqualTo(String.valueOf(firstPid));
            McpServer second = server.join();
            generations.add(second);
            assertThat(server.generation()).isEqualTo(2);
            assertThat(pid).isEqualTo(String.valueOf(second.pid().orElseThrow()));

            // a graph node's call made once the death is heard, while the next process cold-starts: it waits too
            long secondPid = second.pid().orElseThrow();
            ProcessHandle.of(secondPid).orElseThrow().destroyForcibly();
            assertThat(secondDeath.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            boolean waited = server.isRestarting();
            String next = server.call(WAIT, mcp -> mcp.callTool("pid", "{}"));
            long returned = System.nanoTime();
            generations.add(server.join());
            assertThat(server.generation()).isEqualTo(3);
            assertThat(next).isEqualTo(String.valueOf(server.join().pid().orElseThrow()));
            System.out.printf("mcp-crash | idle kill: the call made during the cold start (restarting: %s) returned"
                    + " %d ms after the death%n", waited, (returned - diedAt.get()) / 1_000_000);
            assertThat(server.failedCallCount()).isZero();
        }
        for (McpServer g : generations) {
            for (long pid : g.processIds()) {
                assertThat(McpServiceTest.alive(pid)).as("pid %d", pid).isFalse();
            }
        }
    }

    @Test
    void calls_in_flight_at_a_kill_fail_naming_the_server_or_run_again_when_the_tool_is_hinted_idempotent()
            throws Exception {
        // not trusted (the default): the three calls in flight fail with an error naming the server and the death
        List<String> untrusted = sleepsAcrossAKill(QUIET);
        assertThat(untrusted).hasSize(3).allSatisfy(result -> assertThat(result).startsWith("Error: ")
                .contains("MCP server 'fixture'").contains("killed by signal 9").contains("during the call"));

        // trusted: sleep is annotated readOnlyHint, so each call runs once more on the next process
        List<String> trusted = sleepsAcrossAKill(McpOptions.builder().pingInterval(Duration.ofMinutes(10))
                .exitCheckInterval(Duration.ofMinutes(10)).trustIdempotentHints(true).build());
        assertThat(trusted).containsExactly("slept 3000 ms", "slept 3000 ms", "slept 3000 ms");

        // every call of the server declared idempotent, whatever its tools say
        List<String> declared = sleepsAcrossAKill(McpOptions.builder().pingInterval(Duration.ofMinutes(10))
                .exitCheckInterval(Duration.ofMinutes(10)).idempotentCalls(true).build());
        assertThat(declared).containsExactly("slept 3000 ms", "slept 3000 ms", "slept 3000 ms");
    }

    /** Three agent calls of {@code sleep} in flight when the server is killed: their results. */
    private static List<String> sleepsAcrossAKill(McpOptions options) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(3);
        List<McpServer> generations = new ArrayList<>();
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(McpServices.definition(
                    FixtureServers.direct("fixture"), options).retry(RetryConfig.noRetry()).build()).start(null);
            McpServer first = server.awaitRunning(WAIT);
            generations.add(first);
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(callers.submit(() -> McpServiceTest.call(tools, "sleep", "{\"millis\":3000}")));
            }
            assertThat(Probes.eventually(WAIT, () -> first.callsPending() == 3)).isTrue();
            ProcessHandle.of(first.pid().orElseThrow()).orElseThrow().destroyForcibly();
            List<String> results = new ArrayList<>();
            for (Future<String> call : calls) {
                results.add(call.get(60, TimeUnit.SECONDS));
            }
            generations.add(server.join());
            assertThat(server.generation()).isEqualTo(2);
            assertThat(server.retriedCallCount()).isEqualTo(options.idempotentCalls()
                    || options.trustIdempotentHints() ? 3 : 0);
            return results;
        } finally {
            callers.shutdownNow();
            for (McpServer g : generations) {
                for (long pid : g.processIds()) {
                    assertThat(McpServiceTest.alive(pid)).as("pid %d", pid).isFalse();
                }
            }
        }
    }
}
