package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the HTTP server pattern listens: host (default {@value #DEFAULT_HOST}), port (0
 * picks a free one), the number of request threads, and how long a stop lets exchanges in progress
 * finish. Immutable.
 *
 * <pre>{@code
 * HttpServerSettings settings = HttpServerSettings.onPort(8080).withThreads(8);
 * }</pre>
 */
public record HttpServerSettings(String host, int port, int threads, Duration stopDelay) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_THREADS = 4;
    public static final Duration DEFAULT_STOP_DELAY = Duration.ZERO;

    /** @throws IllegalArgumentException if the port is outside 0..65535, threads below 1, or the delay negative */
    public HttpServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(stopDelay, "stopDelay");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        if (stopDelay.isNegative()) {
            throw new IllegalArgumentException("stopDelay must not be negative, was " + stopDelay);
        }
    }

    /** 127.0.0.1 on a free port, 4 threads, immediate stop. */
    public static HttpServerSettings defaults() {
        return onPort(0);
    }

    /** 127.0.0.1 on {@code port} (0: a free one). */
    public static HttpServerSettings onPort(int port) {
        return new HttpServerSettings(DEFAULT_HOST, port, DEFAULT_THREADS, DEFAULT_STOP_DELAY);
    }

    public HttpServerSettings withHost(String newHost) {
        return new HttpServerSettings(newHost, port, threads, stopDelay);
    }

    public HttpServerSettings withThreads(int newThreads) {
        return new HttpServerSettings(host, port, newThreads, stopDelay);
    }

    public HttpServerSettings withStopDelay(Duration delay) {
        return new HttpServerSettings(host, port, threads, delay);
    }
}
