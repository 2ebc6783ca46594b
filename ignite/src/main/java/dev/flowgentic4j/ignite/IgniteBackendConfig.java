package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.spi.Checks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of an {@link IgniteBackend}'s node: where it listens, whom it discovers, where it keeps
 * its files, whether it hosts services, and how calls ride out a failover. Immutable.
 *
 * <p>The defaults make an embedded server node on loopback: discovery on {@code 127.0.0.1:47500..47509},
 * communication from port 47100, a fresh work directory under {@code java.io.tmpdir} removed on close.
 * To join an existing cluster, name its discovery addresses.
 *
 * <pre>{@code
 * IgniteBackendConfig config = IgniteBackendConfig.builder()
 *     .discoveryAddresses(List.of("127.0.0.1:47500..47509"))
 *     .callRetry(RetryConfig.builder().maxAttempts(5).build())
 *     .build();
 * }</pre>
 */
public final class IgniteBackendConfig {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_DISCOVERY_PORT = 47500;
    public static final int DEFAULT_PORT_RANGE = 10;
    public static final int DEFAULT_COMMUNICATION_PORT = 47100;
    public static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CALL_ATTEMPTS = 3;
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMillis(500);
    /** Two failed checks in a row: a single check during a failover's redeploy does not count. */
    public static final int HEALTH_FAILURE_THRESHOLD = 2;
    /** At most 3 redeploys within a minute, 100 ms after the service was found gone. */
    public static final RestartPolicy DEFAULT_RESTART_POLICY =
            RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofMillis(100));

    private final String host;
    private final int discoveryPort;
    private final int portRange;
    private final int communicationPort;
    private final List<String> discoveryAddresses;
    private final Path workDirectory;
    private final boolean hostsServices;
    private final Duration proxyTimeout;
    private final RetryConfig callRetry;
    private final Duration joinTimeout;
    private final Duration healthInterval;
    private final Duration healthTimeout;
    private final RestartPolicy restartPolicy;

    private IgniteBackendConfig(Builder b) {
        this.host = b.host;
        this.discoveryPort = b.discoveryPort;
        this.portRange = b.portRange;
        this.communicationPort = b.communicationPort;
        this.discoveryAddresses = b.discoveryAddresses != null ? b.discoveryAddresses
                : List.of(b.host + ":" + b.discoveryPort + ".." + (b.discoveryPort + b.portRange - 1));
        this.workDirectory = b.workDirectory;
        this.hostsServices = b.hostsServices;
        this.proxyTimeout = b.proxyTimeout;
        this.callRetry = b.callRetry;
        this.healthInterval = b.healthInterval;
        this.healthTimeout = b.healthTimeout;
        this.restartPolicy = b.restartPolicy;
        this.joinTimeout = b.joinTimeout;
    }

    /** An embedded server node on loopback with the default ports. */
    public static IgniteBackendConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address the node binds to (discovery and communication). */
    public String host() {
        return host;
    }

    /** The first local discovery port; the node takes the first free one of {@link #portRange()}. */
    public int discoveryPort() {
        return discoveryPort;
    }

    /** How many ports from each first port the node may try. */
    public int portRange() {
        return portRange;
    }

    /** The first local communication port. */
    public int communicationPort() {
        return communicationPort;
    }

    /** The addresses ({@code host:port} or {@code host:from..to}) the node looks for other nodes at. */
    public List<String> discoveryAddresses() {
        return discoveryAddresses;
    }

    /** The node's work directory; empty means a new one under the temp directory, removed on close. */
    public Optional<Path> workDirectory() {
        return Optional.ofNullable(workDirectory);
    }

    /** Whether services may be deployed on this node (false: the node only calls them). */
    public boolean hostsServices() {
        return hostsServices;
    }

    /** How long a call waits for its service to be deployed (again, after a failover). */
    public Duration proxyTimeout() {
        return proxyTimeout;
    }

    /**
     * How often a service call is tried when its host leaves the cluster mid-call (Ignite's
     * {@code ClusterTopologyException}, which Ignite itself does not retry). Only topology failures
     * are retried: a call is then run at least once, so calls that a failover may repeat should be
     * idempotent or keep their state in a cache.
     */
    public RetryConfig callRetry() {
        return callRetry;
    }

    /**
     * How long the node tries to join before its start fails (when no node answers at the discovery
     * addresses and the node's own address is not among them).
     */
    public Duration joinTimeout() {
        return joinTimeout;
    }

    /**
     * How often the health check of each service asks the cluster whether the service is still
     * deployed (its descriptor is there and some node hosts an instance); 1 s by default.
     */
    public Duration healthInterval() {
        return healthInterval;
    }

    /** How long one health check may take before it counts as failed; 500 ms by default. */
    public Duration healthTimeout() {
        return healthTimeout;
    }

    /**
     * What the engine does when a service is found no longer deployed (undeployed from outside, or
     * no node left to host it): by default {@link #DEFAULT_RESTART_POLICY}, a redeploy as a new
     * generation behind the same handle; {@link RestartPolicy#never()} leaves it UNHEALTHY.
     */
    public RestartPolicy restartPolicy() {
        return restartPolicy;
    }

    /** Builds an {@link IgniteBackendConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int discoveryPort = DEFAULT_DISCOVERY_PORT;
        private int portRange = DEFAULT_PORT_RANGE;
        private int communicationPort = DEFAULT_COMMUNICATION_PORT;
        private List<String> discoveryAddresses;
        private Path workDirectory;
        private boolean hostsServices = true;
        private Duration proxyTimeout = DEFAULT_PROXY_TIMEOUT;
        private RetryConfig callRetry = RetryConfig.builder().maxAttempts(DEFAULT_CALL_ATTEMPTS).build();
        private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
        private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;
        private Duration healthTimeout = DEFAULT_HEALTH_TIMEOUT;
        private RestartPolicy restartPolicy = DEFAULT_RESTART_POLICY;

        private Builder() {}

        /** @throws IllegalArgumentException if blank */
        public Builder host(String host) {
            this.host = Checks.requireName(host, "host");
            return this;
        }

        /**
         * The first local discovery port and how many ports from there the node may try; unless
         * {@link #discoveryAddresses} is set, the node also looks for others on that range.
         *
         * @throws IllegalArgumentException if the port is outside 1..65535 or the range below 1
         */
        public Builder discoveryPort(int port, int range) {
            this.discoveryPort = requirePort(port, "discoveryPort");
            this.portRange = requireRange(range);
            return this;
        }

        /** @throws IllegalArgumentException if outside 1..65535 */
        public Builder communicationPort(int port) {
            this.communicationPort = requirePort(port, "communicationPort");
            return this;
        }

        /**
         * Joins the nodes at these addresses ({@code host:port} or {@code host:from..to}).
         *
         * @throws IllegalArgumentException if empty or an address has no port
         */
        public Builder discoveryAddresses(List<String> addresses) {
            Objects.requireNonNull(addresses, "discoveryAddresses");
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("discoveryAddresses must name at least one host:port");
            }
            for (String address : addresses) {
                if (address == null || !address.matches("[^:\\s]+:\\d+(\\.\\.\\d+)?")) {
                    throw new IllegalArgumentException("discoveryAddresses: '" + address
                            + "' is not host:port or host:from..to");
                }
            }
            this.discoveryAddresses = List.copyOf(addresses);
            return this;
        }

        /** A work directory the caller owns (kept on close). */
        public Builder workDirectory(Path workDirectory) {
            this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory");
            return this;
        }

        /** Whether services may be deployed on this node; true by default. */
        public Builder hostsServices(boolean hostsServices) {
            this.hostsServices = hostsServices;
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder proxyTimeout(Duration proxyTimeout) {
            this.proxyTimeout = Checks.requirePositive(proxyTimeout, "proxyTimeout");
            return this;
        }

        /** The default retry policy of service calls whose host left the cluster; see {@link #callRetry()}. */
        public Builder callRetry(RetryConfig callRetry) {
            this.callRetry = Objects.requireNonNull(callRetry, "callRetry");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = Checks.requirePositive(joinTimeout, "joinTimeout");
            return this;
        }

        /**
         * The interval and timeout of the services' deployment health check; see {@link #healthInterval()}.
         *
         * @throws IllegalArgumentException if either is zero or negative
         */
        public Builder health(Duration interval, Duration timeout) {
            this.healthInterval = Checks.requirePositive(interval, "healthInterval");
            this.healthTimeout = Checks.requirePositive(timeout, "healthTimeout");
            return this;
        }

        /** The default restart policy of services found no longer deployed; see {@link #restartPolicy()}. */
        public Builder restartPolicy(RestartPolicy restartPolicy) {
            this.restartPolicy = Objects.requireNonNull(restartPolicy, "restartPolicy");
            return this;
        }

        public IgniteBackendConfig build() {
            return new IgniteBackendConfig(this);
        }

        private static int requirePort(int port, String name) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(name + " must be in 1..65535, was " + port);
            }
            return port;
        }

        private static int requireRange(int range) {
            if (range < 1 || range > 1000) {
                throw new IllegalArgumentException("port range must be in 1..1000, was " + range);
            }
            return range;
        }
    }
}
