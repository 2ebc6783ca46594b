package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One call through the API client: method, path (relative to the base URL, with an optional query),
 * extra headers, an optional body and an optional deadline of its own (else the settings'
 * {@code callTimeout}). Immutable.
 *
 * <pre>{@code
 * ApiResponse r = client.send(ApiRequest.post("/orders", "{\"sku\":\"ACME\",\"qty\":3}")
 *         .withHeader("Idempotency-Key", "42").withTimeout(Duration.ofSeconds(3)));
 * }</pre>
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Optional<String> body,
                         String contentType, Optional<Duration> timeout) {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    private static final Set<String> RESTRICTED = Set.of("authorization", "cookie", "host", "content-length",
            "connection", "expect", "upgrade", "content-type");

    /** @throws IllegalArgumentException if the method is unknown, the path not absolute, a header invalid or the timeout not positive */
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(timeout, "timeout");
        method = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("method must be one of " + METHODS + ", was '"
                    + ApiClientService.escape(method, 20) + "'");
        }
        ApiClientSettings.requirePath(path, "path");
        Map<String, String> copy = new LinkedHashMap<>();
        Objects.requireNonNull(headers, "headers").forEach((k, v) -> {
            ApiClientSettings.requireHeaderName(k, "header");
            Objects.requireNonNull(v, "header value");
            if (RESTRICTED.contains(k.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + k + " is set by the client itself");
            }
            if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + k + " value must not hold a line break");
            }
            copy.put(k, v);
        });
        headers = Map.copyOf(copy);
        timeout.ifPresent(t -> {
            if (t.isZero() || t.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + t);
            }
        });
    }

    public static ApiRequest get(String path) {
        return new ApiRequest("GET", path, Map.of(), Optional.empty(), "application/json", Optional.empty());
    }

    /** A {@code POST} of a JSON body. */
    public static ApiRequest post(String path, String json) {
        return new ApiRequest("POST", path, Map.of(), Optional.of(json), "application/json", Optional.empty());
    }

    public static ApiRequest delete(String path) {
        return new ApiRequest("DELETE", path, Map.of(), Optional.empty(), "application/json", Optional.empty());
    }

    public ApiRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiRequest(method, path, more, body, contentType, timeout);
    }

    public ApiRequest withTimeout(Duration deadline) {
        return new ApiRequest(method, path, headers, body, contentType, Optional.of(deadline));
    }

    public ApiRequest withContentType(String type) {
        return new ApiRequest(method, path, headers, body, type, timeout);
    }
}
