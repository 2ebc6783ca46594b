package dev.flowgentic4j.patterns;

import java.util.Objects;

/**
 * A secret the API client sends (a client secret, a bearer token, an API key, a login body): its
 * {@code toString()} is {@code ***}, and the client removes its value from every message it builds.
 * Immutable.
 *
 * <pre>{@code
 * ApiSecret secret = ApiSecret.fromEnv("ORDERS_CLIENT_SECRET");
 * }</pre>
 */
public final class ApiSecret {
    private final String value;

    private ApiSecret(String value) {
        this.value = value;
    }

    /**
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if it is empty
     */
    public static ApiSecret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        return new ApiSecret(value);
    }

    /**
     * The value of the environment variable {@code name}.
     *
     * @throws IllegalArgumentException naming the variable (never its value) if it is unset or empty
     */
    public static ApiSecret fromEnv(String name) {
        String value = System.getenv(Objects.requireNonNull(name, "name"));
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
        return new ApiSecret(value);
    }

    /** The secret itself: only for the request that carries it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiSecret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "***";
    }
}
