package dev.flowgentic4j.workflows.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks whose messages name the argument ({@code "timeout must be positive, was PT0S"}),
 * for the configs and builders of the modules built on the engine, so that every module rejects bad
 * input the same way. Part of the SPI: stable for flowgentic4j's own modules and for extensions;
 * stateless and thread-safe.
 *
 * <pre>{@code
 * this.readyTimeout = Checks.requirePositive(readyTimeout, "readyTimeout");
 * }</pre>
 */
public final class Checks {
    private Checks() {}

    /**
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is zero or negative
     */
    public static Duration requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static Duration requireNonNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /**
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static String requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
