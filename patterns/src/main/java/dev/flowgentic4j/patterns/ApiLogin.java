package dev.flowgentic4j.patterns;

import java.util.Objects;
import java.util.Optional;

/**
 * A login call the API client makes once when it starts, for APIs that keep a session: a
 * {@code POST} of {@code body} to {@code path}. The cookies it sets are kept by the client's own
 * cookie store; if {@code sessionIdField} is given, that field of the JSON answer (a session id) is
 * sent on every later call in the header {@code sessionHeader}. Both are dropped when the client
 * stops. The body (which usually holds a password) is a secret. Immutable.
 *
 * <pre>{@code
 * ApiLogin login = ApiLogin.jsonSession("/login", ApiSecret.of("{\"user\":\"desk\",\"password\":\"...\"}"),
 *         "sessionId", "X-Session-Id");
 * ApiLogin cookieOnly = ApiLogin.cookies("/login", ApiSecret.of("user=desk&password=..."),
 *         "application/x-www-form-urlencoded");
 * }</pre>
 */
public record ApiLogin(String path, ApiSecret body, String contentType, Optional<String> sessionIdField,
                       Optional<String> sessionHeader) {

    /** @throws IllegalArgumentException if the path is not absolute, or only one of field and header is given */
    public ApiLogin {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(sessionIdField, "sessionIdField");
        Objects.requireNonNull(sessionHeader, "sessionHeader");
        ApiClientSettings.requirePath(path, "path");
        if (sessionIdField.isPresent() != sessionHeader.isPresent()) {
            throw new IllegalArgumentException("sessionIdField and sessionHeader go together");
        }
        sessionHeader.ifPresent(h -> ApiClientSettings.requireHeaderName(h, "sessionHeader"));
    }

    /** A JSON login whose answer's field {@code sessionIdField} is sent back in {@code sessionHeader}. */
    public static ApiLogin jsonSession(String path, ApiSecret body, String sessionIdField, String sessionHeader) {
        return new ApiLogin(path, body, "application/json", Optional.of(sessionIdField), Optional.of(sessionHeader));
    }

    /** A login whose session lives in the cookies it sets. */
    public static ApiLogin cookies(String path, ApiSecret body, String contentType) {
        return new ApiLogin(path, body, contentType, Optional.empty(), Optional.empty());
    }
}
