package dev.flowgentic4j.workflows.telemetry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the {@link HealthEndpoint} listens and what it accepts from a client. Immutable.
 *
 * <pre>{@code
 * HealthEndpointConfig config = HealthEndpointConfig.builder()
 *         .bindAddress("0.0.0.0")          // every interface: protect it (docs/telemetry.md)
 *         .port(8081)
 *         .build();
 * HealthEndpoint endpoint = telemetry.startHealthEndpoint(config);
 * }</pre>
 */
public final class HealthEndpointConfig {
    /** 127.0.0.1: only this machine can reach the endpoint. */
    public static final InetAddress DEFAULT_BIND_ADDRESS = InetAddress.getLoopbackAddress();
    /** 0: a free port. */
    public static final int DEFAULT_PORT = 0;
    /** Time a client has to send its request line and headers, and again to read the response. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Largest request line plus headers accepted (431 beyond). */
    public static final int DEFAULT_MAX_REQUEST_HEAD_BYTES = 8 * 1024;
    /** Connections served at once; one more is closed at once. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    private final InetAddress bindAddress;
    private final int port;
    private final Duration requestTimeout;
    private final int maxRequestHeadBytes;
    private final int maxConnections;

    private HealthEndpointConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.requestTimeout = b.requestTimeout;
        this.maxRequestHeadBytes = b.maxRequestHeadBytes;
        this.maxConnections = b.maxConnections;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 127.0.0.1, a free port, the default limits. */
    public static HealthEndpointConfig ofDefaults() {
        return builder().build();
    }

    public InetAddress bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public int maxRequestHeadBytes() {
        return maxRequestHeadBytes;
    }

    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public String toString() {
        return "HealthEndpointConfig[bindAddress=" + bindAddress.getHostAddress() + ", port=" + port
                + ", requestTimeout=" + requestTimeout + ", maxRequestHeadBytes=" + maxRequestHeadBytes
                + ", maxConnections=" + maxConnections + "]";
    }

    /** Builds a {@link HealthEndpointConfig}; every setter checks its argument at once. */
    public static final class Builder {
        private InetAddress bindAddress = DEFAULT_BIND_ADDRESS;
        private int port = DEFAULT_PORT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxRequestHeadBytes = DEFAULT_MAX_REQUEST_HEAD_BYTES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;

        private Builder() {}

        /**
         * The address to listen on; the default is loopback. Anything else exposes the service list
         * and the metrics to whoever can reach that address.
         *
         * @throws NullPointerException if {@code address} is null
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /**
         * The address to listen on as an IP literal ({@code "0.0.0.0"}, {@code "10.1.2.3"}, {@code "::"}).
         * Host names are refused: binding must not depend on a name lookup.
         *
         * @throws IllegalArgumentException if {@code address} is not an IPv4 or IPv6 literal
         */
        public Builder bindAddress(String address) {
            Objects.requireNonNull(address, "bindAddress");
            String literal = address.startsWith("[") && address.endsWith("]")
                    ? address.substring(1, address.length() - 1) : address;
            boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            if (v4) {
                for (String part : literal.split("\\.")) {
                    v4 = v4 && Integer.parseInt(part) <= 255;
                }
            }
            boolean v6 = !v4 && literal.indexOf(':') >= 0 && literal.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.]+)?");
            if (!v4 && !v6) {
                throw new IllegalArgumentException("bindAddress must be an IPv4 or IPv6 address literal, was '"
                        + shorten(address) + "'");
            }
            try {
                // a valid IPv4 literal, or an IPv6 one in brackets: parsed, never looked up
                this.bindAddress = InetAddress.getByName(v4 ? literal : "[" + literal + "]");
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bindAddress is not a valid IP address: '" + shorten(address) + "'",
                        e);
            }
            return this;
        }

        /** @throws IllegalArgumentException if {@code port} is outside 0..65535 (0: a free port) */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** @throws IllegalArgumentException if {@code timeout} is not positive */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** @throws IllegalArgumentException if {@code bytes} is outside 256..1048576 */
        public Builder maxRequestHeadBytes(int bytes) {
            if (bytes < 256 || bytes > 1 << 20) {
                throw new IllegalArgumentException("maxRequestHeadBytes must be in 256..1048576, was " + bytes);
            }
            this.maxRequestHeadBytes = bytes;
            return this;
        }

        /** @throws IllegalArgumentException if {@code connections} is outside 1..10000 */
        public Builder maxConnections(int connections) {
            if (connections < 1 || connections > 10_000) {
                throw new IllegalArgumentException("maxConnections must be in 1..10000, was " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        public HealthEndpointConfig build() {
            return new HealthEndpointConfig(this);
        }

        private static String shorten(String text) {
            String flat = text.replaceAll("\\p{Cntrl}", "?");
            return flat.length() <= 60 ? flat : flat.substring(0, 59) + "…";
        }
    }
}
