package dev.flowgentic4j.spring;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.spring.FlowgenticProperties.ServiceProperties;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.telemetry.FlowMetrics;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The services of the application context: one per {@code ServiceDefinition} bean, {@code NoArgServiceTask}
 * bean or {@code ServiceTask<Void, S>} bean, each with its
 * injectable {@link ServiceFuture}. Starts the eager ones when the context starts, holds the start-up
 * until the required ones are RUNNING (failing it, with the cause, if one fails), and keeps Boot's
 * readiness state in step with them afterwards: REFUSING_TRAFFIC while a required service is not
 * RUNNING or reports UNHEALTHY, ACCEPTING_TRAFFIC again when all are. Thread-safe.
 *
 * <pre>{@code
 * @Autowired FlowgenticServices services;
 * services.future("faq").state();   // RUNNING
 * services.restart("faq");          // a new instance behind the same injected handle
 * }</pre>
 */
public final class FlowgenticServices {
    private static final Logger log = LoggerFactory.getLogger(FlowgenticServices.class);

    private final ExecutionWrappers wrappers;
    private final Telemetry telemetry;
    private final FlowMetrics metrics;
    private final FlowgenticProperties properties;
    private final ApplicationEventPublisher publisher;
    private final Map<String, ManagedServiceFuture<?>> byName = new LinkedHashMap<>(); // guarded by itself
    private final Map<String, ManagedServiceFuture<?>> byBean = new LinkedHashMap<>(); // guarded by byName
    private final Object readinessLock = new Object();
    private volatile boolean applicationReady;  // Boot said ACCEPTING_TRAFFIC and is not shutting down
    private Boolean published;                  // guarded by readinessLock: our last verdict

    FlowgenticServices(ExecutionWrappers wrappers, Telemetry telemetry, FlowgenticProperties properties,
            ApplicationEventPublisher publisher) {
        this.wrappers = wrappers;
        this.telemetry = telemetry;
        this.metrics = telemetry.metrics();
        this.properties = properties;
        this.publisher = publisher;
    }

    /** The names of the services, in the order their beans were created. */
    public List<String> names() {
        synchronized (byName) {
            return List.copyOf(byName.keySet());
        }
    }

    /**
     * The handle of the service named {@code name} (the name its {@code ServiceDefinition} carries).
     *
     * @throws IllegalArgumentException if there is no such service, naming those there are
     */
    public ServiceFuture<?> future(String name) {
        return managed(name);
    }

    /** Whether the service is required: the application is ready only while it is RUNNING and not UNHEALTHY. */
    public boolean isRequired(String name) {
        return managed(name).required();
    }

    /** Whether the service starts at its first use rather than with the context. */
    public boolean isLazy(String name) {
        return managed(name).lazy();
    }

    /**
     * Restarts the service behind the same handle (the injected {@code ServiceFuture} keeps working):
     * a RUNNING service through the engine's {@link ServiceFuture#restart()} (the next generation is
     * cold-started while the live one serves, and takes over once RUNNING; returns then, waiting at
     * most {@code flowgentic4j.startup-timeout}); a FAILED or stopped one by a new start of its task.
     *
     * @throws IllegalArgumentException if there is no such service
     * @throws IllegalStateException if the context is closing
     */
    public ServiceFuture<?> restart(String name) {
        ManagedServiceFuture<?> service = managed(name);
        log.info("restarting service '{}' (generation {}, {})", service.name(), service.generation(), service.state());
        if (service.state() != ServiceState.RUNNING) {
            service.replaceInstance(); // FAILED or stopped: a new start of its task behind the same handle
            return service;
        }
        Duration timeout = properties.getStartupTimeout();
        try {
            service.restart().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("restart of service '" + name + "' failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("restart of service '" + name + "' did not finish within "
                    + "flowgentic4j.startup-timeout (" + timeout + "); it goes on", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting service '" + name + "'", e);
        }
        return service;
    }

    /**
     * What one service is doing now, as the Actuator endpoint lists it.
     *
     * @param restarts supervised restarts (after a failed health check) plus restarts through {@link #restart}
     * @param uptime how long the live instance has been up
     */
    public record ServiceInfo(String name, String id, ServiceState state, HealthStatus.State health, int generation,
                              Duration uptime, long calls, long failedCalls, int inFlightCalls, long restarts,
                              boolean required, boolean lazy, boolean restarting) {}

    /**
     * What the service named {@code name} is doing now.
     *
     * @throws IllegalArgumentException if there is no such service
     */
    public ServiceInfo info(String name) {
        ManagedServiceFuture<?> s = managed(name);
        long supervised = s.delegate().map(f -> metrics.service(f).restarts()).orElse(0L);
        return new ServiceInfo(s.name(), s.id(), s.state(), s.health().state(), s.generation(), s.uptime(),
                s.callCount(), s.failedCallCount(), s.inFlightCalls(), supervised + s.manualRestarts(),
                s.required(), s.lazy(), s.isRestarting());
    }

    /** Whether every required eager service is RUNNING and not UNHEALTHY. */
    public boolean allRequiredUp() {
        for (ManagedServiceFuture<?> s : all()) {
            if (s.required() && !s.lazy() && !isUp(s)) {
                return false;
            }
        }
        return true;
    }

    static boolean isUp(ServiceFuture<?> s) {
        // a restart keeps the service RUNNING: the live generation serves until the next one takes over
        return s.state() == ServiceState.RUNNING && s.health().state() != HealthStatus.State.UNHEALTHY;
    }

    List<ManagedServiceFuture<?>> all() {
        synchronized (byName) {
            return new ArrayList<>(byName.values());
        }
    }

    ManagedServiceFuture<?> managed(String name) {
        synchronized (byName) {
            ManagedServiceFuture<?> s = byName.get(name);
            if (s == null) {
                throw new IllegalArgumentException("no service named '" + name + "' in this application (services: "
                        + String.join(", ", byName.keySet()) + ")");
            }
            return s;
        }
    }

    /** The handle of the service declared by bean {@code beanName}, registering it on first request. */
    ServiceFuture<?> futureOfBean(String beanName, ServiceDefinition<?, ?> definition, Class<?> type) {
        synchronized (byName) {
            ManagedServiceFuture<?> existing = byBean.get(beanName);
            if (existing != null) {
                return existing;
            }
            ServiceProperties props = properties.getServices().getOrDefault(definition.name(), new ServiceProperties());
            ServiceDefinition<?, ?> effective = withProperties(definition, props,
                    "flowgentic4j.services." + definition.name() + ".");
            ServiceTask<?, ?> task = wrappers.serviceTask(effective);
            ManagedServiceFuture<?> managed = new ManagedServiceFuture<>(beanName, task, telemetry,
                    props.isRequired(), props.isLazy(), type, this::serviceChanged);
            byName.put(definition.name(), managed);
            byBean.put(beanName, managed);
            return managed;
        }
    }

    /**
     * The handle of the service declared by the task bean {@code beanName} (a {@code ServiceTask<Void, S>}
     * or a {@code NoArgServiceTask<S>}), registering it on first request. The task was registered with
     * its definition already, so of the per-service properties only {@code required} and {@code lazy}
     * apply to it; any other one set fails, naming it.
     *
     * @throws IllegalArgumentException if a per-service property other than required or lazy is set
     */
    ServiceFuture<?> futureOfTaskBean(String beanName, ServiceTask<?, ?> task, Class<?> type) {
        synchronized (byName) {
            ManagedServiceFuture<?> existing = byBean.get(beanName);
            if (existing != null) {
                return existing;
            }
            ServiceProperties props = properties.getServices().getOrDefault(task.name(), new ServiceProperties());
            List<String> set = definitionSettings(props);
            if (!set.isEmpty()) {
                throw new IllegalArgumentException("invalid settings under flowgentic4j.services." + task.name()
                        + ": " + String.join(", ", set) + " cannot apply to service '" + task.name()
                        + "' declared by the task bean '" + beanName + "' (its definition is fixed when the task is"
                        + " registered; only required and lazy apply): declare a ServiceDefinition bean instead");
            }
            ManagedServiceFuture<?> managed = new ManagedServiceFuture<>(beanName, task, telemetry,
                    props.isRequired(), props.isLazy(), type, this::serviceChanged);
            byName.put(task.name(), managed);
            byBean.put(beanName, managed);
            return managed;
        }
    }

    /** The per-service properties set that shape a definition (all but required, lazy and tools). */
    static List<String> definitionSettings(ServiceProperties p) {
        List<String> set = new ArrayList<>();
        if (p.getMaxConcurrentCalls() != null) {
            set.add("max-concurrent-calls");
        }
        if (p.getCallWaitTimeout() != null) {
            set.add("call-wait-timeout");
        }
        if (p.getStopTimeout() != null) {
            set.add("stop-timeout");
        }
        if (p.getHealthInterval() != null) {
            set.add("health-interval");
        }
        if (!p.getRetry().isEmpty()) {
            set.add("retry");
        }
        if (p.getRestart().getPolicy() != null) {
            set.add("restart");
        }
        return set;
    }

    /** {@code task} as a {@code ServiceTask<Void, S>}: {@code start(null)} is its {@code start()}. */
    static <S> ServiceTask<Void, S> asTask(NoArgServiceTask<S> task) {
        return new ServiceTask<>() {
            @Override
            public String name() {
                return task.name();
            }

            @Override
            public ServiceFuture<S> start(Void args) {
                return task.start();
            }

            @Override
            public List<ServiceFuture<S>> instances() {
                return task.instances();
            }

            @Override
            public void addListener(dev.flowgentic4j.workflows.ServiceListener listener,
                    java.util.concurrent.Executor executor) {
                task.addListener(listener, executor);
            }
        };
    }

    /** Starts every eager service, in bean order. */
    void startEager() {
        for (ManagedServiceFuture<?> s : all()) {
            if (!s.lazy()) {
                s.started();
            }
        }
    }

    /**
     * Waits for every required eager service to be RUNNING.
     *
     * @throws ServiceStartupException naming the first that failed, with its cause, or that was not
     *     RUNNING within {@code timeout}
     */
    void awaitRequired(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ManagedServiceFuture<?> s : all()) {
            if (!s.required() || s.lazy()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                s.awaitRunning(Duration.ofNanos(Math.max(left, 1)));
            } catch (ServiceFailedException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new ServiceStartupException("required service '" + s.name() + "' (bean '" + s.beanName()
                        + "') failed to start: " + cause, e);
            } catch (TimeoutException e) {
                throw new ServiceStartupException("required service '" + s.name() + "' (bean '" + s.beanName()
                        + "') was not RUNNING within flowgentic4j.startup-timeout (" + timeout + "); it is "
                        + s.state(), e);
            } catch (CancellationException e) {
                throw new ServiceStartupException("required service '" + s.name() + "' was stopped during start-up", e);
            }
        }
    }

    /** Marks every handle closed, so no lazy service starts once the context is closing. */
    void close() {
        applicationReady = false;
        for (ManagedServiceFuture<?> s : all()) {
            s.close();
        }
    }

    /** Boot's own readiness changed (ACCEPTING_TRAFFIC after start-up, REFUSING_TRAFFIC at shutdown). */
    void bootReadinessChanged(ReadinessState state) {
        applicationReady = state == ReadinessState.ACCEPTING_TRAFFIC;
        synchronized (readinessLock) {
            published = applicationReady ? Boolean.TRUE : null;
        }
        if (applicationReady) {
            evaluateReadiness();
        }
    }

    /**
     * Called on the engine's threads (a health check's verdict comes on its timer): the readiness
     * event, whose listeners are the application's code, is published from the common pool instead.
     * Each evaluation reads the services' state when it runs, so the last one publishes the last state.
     */
    private void serviceChanged() {
        if (applicationReady) {
            CompletableFuture.runAsync(this::evaluateReadiness);
        }
    }

    private void evaluateReadiness() {
        synchronized (readinessLock) {
            boolean up = allRequiredUp();
            if (!applicationReady || (published != null && published == up)) {
                return;
            }
            published = up;
            log.info(up ? "every required service is RUNNING: the application accepts traffic again"
                    : "a required service is not RUNNING or is UNHEALTHY: the application refuses traffic");
            AvailabilityChangeEvent.publish(publisher, this,
                    up ? ReadinessState.ACCEPTING_TRAFFIC : ReadinessState.REFUSING_TRAFFIC);
        }
    }

    /** {@code definition} with the properties that are set in place of its own values. */
    static <A, S> ServiceDefinition<A, S> withProperties(ServiceDefinition<A, S> d, ServiceProperties p, String prefix) {
        try {
            ServiceDefinition.Builder<A, S> b = ServiceDefinition.builder(d.name(), d.initializer());
            d.stopper().ifPresent(b::stop);
            d.readiness().ifPresent(b::readiness);
            Optional<RetryConfig> retry = d.retry();
            if (!p.getRetry().isEmpty()) {
                RetryConfig.Builder rb = retry.orElse(RetryConfig.ofDefaults()).toBuilder();
                FlowgenticProperties.Retry r = p.getRetry();
                if (r.getMaxAttempts() != null) {
                    rb.maxAttempts(r.getMaxAttempts());
                }
                if (r.getBaseDelay() != null) {
                    rb.baseDelay(r.getBaseDelay());
                }
                if (r.getMaxDelay() != null) {
                    rb.maxDelay(r.getMaxDelay());
                }
                if (r.getAttemptTimeout() != null) {
                    rb.attemptTimeout(r.getAttemptTimeout());
                }
                retry = Optional.of(rb.build());
            }
            retry.ifPresent(b::retry);
            Duration stopTimeout = p.getStopTimeout() != null ? p.getStopTimeout() : d.stopTimeout().orElse(null);
            if (stopTimeout != null) {
                b.stopTimeout(stopTimeout);
            }
            Optional<HealthConfig<S>> health = d.health();
            if (p.getHealthInterval() != null) {
                HealthConfig<S> h = health.orElseThrow(() -> new IllegalArgumentException(
                        "health-interval is set but service '" + d.name() + "' has no health check"));
                health = Optional.of(HealthConfig.<S>builder(h.check()).interval(p.getHealthInterval())
                        .timeout(h.timeout()).failureThreshold(h.failureThreshold()).build());
            }
            health.ifPresent(b::health);
            FlowgenticProperties.Restart r = p.getRestart();
            RestartPolicy policy = d.restartPolicy();
            if (r.getPolicy() == FlowgenticProperties.RestartMode.NEVER) {
                policy = RestartPolicy.never();
            } else if (r.getPolicy() == FlowgenticProperties.RestartMode.ON_FAILURE) {
                policy = RestartPolicy.onFailure(r.getMaxRestarts(), r.getWindow(), r.getBackoff());
            }
            b.restartPolicy(policy);
            int max = p.getMaxConcurrentCalls() != null ? p.getMaxConcurrentCalls() : d.maxConcurrentCalls();
            Duration wait = p.getCallWaitTimeout() != null ? p.getCallWaitTimeout() : d.callWaitTimeout();
            if (max > 0) {
                b.maxConcurrentCalls(max, wait);
            } else if (p.getCallWaitTimeout() != null) {
                throw new IllegalArgumentException("call-wait-timeout needs max-concurrent-calls");
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid settings under " + prefix.substring(0, prefix.length() - 1)
                    + ": " + e.getMessage(), e);
        }
    }
}
