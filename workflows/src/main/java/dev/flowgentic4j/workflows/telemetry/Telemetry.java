package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.Ticker;
import dev.flowgentic4j.workflows.internal.TelemetryAccess;
import dev.flowgentic4j.workflows.internal.service.ManagedService;
import dev.flowgentic4j.workflows.internal.service.ServiceObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry of one engine: a typed event stream ({@link ServiceEvent}s from every service's
 * state machine, {@link CallEvent}s for task, node and tool calls), metrics built from it, an
 * optional health endpoint, and the progress log of long cold starts. Obtained from
 * {@code FlowEngine.telemetry()} or {@code LangGraphIntegration.telemetry()}.
 *
 * <p>With no subscriber, calls publish nothing: the call path reads one volatile field. Listeners
 * run on the thread where the event happened, never under an engine lock. Thread-safe.
 *
 * <pre>{@code
 * Telemetry telemetry = integration.telemetry();
 * try (EventRecorder recorder = telemetry.record()) {
 *     graph.invoke(Map.of());
 *     recorder.events().forEach(System.out::println);
 * }
 * MetricsSnapshot metrics = telemetry.metrics().snapshot();
 * HealthEndpoint endpoint = telemetry.startHealthEndpoint(0);   // stopped by the engine's close()
 * }</pre>
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Telemetry.class);
    private static final EventListener[] NONE = new EventListener[0];

    private final TelemetryConfig config;
    private final Ticker ticker;
    private final Backend backend;
    private final Supplier<List<ServiceFuture<?>>> services;
    private final AtomicLong callIds = new AtomicLong();
    private final Object lock = new Object();                      // guards writes of listeners, metrics, endpoints
    private volatile EventListener[] listeners = NONE;             // copy on write
    private volatile FlowMetrics metrics;
    private final List<HealthEndpoint> endpoints = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    static {
        TelemetryAccess.install(new TelemetryAccess.Operations() {
            @Override
            public Telemetry create(TelemetryConfig config, Ticker ticker, Backend backend,
                                    Supplier<List<ServiceFuture<?>>> services) {
                return new Telemetry(config, ticker, backend, services);
            }

            @Override
            public void watch(Telemetry telemetry, ServiceFuture<?> service) {
                telemetry.watch(service);
            }

            @Override
            public void started(Telemetry telemetry, ServiceFuture<?> service) {
                telemetry.started(service);
            }

            @Override
            public void publish(Telemetry telemetry, FlowEvent event) {
                telemetry.publish(event);
            }
        });
    }

    /**
     * Engine use only: {@code FlowEngine} creates its telemetry (through {@link TelemetryAccess}).
     *
     * @param services every service instance of the engine, in start order
     */
    private Telemetry(TelemetryConfig config, Ticker ticker, Backend backend,
                     Supplier<List<ServiceFuture<?>>> services) {
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.services = Objects.requireNonNull(services, "services");
    }

    public TelemetryConfig config() {
        return config;
    }

    /** The engine's clock, which stamps every event. */
    public Ticker ticker() {
        return ticker;
    }

    /** Every service instance of the engine, in start order. */
    public List<ServiceFuture<?>> services() {
        return services.get();
    }

    /**
     * Adds a listener of every event from now on; closing the returned subscription removes it.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public AutoCloseable subscribe(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            EventListener[] now = listeners;
            EventListener[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = listener;
            listeners = next;
        }
        return () -> unsubscribe(listener);
    }

    private void unsubscribe(EventListener listener) {
        synchronized (lock) {
            List<EventListener> next = new ArrayList<>(Arrays.asList(listeners));
            next.remove(listener);
            listeners = next.toArray(NONE);
        }
    }

    /** Whether anyone listens; the call path checks this and does nothing more when false. */
    public boolean isActive() {
        return listeners.length != 0;
    }

    /** Hands {@code event} to every listener on this thread; a listener that throws is logged and skipped. */
    void publish(FlowEvent event) {
        for (EventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (Throwable t) {
                log.warn("telemetry listener {} threw on {}", listener, event, t);
            }
        }
    }

    /**
     * Instrumentation: publishes the START of a call and returns its span, or returns null (and does
     * nothing) when no one listens.
     */
    public CallSpan beginCall(CallEvent.Kind kind, String name, FlowType flowType, String serviceId, int generation) {
        if (listeners.length == 0) {
            return null;
        }
        return new CallSpan(this, kind, name, flowType, serviceId, generation);
    }

    long nextCallId() {
        return callIds.incrementAndGet();
    }

    /** Records every event from now on until it is closed. */
    public EventRecorder record() {
        EventRecorder recorder = new EventRecorder();
        recorder.subscription(subscribe(recorder));
        return recorder;
    }

    /**
     * The engine's metrics: created and subscribed on the first call (calls before it are not
     * counted; services are, from their handles), the same object afterwards.
     */
    public FlowMetrics metrics() {
        FlowMetrics m = metrics;
        if (m != null) {
            return m;
        }
        synchronized (lock) {
            if (metrics == null) {
                FlowMetrics created = new FlowMetrics(this);
                subscribe(created);
                metrics = created;
            }
            return metrics;
        }
    }

    /**
     * Starts the health endpoint on 127.0.0.1:{@code port} (0 picks a free port): {@code /health/live},
     * {@code /health/ready} and, with micrometer-registry-prometheus on the class path,
     * {@code /metrics}. Stopped by its {@code close()} or the engine's.
     *
     * @throws IllegalArgumentException if {@code port} is outside 0..65535
     * @throws IllegalStateException if the engine is closed
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public HealthEndpoint startHealthEndpoint(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        return startHealthEndpoint(HealthEndpointConfig.builder().port(port).build());
    }

    /**
     * Starts the health endpoint as {@code config} says (address, port, request limits). An address
     * other than loopback exposes service names and metrics: see docs/telemetry.md.
     *
     * <pre>{@code
     * telemetry.startHealthEndpoint(HealthEndpointConfig.builder().bindAddress("0.0.0.0").port(8081).build());
     * }</pre>
     *
     * @throws IllegalStateException if the engine is closed
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    public HealthEndpoint startHealthEndpoint(HealthEndpointConfig config) {
        java.util.Objects.requireNonNull(config, "config");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the engine is closed; cannot start a health endpoint");
            }
            HealthEndpoint endpoint = HealthEndpoint.start(this, config);
            endpoints.add(endpoint);
            return endpoint;
        }
    }

    boolean isClosed() {
        return closed;
    }

    void removed(HealthEndpoint endpoint) {
        endpoints.remove(endpoint);
    }

    /**
     * Engine use: follows {@code service}'s lifecycle (events, metrics, the cold-start progress log).
     * Registers a listener; call it before the cold start is submitted, then {@link #started}.
     */
    void watch(ServiceFuture<?> service) {
        if (service instanceof ManagedService<?, ?> managed) { // a ServiceObserver: hears blue/green and drains too
            managed.observe(new Watch(service)); // events are published with the transition, before waiters wake
        } else {
            service.addListener(new Watch(service), Runnable::run);
        }
    }

    /** Engine use: publishes the STARTING of a watched service and arms its progress log; no lock held. */
    void started(ServiceFuture<?> service) {
        if (isActive()) {
            publish(serviceEvent(ServiceEvent.Type.STARTING, service, null, null));
        }
        ColdStartLog progress = new ColdStartLog(service, ticker.read());
        progress.arm(config.coldStartLogThreshold());
        service.addListener(progress, Runnable::run);
    }

    private ServiceEvent serviceEvent(ServiceEvent.Type type, ServiceFuture<?> service, Duration duration,
                                      String detail) {
        return serviceEvent(type, service, service.generation(), duration, detail);
    }

    private ServiceEvent serviceEvent(ServiceEvent.Type type, ServiceFuture<?> service, int generation,
                                      Duration duration, String detail) {
        return new ServiceEvent(type, service.name(), service.id(), generation, ticker.read(), Instant.now(),
                duration, detail);
    }

    /** Stops the health endpoints (the engine calls it when it closes). Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        for (HealthEndpoint endpoint : endpoints) {
            endpoint.close();
        }
    }

    /** Turns one service's lifecycle callbacks into events. */
    private final class Watch implements ServiceObserver {
        private final ServiceFuture<?> service;

        Watch(ServiceFuture<?> service) {
            this.service = service;
        }

        private void emit(ServiceEvent.Type type, Duration duration, String detail) {
            if (isActive()) {
                publish(serviceEvent(type, service, duration, detail));
            }
        }

        @Override
        public void running(ServiceFuture<?> s) {
            emit(ServiceEvent.Type.RUNNING, s.startupDuration().orElse(null), null);
        }

        @Override
        public void stopping(ServiceFuture<?> s, ServiceState from) {
            emit(ServiceEvent.Type.STOPPING, null, from.name());
        }

        @Override
        public void terminated(ServiceFuture<?> s, ServiceState from) {
            emit(ServiceEvent.Type.TERMINATED, null, from.name());
        }

        @Override
        public void failed(ServiceFuture<?> s, ServiceState from, Throwable failure) {
            emit(ServiceEvent.Type.FAILED, null, failure == null ? from.name() : failure.toString());
        }

        @Override
        public void healthChanged(ServiceFuture<?> s, HealthStatus health) {
            emit(ServiceEvent.Type.HEALTH_CHANGED, null, health.state().name());
        }

        @Override
        public void restarting(ServiceFuture<?> s, int generation, Throwable cause) {
            emit(ServiceEvent.Type.RESTARTING, null, cause == null ? null : cause.toString());
        }

        @Override
        public void restarted(ServiceFuture<?> s, int generation) {
            emit(ServiceEvent.Type.RESTARTED, null, null);
        }

        @Override
        public void instanceDied(ServiceFuture<?> s, int generation, Throwable cause) {
            if (isActive()) {
                publish(serviceEvent(ServiceEvent.Type.INSTANCE_DIED, service, generation, null,
                        dev.flowgentic4j.workflows.InstanceDiedException.bound(String.valueOf(cause))));
            }
        }

        @Override
        public void replacing(ServiceFuture<?> s, int generation, Throwable cause) {
            if (isActive()) {
                publish(serviceEvent(ServiceEvent.Type.REPLACING, service, generation, null,
                        "generation " + generation + " serves while generation " + (generation + 1) + " starts"
                                + (cause == null ? "" : "; cause: " + cause)));
            }
        }

        @Override
        public void switched(ServiceFuture<?> s, int generation) {
            if (isActive()) {
                publish(serviceEvent(ServiceEvent.Type.SWITCHED, service, generation, null,
                        "calls go to generation " + generation + "; generation " + (generation - 1) + " drains"));
            }
        }

        @Override
        public void drained(ServiceFuture<?> s, ServiceObserver.Drain drain) {
            if (isActive()) {
                publish(serviceEvent(ServiceEvent.Type.DRAINED, service, drain.generation(), drain.took(),
                        "generation " + drain.generation() + " stopped; "
                                + (drain.deadlineReached() ? "drain deadline " + drain.deadline() + " reached with "
                                        + drain.callsLeft() + " call(s) still on it"
                                        : "drained within its deadline of " + drain.deadline())
                                + (drain.stopFailure() == null ? "" : "; stop failed: " + drain.stopFailure())));
            }
        }
    }

    /**
     * The progress log of one cold start: a timer on the backend (no polling thread) fires after the
     * threshold and then once per interval while the service is still STARTING. Elapsed time is
     * read from the engine's ticker: a timer that fires before the ticker says the time is due
     * (a fake ticker in a test) waits again for the rest.
     */
    private final class ColdStartLog implements ServiceListener {
        private final ServiceFuture<?> service;
        private final long startNanos;
        private final AtomicReference<Future<?>> timer = new AtomicReference<>();
        private volatile boolean logged;
        private volatile boolean over;
        private volatile int count;     // progress lines logged: one timer at a time writes it

        ColdStartLog(ServiceFuture<?> service, long startNanos) {
            this.service = service;
            this.startNanos = startNanos;
        }

        void arm(Duration delay) {
            if (over) {
                return;
            }
            try {
                timer.set(backend.schedule(this::tick, delay));
            } catch (RejectedExecutionException e) {
                over = true; // the backend is closing: nothing more to report
            }
            if (over) {
                cancelTimer();
            }
        }

        private void tick() {
            if (over || service.state() != ServiceState.STARTING) {
                return;
            }
            long now = ticker.read();
            long due = startNanos + config.coldStartLogThreshold().toNanos()
                    + (long) count * config.coldStartLogInterval().toNanos();
            if (now < due) {
                arm(Duration.ofNanos(due - now)); // not due on the engine's clock yet
                return;
            }
            logged = true;
            count++;
            log.info("service '{}' is still starting after {} ms", service.id(), elapsedMillis());
            arm(config.coldStartLogInterval());
        }

        private long elapsedMillis() {
            return Duration.ofNanos(ticker.read() - startNanos).toMillis();
        }

        private void finish() {
            over = true;
            cancelTimer();
        }

        private void cancelTimer() {
            Future<?> t = timer.getAndSet(null);
            if (t != null) {
                t.cancel(false);
            }
        }

        @Override
        public void running(ServiceFuture<?> s) {
            finish();
            if (logged) {
                log.info("service '{}' is RUNNING; its cold start took {} ms", s.id(),
                        s.startupDuration().map(Duration::toMillis).orElse(elapsedMillis()));
            }
        }

        @Override
        public void stopping(ServiceFuture<?> s, ServiceState from) {
            finish();
        }

        @Override
        public void failed(ServiceFuture<?> s, ServiceState from, Throwable failure) {
            finish();
        }

        @Override
        public void terminated(ServiceFuture<?> s, ServiceState from) {
            finish();
        }
    }
}
