package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.Optional;

/**
 * A string key-value cache: the operations the examples need from Redis, so that a workflow can
 * fall back to an in-process cache when no Redis is configured. Implementations are thread-safe.
 */
public interface Cache {

    /** The value stored under {@code key}, if any (and not expired). */
    Optional<String> get(String key);

    /** Stores {@code value} under {@code key} with no expiry. */
    void set(String key, String value);

    /** Stores {@code value} under {@code key}; it expires after {@code ttl}. */
    void set(String key, String value, Duration ttl);

    /** Where the values live, for people: {@code "Redis at redis://127.0.0.1:6379"}. */
    String describe();
}
