package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * Proxy call latency on the Ignite backend, in the same JVM and across JVMs on loopback, against a
 * direct call and the local backend, in one run; then the time from SIGKILL of the host to the first
 * successful call on the new host (median of 5). Not a test: run it with
 *
 * <pre>
 * ./mvnw -q -pl ignite -am test-compile exec:exec
 * </pre>
 */
public final class IgniteBenchmark {
    private static final int BATCHES = 5;
    private static volatile long sink;

    private IgniteBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "Ignite backend benchmark, %d cores, load average before %.2f%n",
                Runtime.getRuntime().availableProcessors(), loadAverage());
        Path work = Files.createTempDirectory("flowgentic4j-ignite-bench-");
        List<String[]> rows = new ArrayList<>();

        Echo direct = new EchoService();
        rows.add(row("direct call", measure(direct::echo, 200_000)));

        try (FlowEngine local = FlowEngine.create()) {
            ServiceFuture<Echo> echo = local.<Echo>serviceTask("echo", EchoService::new).start();
            echo.join();
            rows.add(row("local backend, ServiceFuture.call", measure(v -> echo.call(Duration.ofSeconds(5),
                    e -> e.echo(v)), 200_000)));
        }

        IgniteBackend alone = IgniteBackend.start(IgniteBackendConfig.builder().discoveryPort(47700, 5)
                .communicationPort(47300).build());
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(alone).build())) {
            ServiceFuture<Echo> echo = engine.serviceTask(alone.serviceDefinition("echo",
                    IgniteService.builder(Echo.class, EchoService.class).build()).build()).start(null);
            Echo proxy = echo.join();
            rows.add(row("Ignite, same JVM, proxy", measure(proxy::echo, 50_000)));
            rows.add(row("Ignite, same JVM, ServiceFuture.call", measure(v -> echo.call(Duration.ofSeconds(5),
                    e -> e.echo(v)), 50_000)));
        }

        List<Double> failovers = new ArrayList<>();
        try (ExtraNodes extra = ExtraNodes.start(2, 47720, 47320, work)) {
            IgniteBackend caller = IgniteBackend.start(IgniteBackendConfig.builder().discoveryPort(47720, 10)
                    .communicationPort(47320).hostsServices(false)
                    .callRetry(RetryConfig.builder().maxAttempts(20).baseDelay(Duration.ofMillis(20))
                            .maxDelay(Duration.ofMillis(200)).build()).build());
            try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(caller).build())) {
                ServiceFuture<Echo> echo = engine.serviceTask(caller.serviceDefinition("echo",
                        IgniteService.builder(Echo.class, EchoService.class).build()).build()).start(null);
                Echo proxy = echo.join();
                rows.add(row("Ignite, across JVMs, proxy", measure(proxy::echo, 10_000)));
                rows.add(row("Ignite, across JVMs, ServiceFuture.call", measure(v -> echo.call(Duration.ofSeconds(5),
                        e -> e.echo(v)), 10_000)));

                for (int round = 0; round < 5; round++) {
                    long pid = IgniteBackend.hostOf(proxy).pid();
                    long killed = System.nanoTime();
                    ExtraNodes.kill(pid);
                    try {
                        echo.call(Duration.ofSeconds(30), e -> e.echo(1));
                    } catch (RuntimeException e) {
                        System.out.printf("round %d: failed after %d ms: %s%n", round,
                                (System.nanoTime() - killed) / 1_000_000, e);
                        throw e;
                    }
                    failovers.add((System.nanoTime() - killed) / 1e6);
                    extra.replace(pid, 47720, 47320, work);
                }
            }
        }

        double base = Double.parseDouble(rows.get(0)[1]);
        double localCall = Double.parseDouble(rows.get(1)[1]);
        System.out.printf(Locale.ROOT, "%-42s %12s %10s %10s%n", "call path", "µs/call", "x direct", "x local");
        for (String[] r : rows) {
            double us = Double.parseDouble(r[1]);
            System.out.printf(Locale.ROOT, "%-42s %12.3f %10.0f %10.1f%n", r[0], us, us / base, us / localCall);
        }
        double[] sorted = failovers.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "SIGKILL of the host to the first successful call: median %.0f ms (runs %s)%n",
                sorted[sorted.length / 2], Arrays.toString(failovers.stream().map(d -> Math.round(d)).toArray()));
        System.out.printf(Locale.ROOT, "load average after %.2f%n", loadAverage());
    }

    private static String[] row(String name, double microsPerCall) {
        return new String[] {name, Double.toString(microsPerCall)};
    }

    /** Median over {@link #BATCHES} batches of {@code calls} calls, after one warm-up batch, in µs per call. */
    private static double measure(LongUnaryOperator call, int calls) {
        double[] batches = new double[BATCHES];
        for (int b = -1; b < BATCHES; b++) {
            long start = System.nanoTime();
            long acc = 0;
            for (int i = 0; i < calls; i++) {
                acc += call.applyAsLong(i);
            }
            sink = acc;
            if (b >= 0) {
                batches[b] = (System.nanoTime() - start) / 1e3 / calls;
            }
        }
        Arrays.sort(batches);
        return batches[BATCHES / 2];
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
