package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What telemetry costs on a tool call, against a baseline in the same run: a service tool on the
 * one tool path, which always records, with no listener ({@code toolObservedNoListener}: the
 * recording is one volatile read) and with the metrics subscribed ({@code toolObservedWithMetrics}),
 * against the same service call and rendering without the tool path ({@code toolBaseline}: no
 * argument parsing, no error mapping). The node hook's cost is measured beside the hook, in the
 * integration module's test sources ({@code NodeHookOverheadBenchmark}): the hook is that module's
 * internal class, and this module uses public API only.
 * "No listener" should match its baseline within noise; "with metrics" is the price of two events,
 * a histogram update and a few counters per call.
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am compile exec:java -Dbenchmark=dev.flowgentic4j.benchmarks.TelemetryOverheadBenchmark}
 * (the load average is printed before and after; read the ratios).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TelemetryOverheadBenchmark {
    private static final Duration READY = Duration.ofSeconds(30);

    private LangGraphIntegration quiet;
    private LangGraphIntegration observed;
    private ToolExecutor toolBaseline;
    private ToolExecutor toolQuiet;
    private ToolExecutor toolObserved;
    private ToolExecutionRequest request;
    private InvocationContext context;

    @Setup(Level.Trial)
    public void setUp() {
        quiet = LangGraphIntegration.create();
        observed = LangGraphIntegration.create();
        observed.telemetry().metrics();                       // subscribes the metrics
        ServiceFuture<ServiceCallOverheadBenchmark.Counter> quietCounter = quiet.executionWrappers()
                .<Void, ServiceCallOverheadBenchmark.Counter>serviceTask("counter",
                        ignored -> new ServiceCallOverheadBenchmark.Counter()).start(null);
        ServiceFuture<ServiceCallOverheadBenchmark.Counter> observedCounter = observed.executionWrappers()
                .<Void, ServiceCallOverheadBenchmark.Counter>serviceTask("counter",
                        ignored -> new ServiceCallOverheadBenchmark.Counter()).start(null);
        quietCounter.join();
        observedCounter.join();
        toolBaseline = (request, memoryId) -> Long.toString(quietCounter.call(READY, c -> c.add(1)));
        toolQuiet = quiet.executionWrappers().agentToolAsService(quietCounter, ServiceCallOverheadBenchmark.Counter.class)
                .values().iterator().next();
        toolObserved = observed.executionWrappers()
                .agentToolAsService(observedCounter, ServiceCallOverheadBenchmark.Counter.class).values().iterator().next();
        request = ToolExecutionRequest.builder().id("call_1").name("add").arguments("{\"amount\":1}").build();
        context = InvocationContext.builder().build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        quiet.close();
        observed.close();
    }

    @Benchmark
    public ToolExecutionResult toolBaseline() {
        return toolBaseline.executeWithContext(request, context);
    }

    @Benchmark
    public ToolExecutionResult toolObservedNoListener() {
        return toolQuiet.executeWithContext(request, context);
    }

    @Benchmark
    public ToolExecutionResult toolObservedWithMetrics() {
        return toolObserved.executeWithContext(request, context);
    }

    public static void main(String[] args) throws RunnerException {
        System.out.println("load average before: " + ServiceCallOverheadBenchmark.loadAverage());
        new Runner(new OptionsBuilder().include(TelemetryOverheadBenchmark.class.getSimpleName()).build()).run();
        System.out.println("load average after: " + ServiceCallOverheadBenchmark.loadAverage());
    }
}
