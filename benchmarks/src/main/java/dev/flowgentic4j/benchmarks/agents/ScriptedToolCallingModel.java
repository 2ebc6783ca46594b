package dev.flowgentic4j.benchmarks.agents;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;

/**
 * The benchmark's deterministic, in-process chat model (the original toolkit's "dummy" model): for a
 * conversation whose last user message is {@code "agent <i>"}, it asks for one call of the tool
 * {@code work} per turn, {@code {"unit": k}} for k = 0 .. M-1, then answers
 * {@code "agent <i> done after M calls"}. Stateless: the turn is read from the messages, so one
 * instance serves every agent. Thread-safe.
 */
public final class ScriptedToolCallingModel implements ChatModel {
    public static final String TOOL = "work";

    private final int callsPerAgent;

    public ScriptedToolCallingModel(int callsPerAgent) {
        if (callsPerAgent < 0) {
            throw new IllegalArgumentException("callsPerAgent must be >= 0, was " + callsPerAgent);
        }
        this.callsPerAgent = callsPerAgent;
    }

    /** The final answer agent {@code agent} is expected to give. */
    public static String finalAnswer(String agent, int calls) {
        return agent + " done after " + calls + " calls";
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int results = 0;
        String agent = "agent ?";
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if (message instanceof UserMessage user) {
                agent = user.singleText();
                break;
            }
            if (message instanceof ToolExecutionResultMessage) {
                results++;
            }
        }
        if (results < callsPerAgent) {
            ToolExecutionRequest call = ToolExecutionRequest.builder()
                    .id("call_" + results).name(TOOL).arguments("{\"unit\":" + results + "}").build();
            return ChatResponse.builder().aiMessage(AiMessage.from(call)).finishReason(FinishReason.TOOL_EXECUTION)
                    .build();
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(finalAnswer(agent, results)))
                .finishReason(FinishReason.STOP).build();
    }
}
