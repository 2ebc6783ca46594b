package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the Redis service connects: the URL (default {@value #DEFAULT_URL}; none configured means
 * "start an {@link EmbeddedRedis}" where a program offers that), the client name Redis
 * shows in {@code CLIENT LIST}, a prefix put before every key, and the connect timeout. Immutable.
 *
 * <pre>{@code
 * RedisSettings settings = RedisSettings.of("redis://127.0.0.1:6379").withKeyPrefix("demo:");
 * }</pre>
 */
public record RedisSettings(String url, String clientName, String keyPrefix, Duration connectTimeout) {
    public static final String URL_VARIABLE = "FLOWGENTIC4J_REDIS_URL";
    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    public static final String DEFAULT_CLIENT_NAME = "flowgentic4j-redis";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** @throws IllegalArgumentException if the client name has spaces (Redis refuses them) */
    public RedisSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (clientName.isBlank() || clientName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("clientName must be one word, was '" + clientName + "'");
        }
    }

    public static RedisSettings of(String url) {
        return new RedisSettings(url, DEFAULT_CLIENT_NAME, "", DEFAULT_CONNECT_TIMEOUT);
    }

    /** {@code --redis-url} / {@value #URL_VARIABLE} if set. */
    public static Optional<RedisSettings> configured(Options options) {
        return options.value("redis-url", URL_VARIABLE).map(RedisSettings::of);
    }

    /** {@code --redis-url} / {@value #URL_VARIABLE}, else {@value #DEFAULT_URL}. */
    public static RedisSettings from(Options options) {
        return configured(options).orElseGet(() -> of(DEFAULT_URL));
    }

    public RedisSettings withUrl(String newUrl) {
        return new RedisSettings(newUrl, clientName, keyPrefix, connectTimeout);
    }

    public RedisSettings withClientName(String name) {
        return new RedisSettings(url, name, keyPrefix, connectTimeout);
    }

    public RedisSettings withKeyPrefix(String prefix) {
        return new RedisSettings(url, clientName, prefix, connectTimeout);
    }

    public RedisSettings withConnectTimeout(Duration timeout) {
        return new RedisSettings(url, clientName, keyPrefix, timeout);
    }

    /** The URL with any password replaced by {@code ***}. */
    public String redactedUrl() {
        return url.replaceAll("(://)[^@/]*@", "$1***@");
    }

    @Override
    public String toString() {
        return "RedisSettings[" + redactedUrl() + ", clientName=" + clientName + ", keyPrefix=" + keyPrefix + "]";
    }
}
