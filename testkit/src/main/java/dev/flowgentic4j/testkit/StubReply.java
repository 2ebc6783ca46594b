package dev.flowgentic4j.testkit;

import java.util.List;
import java.util.Objects;

/**
 * One scripted answer of the {@link OpenAiStub}: either tool calls ({@code finish_reason:
 * "tool_calls"}) or a final text ({@code finish_reason: "stop"}).
 *
 * @param content the text of a final answer; null when the reply asks for tools
 * @param toolCalls the tool calls asked for; empty for a final answer
 */
public record StubReply(String content, List<ToolCall> toolCalls) {

    public StubReply {
        toolCalls = List.copyOf(toolCalls);
        if (toolCalls.isEmpty()) {
            Objects.requireNonNull(content, "content");
        }
    }

    /** A final answer. */
    public static StubReply text(String content) {
        return new StubReply(content, List.of());
    }

    /** A turn asking for one or more tools (several mean parallel tool calls). */
    public static StubReply toolCalls(ToolCall... calls) {
        if (calls.length == 0) {
            throw new IllegalArgumentException("at least one tool call is needed");
        }
        return new StubReply(null, List.of(calls));
    }

    /** A tool call with a generated id; {@code arguments} is sent verbatim as the JSON string. */
    public static ToolCall call(String name, String arguments) {
        return new ToolCall(null, name, arguments);
    }

    /**
     * One requested tool call.
     *
     * @param id the call id, or null to let the stub generate one
     * @param name the tool name
     * @param arguments the arguments exactly as sent (normally a JSON object, but may be anything)
     */
    public record ToolCall(String id, String name, String arguments) {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }
    }
}
