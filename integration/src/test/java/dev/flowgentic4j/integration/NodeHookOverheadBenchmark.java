package dev.flowgentic4j.integration;

import dev.flowgentic4j.integration.internal.NodeTelemetry;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What the node hook of {@link LangGraphIntegration#observe} costs per node run: a service node
 * invoked directly ({@code nodeBaseline}), through the hook with no listener
 * ({@code nodeHookNoListener}) and with the metrics subscribed ({@code nodeHookWithMetrics}). It
 * lives in this module's test sources because the hook is this module's internal class (the
 * {@code benchmarks} module uses public API only); the tool half of the telemetry's cost is
 * {@code benchmarks}' {@code TelemetryOverheadBenchmark}. Not a test: run it by hand (see
 * docs/telemetry.md) and read the ratios beside the load average.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NodeHookOverheadBenchmark {
    private static final Duration READY = Duration.ofSeconds(30);

    private LangGraphIntegration quiet;
    private LangGraphIntegration observed;
    private AsyncNodeActionWithConfig<AgentState> node;
    private NodeTelemetry<AgentState> hookQuiet;
    private NodeTelemetry<AgentState> hookObserved;
    private AgentState state;
    private RunnableConfig config;

    /** The service the node calls. */
    public static final class Counter {
        private final AtomicLong hits = new AtomicLong();

        long add(int amount) {
            return hits.addAndGet(amount);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        quiet = LangGraphIntegration.create();
        observed = LangGraphIntegration.create();
        observed.telemetry().metrics();                       // subscribes the metrics
        ServiceFuture<Counter> counter = quiet.executionWrappers().serviceTask("counter", Counter::new).start();
        counter.join();
        node = AsyncNodeActionWithConfig.of(quiet.executionWrappers().serviceNode(counter,
                (c, s) -> Map.of("total", c.add(1)), READY));
        hookQuiet = new NodeTelemetry<>(quiet.telemetry());
        hookObserved = new NodeTelemetry<>(observed.telemetry());
        state = new AgentState(Map.of());
        config = RunnableConfig.builder().build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        quiet.close();
        observed.close();
    }

    @Benchmark
    public Map<String, Object> nodeBaseline() {
        return node.apply(state, config).join();
    }

    @Benchmark
    public Map<String, Object> nodeHookNoListener() {
        return hookQuiet.applyWrap("count", state, config, node).join();
    }

    @Benchmark
    public Map<String, Object> nodeHookWithMetrics() {
        return hookObserved.applyWrap("count", state, config, node).join();
    }

    public static void main(String[] args) throws Exception {
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        new Runner(new OptionsBuilder().include(NodeHookOverheadBenchmark.class.getSimpleName()).build()).run();
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
