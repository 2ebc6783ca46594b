package dev.flowgentic4j.patterns;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful (2xx or 3xx) answer of the API client: status, body (at most the settings'
 * {@code maxResponseBytes}), headers, and how many HTTP exchanges the call took (retries after a
 * {@code 401}, {@code 429} or {@code 503} included). Immutable.
 */
public record ApiResponse(int status, String body, Map<String, List<String>> headers, int exchanges) {
    public ApiResponse {
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    }

    /** The first value of a header, case-insensitive. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    /**
     * A top-level field of a JSON object body as text (strings as they are, numbers and booleans as
     * written); empty if the body is not a JSON object or has no such field.
     */
    public Optional<String> jsonField(String name) {
        return ApiJson.field(body, name);
    }
}
