package dev.flowgentic4j.patterns;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis-client service: one Lettuce connection, opened once by {@link #connect} and shared by
 * every call (Lettuce connections are thread-safe). The connection carries the settings' client
 * name, so {@code CLIENT LIST} shows it until {@link #close()}. Thread-safe.
 *
 * <pre>{@code
 * try (RedisCache redis = RedisCache.connect(RedisSettings.of("redis://127.0.0.1:6379"))) {
 *     redis.set("user:123", "Ada");
 *     Optional<String> user = redis.get("user:123");
 * }
 * }</pre>
 */
public final class RedisCache implements Cache, AutoCloseable {
    private final RedisSettings settings;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisCache(RedisSettings settings, RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.settings = settings;
        this.client = client;
        this.connection = connection;
        this.commands = connection.sync();
    }

    /** Redis could not be reached; the message names the URL (password redacted). */
    public static final class RedisUnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        public RedisUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Connects to Redis and checks it answers {@code PING}.
     *
     * @throws RedisUnavailableException if Redis cannot be reached; no thread is left behind
     * @throws IllegalArgumentException if the URL is malformed
     */
    public static RedisCache connect(RedisSettings settings) throws RedisUnavailableException {
        RedisURI uri = RedisURI.create(settings.url());
        uri.setClientName(settings.clientName());
        uri.setTimeout(settings.connectTimeout());
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).build())
                .build());
        try {
            StatefulRedisConnection<String, String> connection = client.connect();
            connection.sync().ping();
            return new RedisCache(settings, client, connection);
        } catch (RedisException e) {
            shutdown(client);
            throw new RedisUnavailableException("Redis at " + settings.redactedUrl() + " is unreachable: "
                    + e.getMessage(), e);
        }
    }

    private static void shutdown(RedisClient client) {
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private String key(String key) {
        return settings.keyPrefix() + Objects.requireNonNull(key, "key");
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(commands.get(key(key)));
    }

    @Override
    public void set(String key, String value) {
        commands.set(key(key), Objects.requireNonNull(value, "value"));
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        commands.set(key(key), Objects.requireNonNull(value, "value"), SetArgs.Builder.ex(ttl));
    }

    /** Deletes {@code key}; returns whether it existed. */
    public boolean delete(String key) {
        return commands.del(key(key)) > 0;
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * Sends {@code PING}; the service's health check.
     *
     * @throws io.lettuce.core.RedisException if Redis does not answer
     */
    public void ping() {
        String reply = commands.ping();
        if (!"PONG".equals(reply)) {
            throw new IllegalStateException(describe() + " answered PING with " + reply);
        }
    }

    /** The client names the server lists in {@code CLIENT LIST} (unnamed clients omitted), this one's included. */
    public List<String> clientNames() {
        return Arrays.stream(commands.clientList().split("\n"))
                .flatMap(line -> Arrays.stream(line.trim().split(" ")))
                .filter(field -> field.startsWith("name=") && field.length() > 5)
                .map(field -> field.substring(5))
                .toList();
    }

    /** This connection's id on the server ({@code CLIENT ID}). */
    public long clientId() {
        return commands.clientId();
    }

    @Override
    public String describe() {
        return "Redis at " + settings.redactedUrl();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the connection and the client's threads. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                connection.close();
            } finally {
                shutdown(client);
            }
        }
    }

    @Override
    public String toString() {
        return "RedisCache[" + settings.redactedUrl() + ", client " + settings.clientName()
                + (closed.get() ? ", closed" : "") + "]";
    }
}
