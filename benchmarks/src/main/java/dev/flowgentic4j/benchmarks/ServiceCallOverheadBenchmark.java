package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
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
 * Per-call overhead of reaching a persistent service through flowgentic4j, against calling the
 * live instance directly: a service-backed tool executor (argument parsing with Jackson, instance
 * resolution through the handle, result rendering) and a SERVICE_TASK graph node (resolution
 * through the handle, state read, update map).
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.flowgentic4j.benchmarks.ServiceCallOverheadBenchmark}.
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

    private LangGraphIntegration integration;
    private Counter direct;
    private ToolExecutor toolExecutor;
    private ToolExecutionRequest request;
    private AsyncNodeAction<AgentState> node;
    private AgentState state;

    @Setup(Level.Trial)
    public void setUp() {
        integration = LangGraphIntegration.create();
        ExecutionWrappers wrappers = integration.executionWrappers();
        ServiceFuture<Counter> counter = wrappers.<Void, Counter>serviceTask("counter", ignored -> new Counter()).start(null);
        direct = counter.join();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(counter, Counter.class,
                integration.config().serviceReadyTimeout());
        toolExecutor = tools.values().iterator().next();
        request = ToolExecutionRequest.builder().id("call_1").name("add").arguments("{\"amount\":1}").build();
        node = wrappers.serviceNode(counter, (c, s) -> Map.of("total", c.add(1)));
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
    public Map<String, Object> serviceNode() {
        return node.apply(state).join();
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(ServiceCallOverheadBenchmark.class.getSimpleName()).build()).run();
    }
}
