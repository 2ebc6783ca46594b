package dev.flowgentic4j.integration;

import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the agent tests share: a scripted OpenAI stub, an integration, one {@link Counter} service
 * (counting its cold starts) and the real OpenAI client pointed at the stub.
 */
final class AgentFixture implements AutoCloseable {
    /** The tools of {@link #tools()}, as the unknown-tool result lists them. */
    static final String TOOL_NAMES = "counter_value, increment, shout";

    final OpenAiStub stub = OpenAiStub.start();
    final LangGraphIntegration integration = LangGraphIntegration.create();
    final ExecutionWrappers wrappers = integration.executionWrappers();
    final AtomicInteger coldStarts = new AtomicInteger();
    final ServiceFuture<Counter> counter;

    AgentFixture() {
        ServiceTask<Void, Counter> task = wrappers.serviceTask("counter", ignored -> {
            coldStarts.incrementAndGet();
            return new Counter();
        });
        counter = task.start(null);
    }

    /** langchain4j's real OpenAI client, talking HTTP to the stub. */
    ChatModel model() {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName("stub-model")
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    /** A service object tool and a service function tool on the counter, and a function tool. */
    Map<ToolSpecification, ToolExecutor> tools() {
        return AgentTools.merge(
                wrappers.agentToolAsService(counter, Counter.class),
                wrappers.agentToolAsService(counter, "counter_value", "Reads the counter", List.of(),
                        (c, args) -> c.hits()),
                wrappers.agentToolAsFunction("shout", "Upper-cases a text",
                        List.of(ToolParameter.required("text", String.class, "what to shout")),
                        args -> args.get("text", String.class).toUpperCase()));
    }

    @Override
    public void close() {
        try {
            integration.close();
        } finally {
            stub.close();
        }
    }
}
