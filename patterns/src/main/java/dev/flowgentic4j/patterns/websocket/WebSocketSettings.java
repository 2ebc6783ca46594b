package dev.flowgentic4j.patterns.websocket;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a {@link WebSocketService} connects and how it supervises the connection: the server URL,
 * the handshake's headers (authentication; their values are secrets and never shown), time limits,
 * the inbound size limit, what to do with binary frames, the ping/pong health check, the reconnect
 * backoff, the request/reply correlation and the subscriptions declared up front. Immutable; built
 * once with {@link #builder(URI)}, each setter checking its argument at once.
 *
 * <pre>{@code
 * WebSocketSettings settings = WebSocketSettings.builder(URI.create("wss://feed.example.com/v1"))
 *     .header("Authorization", "Bearer " + token)
 *     .ping(Duration.ofSeconds(5), Duration.ofSeconds(2))
 *     .subscription(SubscriptionSpec.of("prices", m -> m.contains("\"price\"")).onConnect("{\"op\":\"subscribe\"}"))
 *     .build();
 * }</pre>
 */
public final class WebSocketSettings {
    public static final String DEFAULT_NAME = "websocket";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;
    public static final int DEFAULT_THREADS = 8;

    /** What the service does with a binary frame (it speaks text). */
    public enum BinaryFrames {
        /** Drop it and count it ({@link WebSocketStats#binaryDropped()}); the connection stays. */
        DROP,
        /** Close the connection with 1003 (unsupported data) and reconnect; counted as well. */
        CLOSE
    }

    private final URI uri;
    private final String name;
    private final Map<String, String> headers;
    private final Duration connectTimeout;
    private final int maxMessageSize;
    private final BinaryFrames binaryFrames;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final ReconnectBackoff backoff;
    private final Duration closeTimeout;
    private final Correlation correlation;
    private final int maxPendingRequests;
    private final List<SubscriptionSpec> subscriptions;
    private final int threads;

    private WebSocketSettings(Builder b) {
        uri = b.uri;
        name = b.name;
        headers = Map.copyOf(b.headers);
        connectTimeout = b.connectTimeout;
        maxMessageSize = b.maxMessageSize;
        binaryFrames = b.binaryFrames;
        pingInterval = b.pingInterval;
        pongTimeout = b.pongTimeout;
        backoff = b.backoff;
        closeTimeout = b.closeTimeout;
        correlation = b.correlation;
        maxPendingRequests = b.maxPendingRequests;
        subscriptions = List.copyOf(b.subscriptions);
        threads = b.threads;
    }

    /**
     * @throws IllegalArgumentException if the URL's scheme is not {@code ws} or {@code wss}, or it has no host
     * @throws NullPointerException if {@code uri} is null
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /** {@code ws://host:port/path} or {@code wss://...}. */
    public URI uri() {
        return uri;
    }

    /**
     * The URL as it may be shown: without user information, and with a query string (which may
     * hold a token) replaced by {@code ?***}.
     */
    public String displayUri() {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path + (uri.getRawQuery() == null ? "" : "?***");
    }

    /** Names threads and log lines; defaults to {@value #DEFAULT_NAME}. */
    public String name() {
        return name;
    }

    /** The handshake's headers. Their values are secrets: hand them only to the connection. */
    public Map<String, String> headers() {
        return headers;
    }

    /** How long the TCP connect plus the opening handshake may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The largest inbound (and outbound) message, in bytes; a larger inbound one closes the connection with 1009. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    public BinaryFrames binaryFrames() {
        return binaryFrames;
    }

    /** How often the connection is pinged. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How long a ping may wait for its pong before the connection counts as lost. */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    public ReconnectBackoff backoff() {
        return backoff;
    }

    /** How long a stop waits for the server's close frame after sending its own (1000). */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    public Correlation correlation() {
        return correlation;
    }

    /** How many requests may await their replies at once; one more fails at once. */
    public int maxPendingRequests() {
        return maxPendingRequests;
    }

    /** Subscriptions the service opens at start, restored on every new connection. */
    public List<SubscriptionSpec> subscriptions() {
        return subscriptions;
    }

    /** The most threads of the connection's own pool (reader, writer callbacks, timers excluded). */
    public int threads() {
        return threads;
    }

    /** Shows header names only, never their values, and the URL as {@link #displayUri()}. */
    @Override
    public String toString() {
        return "WebSocketSettings[" + name + ", " + displayUri() + ", headers " + headers.keySet()
                + " (values hidden), connectTimeout " + connectTimeout + ", maxMessageSize " + maxMessageSize
                + ", binary " + binaryFrames + ", ping " + pingInterval + "/" + pongTimeout + ", " + backoff
                + ", closeTimeout " + closeTimeout + ", subscriptions " + subscriptions.stream().map(SubscriptionSpec::name).toList()
                + "]";
    }

    /** Builds {@link WebSocketSettings}; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final URI uri;
        private String name = DEFAULT_NAME;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private BinaryFrames binaryFrames = BinaryFrames.DROP;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;
        private ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Correlation correlation = Correlation.defaults();
        private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
        private final List<SubscriptionSpec> subscriptions = new ArrayList<>();
        private int threads = DEFAULT_THREADS;

        private Builder(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("uri must be ws:// or wss://, was scheme '" + scheme + "'");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("uri must name a host");
            }
            this.uri = uri;
        }

        /** @throws IllegalArgumentException if blank or longer than 40 characters */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 40) {
                throw new IllegalArgumentException("name must be 1 to 40 characters, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * A header of the opening handshake, e.g. {@code Authorization}; its value is kept secret.
         *
         * @throws IllegalArgumentException if the name is not a token or either holds a line break
         */
        public Builder header(String headerName, String value) {
            Objects.requireNonNull(headerName, "headerName");
            Objects.requireNonNull(value, "value of header " + headerName);
            if (headerName.isEmpty() || !headerName.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                throw new IllegalArgumentException("header name must be a token, was '" + headerName + "'");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("value of header " + headerName + " must not hold a line break");
            }
            headers.put(headerName, value);
            return this;
        }

        /** @throws IllegalArgumentException if not positive */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if below 125 bytes */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 125) {
                throw new IllegalArgumentException("maxMessageSize must be >= 125 bytes, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder binaryFrames(BinaryFrames policy) {
            this.binaryFrames = Objects.requireNonNull(policy, "binaryFrames");
            return this;
        }

        /** @throws IllegalArgumentException if either is not positive */
        public Builder ping(Duration interval, Duration pongTimeout) {
            this.pingInterval = positive(interval, "pingInterval");
            this.pongTimeout = positive(pongTimeout, "pongTimeout");
            return this;
        }

        public Builder backoff(ReconnectBackoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** @throws IllegalArgumentException if not positive */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        public Builder correlation(Correlation correlation) {
            this.correlation = Objects.requireNonNull(correlation, "correlation");
            return this;
        }

        /** @throws IllegalArgumentException if below 1 */
        public Builder maxPendingRequests(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingRequests must be >= 1, was " + max);
            }
            this.maxPendingRequests = max;
            return this;
        }

        /** A subscription opened at start and restored on every new connection. */
        public Builder subscription(SubscriptionSpec spec) {
            subscriptions.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /** @throws IllegalArgumentException if below 3 (a selector, a reader and a spare) */
        public Builder threads(int threads) {
            if (threads < 3) {
                throw new IllegalArgumentException("threads must be >= 3, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** @throws IllegalArgumentException if two subscriptions share a name */
        public WebSocketSettings build() {
            Set<String> names = new HashSet<>();
            for (SubscriptionSpec spec : subscriptions) {
                if (!names.add(spec.name())) {
                    throw new IllegalArgumentException("two subscriptions are named '" + spec.name() + "'");
                }
            }
            return new WebSocketSettings(this);
        }

        private static Duration positive(Duration d, String field) {
            Objects.requireNonNull(d, field);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(field + " must be positive, was " + d);
            }
            return d;
        }
    }
}
