package dev.flowgentic4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * One request body the {@link OpenAiStub} received, with accessors for what tests assert.
 *
 * @param body the parsed JSON body as sent by the client
 */
public record StubRequest(JsonNode body) {

    /** A tool result message the client sent back ({@code role: "tool"}). */
    public record ToolResult(String toolCallId, String content) {}

    /** Names of the tools offered, in order. */
    public List<String> toolNames() {
        return stream(body.path("tools")).map(t -> t.path("function").path("name").asText()).collect(Collectors.toList());
    }

    /** The JSON schema ({@code function.parameters}) of the tool offered under {@code name}. */
    public Optional<JsonNode> toolParameters(String name) {
        return stream(body.path("tools"))
                .filter(t -> name.equals(t.path("function").path("name").asText()))
                .map(t -> t.path("function").path("parameters"))
                .findFirst();
    }

    /** Every message of the conversation as sent. */
    public List<JsonNode> messages() {
        return stream(body.path("messages")).collect(Collectors.toList());
    }

    /** The text of the first user message, or empty. */
    public String firstUserText() {
        return messages().stream()
                .filter(m -> "user".equals(m.path("role").asText()))
                .map(m -> m.path("content").isTextual() ? m.path("content").asText()
                        : stream(m.path("content")).map(c -> c.path("text").asText()).collect(Collectors.joining()))
                .findFirst()
                .orElse("");
    }

    /** Every tool result message, in order. */
    public List<ToolResult> toolResults() {
        List<ToolResult> results = new ArrayList<>();
        for (JsonNode m : messages()) {
            if ("tool".equals(m.path("role").asText())) {
                results.add(new ToolResult(m.path("tool_call_id").asText(), m.path("content").asText()));
            }
        }
        return results;
    }

    /** The contents of the tool results sent after the last assistant message (this turn's results). */
    public List<String> latestToolResults() {
        List<JsonNode> all = messages();
        int lastAssistant = -1;
        for (int i = 0; i < all.size(); i++) {
            if ("assistant".equals(all.get(i).path("role").asText())) {
                lastAssistant = i;
            }
        }
        List<String> results = new ArrayList<>();
        for (int i = lastAssistant + 1; i < all.size(); i++) {
            if ("tool".equals(all.get(i).path("role").asText())) {
                results.add(all.get(i).path("content").asText());
            }
        }
        return results;
    }

    /** How many assistant turns the conversation holds so far. */
    public int assistantTurns() {
        return (int) messages().stream().filter(m -> "assistant".equals(m.path("role").asText())).count();
    }

    /**
     * Ids of tool calls that no tool message answers: every assistant message with
     * {@code tool_calls} must be followed by a {@code role: "tool"} message for each
     * {@code tool_call_id} (OpenAI rejects the request otherwise). Empty when the conversation is valid.
     */
    public List<String> unansweredToolCallIds() {
        List<String> unanswered = new ArrayList<>();
        List<JsonNode> all = messages();
        for (int i = 0; i < all.size(); i++) {
            JsonNode message = all.get(i);
            if (!"assistant".equals(message.path("role").asText())) {
                continue;
            }
            java.util.Set<String> answered = new java.util.HashSet<>();
            for (int j = i + 1; j < all.size() && "tool".equals(all.get(j).path("role").asText()); j++) {
                answered.add(all.get(j).path("tool_call_id").asText());
            }
            stream(message.path("tool_calls")).map(c -> c.path("id").asText())
                    .filter(id -> !answered.contains(id))
                    .forEach(unanswered::add);
        }
        return unanswered;
    }

    /** The tool result for each call id. */
    public Map<String, String> toolResultsById() {
        return toolResults().stream().collect(Collectors.toMap(ToolResult::toolCallId, ToolResult::content, (a, b) -> b));
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
