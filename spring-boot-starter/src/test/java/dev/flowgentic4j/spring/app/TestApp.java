package dev.flowgentic4j.spring.app;

import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.spring.FlowgenticAgents;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.prebuilt.MessagesState;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application the starter's HTTP tests run: services declared as beans (a store whose @Tool
 * methods are agent tools, a probe with a health check, a real HTTP server, a lazy counter, a slow
 * optional service, two services declared by task beans and a task taking an argument that is not one, a tool bean
 * backed by a service and one with @Tool methods but no service), an agent on langchain4j's OpenAI client against the scripted stub, and a REST
 * endpoint answering through a graph.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestApp.AskController.class)
public class TestApp {

    @Bean
    StopLog stopLog() {
        return new StopLog();
    }

    @Bean
    Gate slowGate() {
        return new Gate();
    }

    @Bean
    AtomicInteger lazyColdStarts() {
        return new AtomicInteger();
    }

    @Bean
    ServiceDefinition<Void, KvStore> kv(StopLog stops) {
        return ServiceDefinition.builder("kv", () -> new KvStore(stops)).build();
    }

    @Bean
    ServiceDefinition<Void, Probe> probe() {
        return ServiceDefinition.builder("probe", Probe::new)
                .health(HealthConfig.<Probe>builder(Probe::check).interval(Duration.ofMillis(100)).build())
                .build();
    }

    @Bean
    ServiceDefinition<Void, TinyHttp> http(StopLog stops) {
        return ServiceDefinition.builder("http", () -> new TinyHttp("http", stops)).build();
    }

    @Bean
    ServiceDefinition<Void, AtomicInteger> lazyone(AtomicInteger lazyColdStarts) {
        return ServiceDefinition.builder("lazyone", () -> {
            lazyColdStarts.incrementAndGet();
            return new AtomicInteger();
        }).build();
    }

    @Bean
    ServiceDefinition<Void, String> slow(Gate slowGate) {
        return ServiceDefinition.builder("slow", () -> {
            slowGate.await(Duration.ofSeconds(30));
            return "slow and ready";
        }).build();
    }

    /** A service declared by a NoArgServiceTask bean. */
    @Bean
    NoArgServiceTask<AtomicLong> tally(ExecutionWrappers wrappers) {
        return wrappers.serviceTask("tally", () -> new AtomicLong());
    }

    /** A service declared by a ServiceTask&lt;Void, S&gt; bean (lazy through its property). */
    @Bean
    ServiceTask<Void, StringBuilder> notes(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder("notes", () -> new StringBuilder("noted")).build());
    }

    /** A task taking an argument: not a service of the context, the application starts it. */
    @Bean
    ServiceTask<Integer, String> echoes(ExecutionWrappers wrappers) {
        return wrappers.serviceTask("echoes", (Integer n) -> "echo " + n);
    }

    /** A tool bean: its @Tool method is backed by the tally service, so agents get it. */
    public static class Counting {
        private final ServiceFuture<AtomicLong> tally;

        Counting(ServiceFuture<AtomicLong> tally) {
            this.tally = tally;
        }

        @Tool("Adds one to the tally and returns the new count")
        public long countUp() {
            return tally.call(Duration.ofSeconds(5), AtomicLong::incrementAndGet);
        }
    }

    /** @Tool methods but no service behind them: not collected. */
    public static class Clock {
        @Tool("The time of day")
        public String now() {
            return "noon";
        }
    }

    @Bean
    Counting counting(@Qualifier("tally") ServiceFuture<AtomicLong> tally) {
        return new Counting(tally);
    }

    @Bean
    Clock clock() {
        return new Clock();
    }

    @Bean(destroyMethod = "close")
    OpenAiStub openAiStub() {
        // asks for recall(key = the question) once, then answers with what the tool returned
        return OpenAiStub.start().respondWith(request -> request.latestToolResults().isEmpty()
                ? StubReply.toolCalls(StubReply.call("recall",
                        "{\"key\":\"" + request.firstUserText().replace("\"", "") + "\"}"))
                : StubReply.text("The answer is " + String.join(", ", request.latestToolResults())));
    }

    @Bean
    ChatModel chatModel(OpenAiStub stub) {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName("gpt-4o-mini")
                .timeout(Duration.ofSeconds(20)).maxRetries(0).build();
    }

    /** GET /ask?q=...: a graph whose first node uses the store, then the agent over the services' tools. */
    @RestController
    static class AskController {
        private final CompiledGraph<AgentExecutor.State> graph;
        private final ServiceFuture<AtomicInteger> lazy;
        private final AtomicInteger asked = new AtomicInteger();

        AskController(FlowgenticAgents agents, ExecutionWrappers wrappers, @Qualifier("kv") ServiceFuture<KvStore> kv,
                ServiceFuture<AtomicInteger> lazy) {
            this.lazy = lazy;
            CompiledGraph<AgentExecutor.State> agent = Graphs.compile(agents.reactAgent(
                    ReactAgentConfig.builder().systemMessage("Answer with the tools.").maxIterations(3).build()));
            this.graph = Graphs.compile(Graphs.define(() ->
                    new StateGraph<>(MessagesState.SCHEMA, AgentExecutor.Serializers.STD.object())
                            .addNode("count", wrappers.<KvStore, AgentExecutor.State>serviceNode(kv, (store, state) -> {
                                store.remember("asked", String.valueOf(asked.incrementAndGet()));
                                return Map.of();
                            }))
                            .addNode("agent", agent)
                            .addEdge(StateGraph.START, "count")
                            .addEdge("count", "agent")
                            .addEdge("agent", StateGraph.END)));
        }

        @GetMapping("/ask")
        Map<String, Object> ask(@RequestParam("q") String question) {
            AgentExecutor.State state = graph.invoke(Map.of("messages", UserMessage.from(question))).orElseThrow();
            return Map.of("question", question, "answer", state.finalResponse().orElse("(no answer)"));
        }

        @GetMapping("/lazy")
        Map<String, Object> lazy() {
            return Map.of("value", lazy.call(Duration.ofSeconds(10), AtomicInteger::incrementAndGet));
        }
    }
}
