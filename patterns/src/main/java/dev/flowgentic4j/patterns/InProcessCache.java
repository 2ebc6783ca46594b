package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache the SupportDesk uses when no Redis URL is configured: a map in this JVM, with expiry.
 * Nothing is shared with other processes and nothing survives {@link #close()}. Thread-safe.
 */
public final class InProcessCache implements Cache, AutoCloseable {
    private record Entry(String value, long expiresAtNanos) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    @Override
    public Optional<String> get(String key) {
        Objects.requireNonNull(key, "key");
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.expiresAtNanos != Long.MAX_VALUE && System.nanoTime() - entry.expiresAtNanos >= 0) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value);
    }

    @Override
    public void set(String key, String value) {
        entries.put(Objects.requireNonNull(key, "key"), new Entry(Objects.requireNonNull(value, "value"), Long.MAX_VALUE));
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        entries.put(key, new Entry(value, System.nanoTime() + ttl.toNanos()));
    }

    /** Entries held, expired or not. */
    public int size() {
        return entries.size();
    }

    @Override
    public String describe() {
        return "in-process cache";
    }

    /** Drops every entry. */
    @Override
    public void close() {
        entries.clear();
    }
}
