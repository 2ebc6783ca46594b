package dev.flowgentic4j.patterns;

import dev.flowgentic4j.workflows.FlowgenticException;
import java.util.Objects;

/**
 * A call of the API client that failed: the message names the endpoint ({@code METHOD URL} without
 * its query) and the HTTP status, or why no answer came (timeout, connection refused). It never holds
 * a secret: the client removes its credentials, tokens and session ids from any text it quotes.
 */
public class ApiCallException extends FlowgenticException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final int status;

    public ApiCallException(String endpoint, int status, String message) {
        super(message);
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.status = status;
    }

    /** {@code METHOD URL}, without the query. */
    public String endpoint() {
        return endpoint;
    }

    /** The HTTP status of the last answer; 0 when none came. */
    public int status() {
        return status;
    }
}
