package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.internal.service.ManagedService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The metrics of an engine, built from its event stream and its service handles: per service
 * instance, each replica of a replicated service being one ({@link ServiceMetrics#replicaOf()}) (cold start, uptime, restarts, calls, errors, in-flight calls, latency of the node and
 * tool calls that used it) and per task, node and tool (calls, errors, retries, in-flight, p50/p95/p99).
 * Obtained from {@link Telemetry#metrics()}; {@link #snapshot()} reads them, and
 * {@code dev.flowgentic4j.workflows.telemetry.micrometer.FlowMeterBinder} exports them to Micrometer.
 * Calls count from their START: a call already under way when the metrics were switched on is
 * not counted, so in-flight counts never go negative. Recording is lock-free. Thread-safe.
 */
public final class FlowMetrics implements EventListener {
    private final Telemetry telemetry;
    private final Map<Name, Series> calls = new ConcurrentHashMap<>();
    private final Map<String, Series> byService = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> restarts = new ConcurrentHashMap<>();
    private final List<Consumer<Key>> newCallSeries = new CopyOnWriteArrayList<>();
    private final List<Consumer<ServiceFuture<?>>> newServices = new CopyOnWriteArrayList<>();

    /**
     * The identity of a task, node or tool series: its kind and name, and the flow type its first
     * completed call had (a node learns its flow type from what it runs).
     */
    public record Key(CallEvent.Kind kind, String name, FlowType flowType) {}

    private record Name(CallEvent.Kind kind, String name) {}

    /** Counters of one series; lock-free. */
    private static final class Series {
        final AtomicReference<Key> key = new AtomicReference<>(); // set by the first END
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder retries = new LongAdder();
        final AtomicLong inFlight = new AtomicLong();
        final LatencyHistogram latency = new LatencyHistogram();
        final Set<Long> open = ConcurrentHashMap.newKeySet(); // calls whose START was seen and END not yet

        void end(CallEvent e) {
            inFlight.decrementAndGet();
            calls.increment();
            if (e.failed()) {
                errors.increment();
            }
            if (e.refused()) {
                refused.increment();
            }
            retries.add(Math.max(0, e.attempt() - 1));
            latency.record(e.duration().toNanos());
        }
    }

    FlowMetrics(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public void onEvent(FlowEvent event) {
        if (event instanceof CallEvent e) {
            Series series = calls.computeIfAbsent(new Name(e.kind(), e.name()), n -> new Series());
            if (e.phase() == CallEvent.Phase.START) {
                series.open.add(e.callId());
                series.inFlight.incrementAndGet();
            } else {
                if (!series.open.remove(e.callId())) {
                    return; // its START came before these metrics were on: not counted at all
                }
                series.end(e);
                if (series.key.get() == null) {
                    Key key = new Key(e.kind(), e.name(), e.flowType());
                    if (series.key.compareAndSet(null, key)) {
                        newCallSeries.forEach(c -> c.accept(key));
                    }
                }
                if (e.serviceId() != null) { // a replica's calls count on the replica, its own series
                    Series s = byService.computeIfAbsent(e.replica() != null ? e.replica() : e.serviceId(),
                            id -> new Series());
                    s.inFlight.incrementAndGet(); // balanced by end(): in-flight of a service comes from its handle
                    s.end(e);
                }
            }
        } else if (event instanceof ServiceEvent e) {
            if (e.type() == ServiceEvent.Type.RESTARTED || e.type() == ServiceEvent.Type.SWITCHED) {
                restarts.computeIfAbsent(e.serviceId(), id -> new LongAdder()).increment();
            } else if (e.type() == ServiceEvent.Type.STARTING && !newServices.isEmpty()) {
                for (ServiceFuture<?> service : telemetry.services()) {
                    if (service.id().equals(e.serviceId())) {
                        newServices.forEach(c -> c.accept(service));
                    }
                }
            }
        }
    }

    /** The metrics now. */
    public MetricsSnapshot snapshot() {
        List<ServiceMetrics> services = new ArrayList<>();
        for (ServiceFuture<?> service : telemetry.services()) {
            services.add(service(service));
        }
        List<CallMetrics> callMetrics = new ArrayList<>();
        calls.forEach((name, s) -> {
            Key key = s.key.get();
            if (key != null) {
                callMetrics.add(call(key));
            }
        });
        callMetrics.sort((a, b) -> (a.kind() + a.name()).compareTo(b.kind() + b.name()));
        return new MetricsSnapshot(services, callMetrics);
    }

    /** The metrics of one service instance now. */
    public ServiceMetrics service(ServiceFuture<?> service) {
        Objects.requireNonNull(service, "service");
        Series s = byService.get(service.id());
        LongAdder r = restarts.get(service.id());
        return new ServiceMetrics(service.name(), service.id(), service.state(), service.health().state(),
                service.generation(), service.startupDuration().orElse(Duration.ZERO), service.uptime(),
                r == null ? 0 : r.sum(), service.callCount(), service.failedCallCount(), service.refusedCallCount(),
                service.inFlightCalls(),
                s == null ? Latency.NONE : s.latency.summary(),
                service instanceof ManagedService<?, ?> m ? m.replicaOf() : null);
    }

    /** The metrics of one task, node or tool series now, or empty counters if it never ran. */
    public CallMetrics call(Key key) {
        Series s = calls.get(new Name(key.kind(), key.name()));
        if (s == null) {
            return new CallMetrics(key.kind(), key.name(), key.flowType(), 0, 0, 0, 0, 0, Latency.NONE);
        }
        return new CallMetrics(key.kind(), key.name(), key.flowType(), s.calls.sum(), s.errors.sum(),
                s.refused.sum(), s.retries.sum(), s.inFlight.get(), s.latency.summary());
    }

    /** Every service instance of the engine, in start order. */
    public List<ServiceFuture<?>> services() {
        return telemetry.services();
    }

    /** The task, node and tool series seen so far. */
    public List<Key> callKeys() {
        return calls.values().stream().map(s -> s.key.get()).filter(Objects::nonNull).toList();
    }

    /**
     * Tells {@code onNewCall} of every new task, node or tool series and {@code onNewService} of every
     * service that starts from now on (exporters register their meters there).
     */
    public void onNewSeries(Consumer<Key> onNewCall, Consumer<ServiceFuture<?>> onNewService) {
        newCallSeries.add(Objects.requireNonNull(onNewCall, "onNewCall"));
        newServices.add(Objects.requireNonNull(onNewService, "onNewService"));
    }
}
