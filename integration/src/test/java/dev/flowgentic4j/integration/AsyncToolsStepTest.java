package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.integration.internal.ToolsNode;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.action.Command;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's tools step and service nodes wait for a service's call slot without holding the graph's thread. */
class AsyncToolsStepTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final LangGraphIntegration integration = LangGraphIntegration.create();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        integration.close();
    }

    private ServiceFuture<Counter> limited(Duration waitTimeout) {
        ServiceFuture<Counter> service = integration.executionWrappers().serviceTask(ServiceDefinition
                .<Void, Counter>builder("one-slot", ignored -> new Counter()).maxConcurrentCalls(1, waitTimeout).build())
                .start(null);
        service.join();
        return service;
    }

    private ToolsNode toolsNode(ServiceFuture<Counter> service) {
        Map<ToolSpecification, ToolExecutor> tools = integration.executionWrappers().agentToolAsService(service, "inc",
                "Increments the counter", List.of(ToolParameter.required("who", String.class, "who asks")),
                (counter, args) -> counter.increment(args.get("who", String.class)));
        return new ToolsNode(tools, null, 10, true);
    }

    private static AgentExecutor.State askingForOneCall() {
        ToolExecutionRequest request = ToolExecutionRequest.builder().id("call_1").name("inc")
                .arguments("{\"who\":\"a\"}").build();
        return new AgentExecutor.State(Map.of("messages", List.of(UserMessage.from("count"), AiMessage.from(request))));
    }

    private Future<Long> holdTheSlot(ServiceFuture<Counter> service, CountDownLatch release) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        Future<Long> holder = pool.submit(() -> service.call(WAIT, c -> {
            inside.countDown();
            release.await();
            return c.increment("holder");
        }));
        inside.await();
        return holder;
    }

    private static ToolExecutionResultMessage resultOf(Command command) {
        Object messages = command.update().get("messages");
        assertThat(messages).isInstanceOf(List.class);
        return (ToolExecutionResultMessage) ((List<?>) messages).get(0);
    }

    @Test
    void a_tool_call_waiting_for_a_slot_returns_an_incomplete_future_and_runs_when_the_slot_frees() throws Exception {
        ServiceFuture<Counter> service = limited(Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = holdTheSlot(service, release);

        CompletableFuture<Command> step = toolsNode(service).apply(askingForOneCall(), RunnableConfig.builder().build());
        assertThat(step).isNotDone();            // the graph's thread is back: nothing waits in the gate
        assertThat(service.callCount()).isEqualTo(1);

        release.countDown();
        assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        ToolExecutionResultMessage result = resultOf(step.get(10, TimeUnit.SECONDS));
        assertThat(result.id()).isEqualTo("call_1");
        assertThat(result.toolName()).isEqualTo("inc");
        assertThat(result.text()).isEqualTo("2");
        assertThat(result.isError()).isFalse();
    }

    @Test
    void a_tool_call_that_gets_no_slot_in_time_answers_the_model_with_the_busy_error() throws Exception {
        ServiceFuture<Counter> service = limited(Duration.ofMillis(100));
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = holdTheSlot(service, release);
        try {
            CompletableFuture<Command> step = toolsNode(service).apply(askingForOneCall(), RunnableConfig.builder().build());
            ToolExecutionResultMessage result = resultOf(step.get(10, TimeUnit.SECONDS));
            assertThat(result.isError()).isTrue();
            assertThat(result.text()).contains("tool 'inc' is unavailable").contains("busy")
                    .contains("1 concurrent calls already in flight");
        } finally {
            release.countDown();
        }
        holder.get(10, TimeUnit.SECONDS);
        assertThat(service.callCount()).isEqualTo(2);   // the refused call is counted...
        assertThat(service.refusedCallCount()).isEqualTo(1); // ...as refused: it never reached the instance
    }

    @Test
    void a_service_node_waiting_for_a_slot_returns_at_once_and_completes_when_the_slot_frees() throws Exception {
        ServiceFuture<Counter> service = limited(Duration.ofSeconds(30));
        org.bsc.langgraph4j.action.AsyncNodeAction<org.bsc.langgraph4j.state.AgentState> node = integration
                .executionWrappers().serviceNode(service, (counter, state) -> Map.of("n", counter.increment("node")));
        CountDownLatch release = new CountDownLatch(1);
        Future<Long> holder = holdTheSlot(service, release);

        CompletableFuture<Map<String, Object>> run = node.apply(new org.bsc.langgraph4j.state.AgentState(Map.of()));
        assertThat(run).isNotDone();

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(run.get(10, TimeUnit.SECONDS)).containsEntry("n", 2L);
    }
}
