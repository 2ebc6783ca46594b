package dev.flowgentic4j.patterns;

import java.util.Optional;

/**
 * The token endpoint refused the client's credentials (or the API refused a static one): the message
 * names the token endpoint, the HTTP status and the OAuth error code ({@code invalid_client},
 * {@code invalid_scope}, ...), never the secret.
 */
public class ApiAuthenticationException extends ApiCallException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;

    public ApiAuthenticationException(String endpoint, int status, String errorCode, String message) {
        super(endpoint, status, message);
        this.errorCode = errorCode;
    }

    /** The OAuth {@code error} of the token endpoint's answer, if it gave one. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }
}
