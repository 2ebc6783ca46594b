package dev.flowgentic4j.mcp.benchmarks;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.mcp.FixtureServers;
import dev.flowgentic4j.mcp.McpOptions;
import dev.flowgentic4j.mcp.McpServer;
import dev.flowgentic4j.mcp.McpServerSpec;
import dev.flowgentic4j.mcp.McpServices;
import dev.flowgentic4j.mcp.McpTools;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an MCP server as a persistent service buys, measured on the Java fixture server (a real
 * subprocess): cold start (spawn to tools listed) against a warm tool call; N calls through the
 * service against a FUNCTION_TASK that spawns the server for each call (the amortisation ratio);
 * and, after kill -9 of the server, the time until the service notices and until the first
 * successful call on the restarted server. Prints the load average with every result: on a
 * shared machine read the ratios, not the absolute times.
 *
 * <pre>
 *   ./mvnw -B -q -pl mcp/core -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp mcp/core/target/test-classes:mcp/core/target/classes:$(cat mcp/core/target/cp.txt) \
 *       dev.flowgentic4j.mcp.benchmarks.McpServiceBenchmark [N] [kills]
 * </pre>
 */
public final class McpServiceBenchmark {
    private static final String ADD = "{\"a\":1,\"b\":1}";

    private McpServiceBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int kills = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        McpServerSpec spec = FixtureServers.direct("fixture");
        McpOptions options = McpOptions.ofDefaults();
        System.out.printf("MCP service benchmark: N=%d, kills=%d, %d cores, load average %s%n", n, kills,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceTask<McpServerSpec, McpServer> task = wrappers.serviceTask(McpServices.definition(spec, options).build());

            // 1. cold start (spawn, initialize, tools listed) against a warm call
            List<Long> cold = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                ServiceFuture<McpServer> one = task.start(null);
                one.join();
                cold.add(System.nanoTime() - t0);
                one.cancel(true);
            }
            ServiceFuture<McpServer> server = task.start(null);
            Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
            ToolExecutor add = executor(tools, "add");
            for (int i = 0; i < 200; i++) {
                call(add); // warm up the client, the server and the JITs
            }
            List<Long> warm = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long t0 = System.nanoTime();
                call(add);
                warm.add(System.nanoTime() - t0);
            }
            System.out.printf("cold start (spawn -> tools listed): median %.1f ms over %d; warm tool call: median %.3f ms,"
                            + " p99 %.3f ms over %d; cold/warm = %.0fx   [load %s]%n",
                    ms(median(cold)), cold.size(), ms(median(warm)), ms(percentile(warm, 0.99)), warm.size(),
                    (double) median(cold) / median(warm), loadAverage());

            // 2. N calls through the service against a FUNCTION_TASK spawning the server per call
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                call(add);
            }
            long service = System.nanoTime() - t0;
            FunctionTask<String, String> perCall = wrappers.functionTask("spawn_per_call", arguments -> {
                McpServer fresh = McpServer.start(spec, options);
                try {
                    return fresh.callTool("add", arguments);
                } finally {
                    fresh.close();
                }
            });
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                perCall.call(ADD);
            }
            long spawning = System.nanoTime() - t0;
            System.out.printf("%d calls: through the service %.1f ms, FUNCTION_TASK spawning per call %.1f ms;"
                            + " amortisation ratio %.0fx   [load %s]%n",
                    n, ms(service), ms(spawning), (double) spawning / service, loadAverage());

            // 3. kill -9 of the server: until the service notices, until the first successful call
            AtomicLong restartingAt = new AtomicLong();
            server.addListener(new ServiceListener() {
                @Override
                public void restarting(ServiceFuture<?> s, int generation, Throwable cause) {
                    restartingAt.set(System.nanoTime());
                }
            }, Runnable::run);
            List<Long> noticed = new ArrayList<>();
            List<Long> recovered = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                int generation = server.generation();
                long pid = server.join().pid().orElseThrow();
                restartingAt.set(0);
                long killedAt = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                int attempts = 0;
                while (!"2".equals(call(add))) {
                    attempts++; // fails fast ("the server process ... exited") until the restart begins
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // then calls wait for RUNNING
                }
                long firstSuccess = System.nanoTime();
                if (server.generation() != generation + 1) {
                    throw new IllegalStateException("expected generation " + (generation + 1) + ", was "
                            + server.generation());
                }
                noticed.add(restartingAt.get() - killedAt);
                recovered.add(firstSuccess - killedAt);
                System.out.printf("  kill -9 #%d: noticed after %.1f ms, first successful call after %.1f ms"
                        + " (%d failed calls before it)%n", k + 1, ms(noticed.get(k)), ms(recovered.get(k)), attempts);
            }
            if (kills > 0) {
                System.out.printf("kill -9 -> noticed: median %.1f ms, max %.1f ms; kill -9 -> first successful call:"
                                + " median %.1f ms (cold start median %.1f ms)   [load %s]%n", ms(median(noticed)),
                        ms(Collections.max(noticed)), ms(median(recovered)), ms(median(cold)), loadAverage());
            }
        }
    }

    private static ToolExecutor executor(Map<ToolSpecification, ToolExecutor> tools, String name) {
        return tools.entrySet().stream().filter(e -> e.getKey().name().equals(name)).findFirst().orElseThrow()
                .getValue();
    }

    private static String call(ToolExecutor tool) {
        return tool.execute(ToolExecutionRequest.builder().id("b").name("add").arguments(ADD).build(), null);
    }

    private static long median(List<Long> values) {
        return percentile(values, 0.5);
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

}
