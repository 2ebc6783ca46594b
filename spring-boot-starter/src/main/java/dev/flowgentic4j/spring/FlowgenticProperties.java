package dev.flowgentic4j.spring;

import dev.flowgentic4j.workflows.BackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code flowgentic4j.*} properties: the backend, default retries and timeouts, health and
 * telemetry, and per-service settings under {@code flowgentic4j.services.NAME.*} that override what
 * a {@code ServiceDefinition} bean declares. Each setter checks its value at once, so a bad value
 * fails the start-up with a message naming the property.
 */
@ConfigurationProperties(prefix = "flowgentic4j")
public class FlowgenticProperties {

    /** The backend services and tasks run on: "local", or the name of a backend module on the classpath (e.g. "ignite"). */
    private String backend = "local";

    /** Default time one service's stop may take, at shutdown and on restart. */
    private Duration stopTimeout = Duration.ofSeconds(10);

    /** How long graph nodes and agent tools wait for their service to be RUNNING. */
    private Duration serviceReadyTimeout = Duration.ofSeconds(30);

    /** How long the context start-up waits for the required eager services to be RUNNING. */
    private Duration startupTimeout = Duration.ofSeconds(60);

    private final LocalBackend localBackend = new LocalBackend();

    private final Retry serviceRetry = new Retry();

    private final Retry taskRetry = new Retry();

    private final Health health = new Health();

    private final Telemetry telemetry = new Telemetry();

    /** Per-service settings, by service name; they override the ServiceDefinition bean's own. */
    private Map<String, ServiceProperties> services = new LinkedHashMap<>();

    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("backend must not be blank");
        }
        List<String> known = knownBackends();
        if (!known.contains(backend)) {
            throw new IllegalArgumentException("no backend named '" + backend + "' on the classpath (found: "
                    + String.join(", ", known) + ")");
        }
        this.backend = backend;
    }

    static List<String> knownBackends() {
        List<String> names = new ArrayList<>(List.of("local"));
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            names.add(provider.name());
        }
        return names;
    }

    public Duration getStopTimeout() {
        return stopTimeout;
    }

    public void setStopTimeout(Duration stopTimeout) {
        this.stopTimeout = positive(stopTimeout, "stop-timeout");
    }

    public Duration getServiceReadyTimeout() {
        return serviceReadyTimeout;
    }

    public void setServiceReadyTimeout(Duration serviceReadyTimeout) {
        this.serviceReadyTimeout = positive(serviceReadyTimeout, "service-ready-timeout");
    }

    public Duration getStartupTimeout() {
        return startupTimeout;
    }

    public void setStartupTimeout(Duration startupTimeout) {
        this.startupTimeout = positive(startupTimeout, "startup-timeout");
    }

    public LocalBackend getLocalBackend() {
        return localBackend;
    }

    /** Default start-up retry policy of services. */
    public Retry getServiceRetry() {
        return serviceRetry;
    }

    /** Default retry policy of function tasks. */
    public Retry getTaskRetry() {
        return taskRetry;
    }

    public Health getHealth() {
        return health;
    }

    public Telemetry getTelemetry() {
        return telemetry;
    }

    public Map<String, ServiceProperties> getServices() {
        return services;
    }

    public void setServices(Map<String, ServiceProperties> services) {
        this.services = services;
    }

    static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
        return value;
    }

    static Duration nonNegative(Duration value, String property) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(property + " must not be negative, was " + value);
        }
        return value;
    }

    /** Settings of the local backend (used when {@code backend} is "local"). */
    public static class LocalBackend {
        /** Most threads running work at once; unbounded when not set. */
        private Integer maxThreads;

        /** Work that may wait for a thread once max-threads are busy (needs max-threads). */
        private int queueCapacity;

        /** Run the work on virtual threads (Java 21 or newer; platform threads before). */
        private boolean virtualThreads;

        public Integer getMaxThreads() {
            return maxThreads;
        }

        public void setMaxThreads(Integer maxThreads) {
            if (maxThreads != null && maxThreads < 1) {
                throw new IllegalArgumentException("max-threads must be >= 1, was " + maxThreads);
            }
            this.maxThreads = maxThreads;
        }

        public int getQueueCapacity() {
            return queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            if (queueCapacity < 0) {
                throw new IllegalArgumentException("queue-capacity must be >= 0, was " + queueCapacity);
            }
            this.queueCapacity = queueCapacity;
        }

        public boolean isVirtualThreads() {
            return virtualThreads;
        }

        public void setVirtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
        }
    }

    /** A retry policy; unset fields keep the value they override. */
    public static class Retry {
        /** Attempts in all, the first included. */
        private Integer maxAttempts;

        /** The delay before the second attempt; it doubles for each further attempt. */
        private Duration baseDelay;

        /** The longest delay between two attempts. */
        private Duration maxDelay;

        /** How long one attempt may take before it is interrupted. */
        private Duration attemptTimeout;

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            if (maxAttempts != null && maxAttempts < 1) {
                throw new IllegalArgumentException("max-attempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
        }

        public Duration getBaseDelay() {
            return baseDelay;
        }

        public void setBaseDelay(Duration baseDelay) {
            this.baseDelay = nonNegative(baseDelay, "base-delay");
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = nonNegative(maxDelay, "max-delay");
        }

        public Duration getAttemptTimeout() {
            return attemptTimeout;
        }

        public void setAttemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = positive(attemptTimeout, "attempt-timeout");
        }

        boolean isEmpty() {
            return maxAttempts == null && baseDelay == null && maxDelay == null && attemptTimeout == null;
        }
    }

    /** Actuator health. */
    public static class Health {
        /** Contribute one health indicator per service, grouped under "flowgentic4j". */
        private boolean enabled = true;

        /** Add the required services' indicators to the readiness group ("/actuator/health/readiness"). */
        private boolean readiness = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isReadiness() {
            return readiness;
        }

        public void setReadiness(boolean readiness) {
            this.readiness = readiness;
        }
    }

    /** Telemetry. */
    public static class Telemetry {
        /** Bind the services', tasks', nodes' and tools' metrics to the application's MeterRegistry. */
        private boolean metrics = true;

        /** A cold start that takes longer than this is logged, and again at every such interval. */
        private Duration coldStartLogThreshold = Duration.ofSeconds(2);

        public boolean isMetrics() {
            return metrics;
        }

        public void setMetrics(boolean metrics) {
            this.metrics = metrics;
        }

        public Duration getColdStartLogThreshold() {
            return coldStartLogThreshold;
        }

        public void setColdStartLogThreshold(Duration coldStartLogThreshold) {
            this.coldStartLogThreshold = positive(coldStartLogThreshold, "cold-start-log-threshold");
        }
    }

    /** Settings of one service; each overrides its ServiceDefinition bean's value when set. */
    public static class ServiceProperties {
        /** Whether the application is ready only while this service is RUNNING and healthy, and fails to start if it fails. */
        private boolean required = true;

        /** Start the service at its first use instead of at context start-up. */
        private boolean lazy;

        /** Most calls through ServiceFuture.call at once. */
        private Integer maxConcurrentCalls;

        /** How long a call over max-concurrent-calls waits for a slot. */
        private Duration callWaitTimeout;

        /** How long the service's stop may take. */
        private Duration stopTimeout;

        /** Interval of the service's health check (the definition must have one). */
        private Duration healthInterval;

        /** Whether the @Tool methods of the service's type become agent tools. */
        private boolean tools = true;

        private final Retry retry = new Retry();

        private final Restart restart = new Restart();

        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }

        public boolean isLazy() {
            return lazy;
        }

        public void setLazy(boolean lazy) {
            this.lazy = lazy;
        }

        public Integer getMaxConcurrentCalls() {
            return maxConcurrentCalls;
        }

        public void setMaxConcurrentCalls(Integer maxConcurrentCalls) {
            if (maxConcurrentCalls != null && maxConcurrentCalls < 1) {
                throw new IllegalArgumentException("max-concurrent-calls must be >= 1, was " + maxConcurrentCalls);
            }
            this.maxConcurrentCalls = maxConcurrentCalls;
        }

        public Duration getCallWaitTimeout() {
            return callWaitTimeout;
        }

        public void setCallWaitTimeout(Duration callWaitTimeout) {
            this.callWaitTimeout = nonNegative(callWaitTimeout, "call-wait-timeout");
        }

        public Duration getStopTimeout() {
            return stopTimeout;
        }

        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = positive(stopTimeout, "stop-timeout");
        }

        public Duration getHealthInterval() {
            return healthInterval;
        }

        public void setHealthInterval(Duration healthInterval) {
            this.healthInterval = positive(healthInterval, "health-interval");
        }

        public boolean isTools() {
            return tools;
        }

        public void setTools(boolean tools) {
            this.tools = tools;
        }

        public Retry getRetry() {
            return retry;
        }

        public Restart getRestart() {
            return restart;
        }
    }

    /** When an unhealthy service is restarted by the engine (needs a health check). */
    public static class Restart {
        /** "never" or "on-failure"; unset keeps the definition's policy. */
        private RestartMode policy;

        /** Most restarts within the window. */
        private int maxRestarts = 3;

        /** The window the restarts are counted in. */
        private Duration window = Duration.ofMinutes(1);

        /** The pause before a restart. */
        private Duration backoff = Duration.ofMillis(200);

        public RestartMode getPolicy() {
            return policy;
        }

        public void setPolicy(RestartMode policy) {
            this.policy = policy;
        }

        public int getMaxRestarts() {
            return maxRestarts;
        }

        public void setMaxRestarts(int maxRestarts) {
            if (maxRestarts < 1) {
                throw new IllegalArgumentException("max-restarts must be >= 1, was " + maxRestarts);
            }
            this.maxRestarts = maxRestarts;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = positive(window, "window");
        }

        public Duration getBackoff() {
            return backoff;
        }

        public void setBackoff(Duration backoff) {
            this.backoff = nonNegative(backoff, "backoff");
        }
    }

    /** Restart policies a property can name. */
    public enum RestartMode {
        /** No restart: an unhealthy service stays up and reports it. */
        NEVER,
        /** A new instance when the health check fails, within max-restarts per window. */
        ON_FAILURE
    }
}
