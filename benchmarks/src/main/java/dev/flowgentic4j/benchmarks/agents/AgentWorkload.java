package dev.flowgentic4j.benchmarks.agents;

import dev.flowgentic4j.integration.CopyingStateSerializer;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.IntegrationConfig;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.LocalBackendConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.spi.VirtualThreads;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.serializer.StateSerializer;

/**
 * One point of the agent benchmark, run in this JVM: N ReAct agents at once, each through
 * {@code reactAgent(model, tools, config)} with the deterministic {@link ScriptedToolCallingModel}
 * asking for M calls of one AGENT_TOOL_AS_SERVICE tool on ONE persistent service whose every call
 * takes T and which admits p calls at a time ({@code maxConcurrentCalls(p, ...)}); then the same N·M
 * calls made straight on the service ({@code ServiceFuture.call}), N callers of M calls each, without
 * the agent graph: the floor. Both run on the same pre-started pool of N threads (one per agent, as
 * LangGraph4j 1.8.17's {@code invoke} holds its thread for the whole run): platform threads, or with
 * {@code threads=virtual} (Java 21+) virtual threads, the integration's local backend then virtual too. Every run
 * checks itself: N·M service calls, none failed, never more than p at once, N correct final answers,
 * every tool result the service's own text.
 */
final class AgentWorkload {
    private static final Duration READY = Duration.ofMinutes(10);
    /**
     * Agent runs (and as many floor callers) to warm up with, instant calls, discarded: without them the
     * first point of a fresh JVM measures the JIT compiler (64 x 4, p = 64: 0.29 s after 64 warm-up
     * runs, 0.22 s after 320 or 1,280).
     */
    private static final int WARM_UP_AGENT_RUNS = 2000;

    /** Variants of the agent path, for measuring the levers. */
    enum Serializer {
        COPY, JSON, STD;

        StateSerializer<AgentExecutor.State> create() {
            return switch (this) {
                case COPY -> CopyingStateSerializer.forAgentState();
                case JSON -> AgentExecutor.Serializers.JSON.object();
                case STD -> AgentExecutor.Serializers.STD.object();
            };
        }
    }

    /** The point to run and how. */
    record Spec(int agents, int calls, int slots, Duration work, Serializer serializer, boolean graphPerAgent,
                boolean threadSnapshot, boolean virtualThreads, boolean asyncCallSlots) {
        Duration ideal() {
            long waves = ((long) agents * calls + slots - 1) / slots;
            return work.multipliedBy(waves);
        }
    }

    /** What one run measured. */
    record Run(Duration makespan, Duration cpu, Duration gc, int peakThreads, String threadStates) {}

    /** The persistent service: each call does T of work (a sleep, like the original's) and says which unit. */
    static final class SlotService {
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger mostInside = new AtomicInteger();
        private volatile long workNanos;

        SlotService(Duration work) {
            this.workNanos = work.toNanos();
        }

        String work(int unit) throws InterruptedException {
            int now = inside.incrementAndGet();
            mostInside.accumulateAndGet(now, Math::max);
            try {
                TimeUnit.NANOSECONDS.sleep(workNanos);
                return "unit " + unit + " done";
            } finally {
                inside.decrementAndGet();
            }
        }
    }

    private final Spec spec;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    AgentWorkload(Spec spec) {
        this.spec = spec;
    }

    /** Warm-up (discarded: the same path with instant calls), then the agents, then the floor. */
    Map<String, String> measure() throws Exception {
        Map<String, String> out = new TreeMap<>();
        AtomicInteger threadIds = new AtomicInteger();
        if (spec.virtualThreads() && !VirtualThreads.available()) {
            throw new IllegalStateException("threads=virtual needs Java 21 or newer; this is Java "
                    + Runtime.version().feature() + " (pass --java=/path/to/jdk21+/bin/java)");
        }
        ThreadFactory base = spec.virtualThreads() ? VirtualThreads.factory() : Thread::new;
        ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(spec.agents(), r -> {
            Thread thread = base.newThread(r);
            thread.setName("agent-" + threadIds.incrementAndGet());
            if (!thread.isDaemon()) {
                thread.setDaemon(true);
            }
            return thread;
        });
        pool.prestartAllCoreThreads();
        IntegrationConfig integrationConfig = IntegrationConfig.builder().engine(EngineConfig.builder()
                .localBackend(LocalBackendConfig.builder().virtualThreads(spec.virtualThreads()).build()).build()).build();
        out.put("java", Integer.toString(Runtime.version().feature()));
        out.put("threads", spec.virtualThreads() ? "virtual" : "platform");
        try (LangGraphIntegration integration = LangGraphIntegration.create(integrationConfig)) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            SlotService slotService = new SlotService(Duration.ZERO);
            ServiceFuture<SlotService> service = wrappers.serviceTask(ServiceDefinition.<Void, SlotService>builder(
                    "slots", ignored -> slotService).maxConcurrentCalls(spec.slots(), READY).build()).start(null);
            service.join();
            Map<ToolSpecification, ToolExecutor> tools = wrappers.agentToolAsService(service,
                    ScriptedToolCallingModel.TOOL, "Does one unit of work on the shared service",
                    List.of(ToolParameter.required("unit", Integer.class, "which unit")),
                    (s, args) -> s.work(args.get("unit", Integer.class)));
            ReactAgentConfig config = ReactAgentConfig.builder().stateSerializer(spec.serializer().create())
                    .asyncCallSlots(spec.asyncCallSlots())
                    .maxIterations(Math.max(ReactAgentConfig.DEFAULT_MAX_ITERATIONS, spec.calls() + 1)).build();
            ScriptedToolCallingModel model = new ScriptedToolCallingModel(spec.calls());
            CompiledGraph<AgentExecutor.State> shared = Graphs.compile(wrappers.reactAgent(model, tools, config));
            IntFunction<CompiledGraph<AgentExecutor.State>> graphFor = spec.graphPerAgent()
                    ? i -> Graphs.compile(wrappers.reactAgent(model, tools, config))
                    : i -> shared;

            int warmAgents = Math.min(spec.agents(), Math.max(8, 2 * spec.slots()));
            int warmRounds = Integer.getInteger("warmups", (WARM_UP_AGENT_RUNS + warmAgents - 1) / warmAgents);
            for (int round = 0; round < warmRounds; round++) {
                runAgents(pool, service, graphFor, warmAgents, false);
                runFloor(pool, service, warmAgents);
            }

            slotService.workNanos = spec.work().toNanos();
            slotService.mostInside.set(0);
            out.put("load1_before", load1());
            Run agents = runAgents(pool, service, graphFor, spec.agents(), false);
            out.put("makespan_s", seconds(agents.makespan()));
            out.put("peak_threads", Integer.toString(agents.peakThreads()));
            out.put("cpu_s", seconds(agents.cpu()));
            out.put("gc_s", seconds(agents.gc()));
            Run floor = runFloor(pool, service, spec.agents());
            out.put("floor_makespan_s", seconds(floor.makespan()));
            out.put("floor_peak_threads", Integer.toString(floor.peakThreads()));
            out.put("floor_cpu_s", seconds(floor.cpu()));
            out.put("floor_gc_s", seconds(floor.gc()));
            out.put("load1_after", load1());
            if (spec.threadSnapshot()) {       // a run of its own: the snapshot stops every thread (250 ms at 1,024)
                out.put("thread_states", runAgents(pool, service, graphFor, spec.agents(), true).threadStates());
            }
            if (slotService.mostInside.get() > spec.slots()) {
                throw new IllegalStateException(slotService.mostInside.get() + " calls ran at once, limit " + spec.slots());
            }
            out.put("most_inside", Integer.toString(slotService.mostInside.get()));
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private Run runAgents(ExecutorService pool, ServiceFuture<SlotService> service,
            IntFunction<CompiledGraph<AgentExecutor.State>> graphFor, int agents, boolean sample) {
        long callsBefore = service.callCount();
        long failedBefore = service.failedCallCount();
        threads.resetPeakThreadCount();
        CompletableFuture<String> states = sample ? sampleThreadsAt(spec.ideal().dividedBy(2)) : null;
        List<CompletableFuture<AgentExecutor.State>> runs = new ArrayList<>(agents);
        long cpuStart = processCpuNanos();
        long gcStart = gcMillis();
        long start = System.nanoTime();
        for (int i = 0; i < agents; i++) {
            String agent = "agent " + i;
            CompiledGraph<AgentExecutor.State> graph = graphFor.apply(i);
            runs.add(CompletableFuture.supplyAsync(() -> graph.invoke(Map.of("messages", UserMessage.from(agent)))
                    .orElseThrow(() -> new IllegalStateException(agent + " ended without a state")), pool));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
        Duration makespan = Duration.ofNanos(System.nanoTime() - start);
        Duration cpu = Duration.ofNanos(processCpuNanos() - cpuStart);
        Duration gc = Duration.ofMillis(gcMillis() - gcStart);
        int peak = threads.getPeakThreadCount();
        for (int i = 0; i < agents; i++) {
            check(runs.get(i).join(), "agent " + i);
        }
        checkCalls(service, callsBefore, failedBefore, (long) agents * spec.calls());
        return new Run(makespan, cpu, gc, peak, states == null ? "" : states.join());
    }

    private Run runFloor(ExecutorService pool, ServiceFuture<SlotService> service, int agents) {
        long callsBefore = service.callCount();
        long failedBefore = service.failedCallCount();
        threads.resetPeakThreadCount();
        List<CompletableFuture<Void>> runs = new ArrayList<>(agents);
        long cpuStart = processCpuNanos();
        long gcStart = gcMillis();
        long start = System.nanoTime();
        for (int i = 0; i < agents; i++) {
            runs.add(CompletableFuture.runAsync(() -> {
                for (int unit = 0; unit < spec.calls(); unit++) {
                    int u = unit;
                    String result = service.call(READY, s -> s.work(u));
                    if (!result.equals("unit " + u + " done")) {
                        throw new IllegalStateException("unexpected result " + result);
                    }
                }
            }, pool));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
        Duration makespan = Duration.ofNanos(System.nanoTime() - start);
        Duration cpu = Duration.ofNanos(processCpuNanos() - cpuStart);
        Duration gc = Duration.ofMillis(gcMillis() - gcStart);
        int peak = threads.getPeakThreadCount();
        checkCalls(service, callsBefore, failedBefore, (long) agents * spec.calls());
        return new Run(makespan, cpu, gc, peak, "");
    }

    private void check(AgentExecutor.State state, String agent) {
        String expected = ScriptedToolCallingModel.finalAnswer(agent, spec.calls());
        if (!state.finalResponse().map(expected::equals).orElse(false)) {
            throw new IllegalStateException(agent + " answered " + state.finalResponse() + ", expected " + expected);
        }
        int unit = 0;
        for (ChatMessage message : state.messages()) {
            if (message instanceof ToolExecutionResultMessage result) {
                if (Boolean.TRUE.equals(result.isError()) || !result.text().equals("unit " + unit + " done")) {
                    throw new IllegalStateException(agent + " got tool result '" + result.text() + "' for unit " + unit);
                }
                unit++;
            }
        }
        if (unit != spec.calls()) {
            throw new IllegalStateException(agent + " got " + unit + " tool results, expected " + spec.calls());
        }
    }

    private static void checkCalls(ServiceFuture<?> service, long callsBefore, long failedBefore, long expected) {
        long calls = service.callCount() - callsBefore;
        long failed = service.failedCallCount() - failedBefore;
        if (calls != expected || failed != 0) {
            throw new IllegalStateException("service calls: " + calls + " (" + failed + " failed), expected "
                    + expected + " (0 failed)");
        }
    }

    /**
     * One snapshot of every thread at {@code delay} into the run: how many threads wait where
     * (the evidence of which waits hold a platform thread), e.g. {@code semaphore=960}.
     */
    private CompletableFuture<String> sampleThreadsAt(Duration delay) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "thread-sampler");
            thread.setDaemon(true);
            return thread;
        });
        timer.schedule(() -> {
            try {
                result.complete(classify(threads.dumpAllThreads(false, false)));
            } catch (RuntimeException e) {
                result.complete("unavailable: " + e);
            } finally {
                timer.shutdown();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        return result;
    }

    private static String classify(ThreadInfo[] infos) {
        Map<String, Integer> counts = new TreeMap<>();
        for (ThreadInfo info : infos) {
            counts.merge(where(info), 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((where, count) -> text.append(text.length() == 0 ? "" : " ").append(where).append('=').append(count));
        return text.toString();
    }

    /** Where a thread is, in the benchmark's terms. */
    private static String where(ThreadInfo info) {
        String name = info.getThreadName();
        String stack = stackText(info.getStackTrace());
        if (info.getThreadState() == Thread.State.BLOCKED) {        // waiting to enter a monitor: a shared lock
            return "blocked_on_monitor";
        }
        if (stack.contains("SlotService.work")) {
            return "in_service_work";
        }
        if (stack.contains("CallGate.acquireSlot")) {
            return name.startsWith("agent-") ? "agent_waiting_for_slot" : "other_waiting_for_slot";
        }
        if (name.startsWith("agent-")) {
            if (stack.contains("CompiledGraph")) {
                return info.getThreadState() == Thread.State.RUNNABLE ? "agent_graph_running" : "agent_graph_waiting";
            }
            return stack.contains("ThreadPoolExecutor.getTask") ? "agent_finished_thread_idle" : "agent_elsewhere";
        }
        if (name.startsWith("flowgentic4j-")) {
            return "flowgentic4j_" + info.getThreadState().name().toLowerCase(Locale.ROOT);
        }
        return "jvm_other";
    }

    private static String stackText(StackTraceElement[] frames) {
        StringBuilder text = new StringBuilder();
        for (StackTraceElement frame : frames) {
            text.append(frame.getClassName()).append('.').append(frame.getMethodName()).append(' ');
        }
        return text.toString();
    }

    /** Time spent in garbage collection so far, all collectors. */
    private static long gcMillis() {
        long total = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** CPU time of this whole JVM (every thread, the JIT and GC included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static String load1() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (Exception e) {
            return "NaN";
        }
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.4f", duration.toNanos() / 1e9);
    }
}
