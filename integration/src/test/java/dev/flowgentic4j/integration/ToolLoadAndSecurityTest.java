package dev.flowgentic4j.integration;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Issue 5 through the agent-facing surface: load, shutdown under load, bad input, and secrets in logs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ToolLoadAndSecurityTest {

    /** The service: a counter that can be bumped by an amount. */
    static final class Tally {
        final AtomicLong value = new AtomicLong();

        long bump(long by) {
            return value.addAndGet(by);
        }
    }

    private static Map<ToolSpecification, ToolExecutor> bumpTool(ExecutionWrappers wrappers, ServiceFuture<Tally> tally) {
        return wrappers.agentToolAsService(tally, "bump", "Adds an amount to the tally",
                List.of(ToolParameter.required("by", Long.class, "how much to add")),
                (t, args) -> t.bump(args.get("by", Long.class)));
    }

    private static String execute(ToolExecutor executor, String arguments) {
        return executor.execute(ToolExecutionRequest.builder().id("c").name("bump").arguments(arguments).build(), null);
    }

    @Test
    void ten_thousand_tool_calls_from_32_threads_lose_no_work_and_every_failure_is_accounted_for() throws Exception {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<Tally> tally = wrappers.serviceTask("tally", () -> new Tally()).start();
            ToolExecutor executor = bumpTool(wrappers, tally).values().iterator().next();
            AtomicInteger next = new AtomicInteger();
            AtomicLong ok = new AtomicLong();
            AtomicLong rejected = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                done.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < 10_000; n = next.getAndIncrement()) {
                        // every 50th call carries a bad argument, as a confused model would send
                        String result = execute(executor, n % 50 == 0 ? "{\"by\": \"lots\"}" : "{\"by\": 1}");
                        if (result.startsWith("Error:")) {
                            assertThat(result).contains("parameter 'by' must be an integer");
                            rejected.incrementAndGet();
                        } else {
                            ok.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertThat(ok.get() + rejected.get()).isEqualTo(10_000);
            assertThat(rejected.get()).isEqualTo(200);
            assertThat(tally.join().value.get()).isEqualTo(ok.get());
            assertThat(tally.callCount()).isEqualTo(ok.get()); // rejected arguments never reached the service
        }
    }

    @Test
    void bad_tool_input_gets_a_precise_error_and_disturbs_nothing_else() {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<Tally> tally = wrappers.serviceTask("tally", () -> new Tally()).start();
            ToolExecutor executor = bumpTool(wrappers, tally).values().iterator().next();
            String huge = "{\"by\": 1, \"padding\": \"" + "x".repeat(AgentTools.MAX_ARGUMENT_CHARS) + "\"}";

            assertThat(execute(executor, "{\"by\": 1")).startsWith("Error: invalid arguments for tool 'bump'")
                    .contains("not valid JSON");
            assertThat(execute(executor, "[1, 2]")).contains("must be a JSON object");
            assertThat(execute(executor, "{\"by\": 2.5}")).contains("parameter 'by' must be an integer");
            assertThat(execute(executor, "{}")).contains("missing required parameter 'by'");
            assertThat(execute(executor, huge)).contains("arguments are too large")
                    .contains("limit is " + AgentTools.MAX_ARGUMENT_CHARS).hasSizeLessThan(300);
            assertThat(execute(executor, "{\"@class\": \"java.lang.ProcessBuilder\", \"by\": 3}")).isEqualTo("3");

            assertThat(tally.join().value.get()).isEqualTo(3);
            assertThat(execute(executor, "{\"by\": 4}")).isEqualTo("7");
        }
    }

    @Test
    void closing_under_load_from_nodes_and_tools_ends_every_call_cleanly() throws Exception {
        LangGraphIntegration integration = LangGraphIntegration.create(IntegrationConfig.builder()
                .engine(EngineConfig.builder().stopTimeout(Duration.ofSeconds(2)).build()).build());
        ExecutionWrappers wrappers = integration.executionWrappers();
        ServiceFuture<Tally> tally = wrappers.serviceTask("tally", () -> new Tally()).start();
        tally.join();
        ToolExecutor tool = bumpTool(wrappers, tally).values().iterator().next();
        AsyncNodeAction<AgentState> node = wrappers.serviceNode(tally, (t, state) -> Map.of("total", t.bump(1)));
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong stopped = new AtomicLong();
        CountDownLatch calling = new CountDownLatch(64);
        ExecutorService pool = Executors.newFixedThreadPool(64);
        for (int t = 0; t < 64; t++) {
            boolean viaTool = t % 2 == 0;
            pool.submit(() -> {
                calling.countDown();
                while (true) {
                    if (viaTool) {
                        String result = execute(tool, "{\"by\": 1}");
                        if (!result.startsWith("Error:")) {
                            ok.incrementAndGet();
                            continue;
                        }
                        if (result.contains("unavailable") && result.contains("stopped")) {
                            stopped.incrementAndGet();
                        } else {
                            unexpected.add(result);
                        }
                        return;
                    }
                    try {
                        node.apply(new AgentState(Map.of())).join();
                        ok.incrementAndGet();
                    } catch (CompletionException e) {
                        if (e.getCause() instanceof ServiceUnavailableException
                                && e.getCause().getMessage().contains("stopped")) {
                            stopped.incrementAndGet();
                        } else {
                            unexpected.add(String.valueOf(e.getCause()));
                        }
                        return;
                    }
                }
            });
        }
        calling.await();
        long t0 = System.nanoTime();

        integration.close();

        double closeMillis = (System.nanoTime() - t0) / 1e6;
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("no call hangs").isTrue();
        assertThat(unexpected).isEmpty();
        assertThat(stopped.get()).isEqualTo(64);
        assertThat(tally.callCount() - tally.refusedCallCount()).isEqualTo(ok.get()); // refused calls never reached it
        assertThat(closeMillis).isLessThan(3000 + 1000); // the stop deadline plus its margin
        System.out.printf("close under load (nodes + tools) | %d calls ok, 64 ended 'stopped' | close %.1f ms%n",
                ok.get(), closeMillis);
    }

    @Test
    void the_api_key_never_appears_in_the_logs_even_at_debug_level() throws Exception {
        String sentinel = "sk-SENTINEL-" + Long.toHexString(System.nanoTime()) + "-do-not-log";
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        // capture in memory only: the console keeps its level, DEBUG goes nowhere else
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(consoles::add);
        consoles.forEach(root::detachAppender);
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
        try (OpenAiStub stub = OpenAiStub.start(); LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<Tally> tally = wrappers.serviceTask("tally", () -> new Tally()).start();
            stub.enqueue(toolCalls(call("bump", "{\"by\": 2}")), text("The tally is 2."));
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey(sentinel)
                    .modelName("stub-model").logRequests(true).logResponses(true).maxRetries(0).build();
            CompiledGraph<AgentExecutor.State> agent = Graphs.compile(Graphs.define(() -> {
                AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(model);
                bumpTool(wrappers, tally).forEach(builder::toolSpecification);
                return builder.build();
            }));

            agent.invoke(Map.of("messages", UserMessage.from("Add two.")));

            assertThat(tally.join().value.get()).isEqualTo(2);
        } finally {
            root.detachAppender(captured);
            root.setLevel(before);
            consoles.forEach(root::addAppender);
        }
        assertThat(captured.list).as("something was logged at DEBUG").isNotEmpty();
        for (ILoggingEvent event : captured.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(sentinel).doesNotContain(sentinel.substring(3, 20));
            if (event.getThrowableProxy() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(sentinel);
            }
        }
    }
}
