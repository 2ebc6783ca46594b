package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bsc.langgraph4j.action.AsyncNodeAction;
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
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Per-call overhead of reaching a persistent service through flowgentic4j, each against a baseline
 * doing the same work in the same run:
 * <ul>
 *   <li>a SERVICE_TASK graph node ({@code serviceNode}) vs a plain LangGraph4j node calling the
 *       instance it holds ({@code plainNode}); {@code serviceCallOnly} is the handle's
 *       {@code call} alone, the engine's share of the node's overhead;</li>
 *   <li>the service-backed tool on the one tool path ({@code serviceToolExecutor}: JSON parse and
 *       bind, handle resolution, invoke, render, and the telemetry check, which finds no subscriber;
 *       with the metrics subscribed: {@code TelemetryOverheadBenchmark}), vs the direct call rendered
 *       as text;</li>
 *   <li>langchain4j's {@link DefaultToolExecutor} on the instance resolved at call time through the
 *       handle ({@code defaultToolExecutorResolvedPerCall}, a new executor per call since it binds one
 *       object) and on a fixed instance ({@code defaultToolExecutorFixedInstance}, what
 *       {@code AiServices} does).</li>
 * </ul>
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.flowgentic4j.benchmarks.ServiceCallOverheadBenchmark}
 * (the load average is printed before and after, read the ratios, not the absolute numbers).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ServiceCallOverheadBenchmark {

    /** The service: an exact counter with one tool method. */
    public static class Counter {
        private final AtomicLong hits = new AtomicLong();

        @Tool("Adds to the counter")
        public long add(@P("how much") int amount) {
            return hits.addAndGet(amount);
        }
    }

    private static final Duration READY = Duration.ofSeconds(30);

    private LangGraphIntegration integration;
    private ServiceFuture<Counter> counter;
    private Counter direct;
    private ToolExecutor toolExecutor;
    private ToolExecutionRequest request;
    private Method addMethod;
    private DefaultToolExecutor fixedDefaultExecutor;
    private AsyncNodeAction<AgentState> node;
    private AsyncNodeAction<AgentState> plainNode;
    private AgentState state;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        integration = LangGraphIntegration.create();
        ExecutionWrappers wrappers = integration.executionWrappers();
        counter = wrappers.serviceTask("counter", Counter::new).start();
        direct = counter.join();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(counter, Counter.class, READY);
        toolExecutor = tools.values().iterator().next();
        request = ToolExecutionRequest.builder().id("call_1").name("add").arguments("{\"amount\":1}").build();
        addMethod = Counter.class.getMethod("add", int.class);
        fixedDefaultExecutor = new DefaultToolExecutor(direct, addMethod);
        node = wrappers.serviceNode(counter, (c, s) -> Map.of("total", c.add(1)));
        Counter held = direct;
        plainNode = s -> CompletableFuture.completedFuture(Map.of("total", held.add(1)));
        state = new AgentState(Map.of());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        integration.close();
    }

    @Benchmark
    public long directInstanceCall() {
        return direct.add(1);
    }

    @Benchmark
    public String directCallRenderedAsText() {
        return Long.toString(direct.add(1));
    }

    @Benchmark
    public String serviceToolExecutor() {
        return toolExecutor.execute(request, null);
    }

    @Benchmark
    public String defaultToolExecutorResolvedPerCall() {
        return counter.call(READY, c -> new DefaultToolExecutor(c, addMethod).execute(request, null));
    }

    @Benchmark
    public String defaultToolExecutorFixedInstance() {
        return fixedDefaultExecutor.execute(request, null);
    }

    @Benchmark
    public Map<String, Object> serviceNode() {
        return node.apply(state).join();
    }

    @Benchmark
    public long serviceCallOnly() {
        return counter.call(READY, c -> c.add(1));
    }

    @Benchmark
    public Map<String, Object> plainNode() throws Exception {
        return plainNode.apply(state).join();
    }

    public static void main(String[] args) throws RunnerException {
        System.out.println("load average before: " + loadAverage());
        new Runner(new OptionsBuilder().include(ServiceCallOverheadBenchmark.class.getSimpleName()).build()).run();
        System.out.println("load average after: " + loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
