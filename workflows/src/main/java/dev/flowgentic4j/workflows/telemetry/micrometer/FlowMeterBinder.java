package dev.flowgentic4j.workflows.telemetry.micrometer;

import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallMetrics;
import dev.flowgentic4j.workflows.telemetry.FlowMetrics;
import dev.flowgentic4j.workflows.telemetry.ServiceMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Exports an engine's {@link FlowMetrics} to a Micrometer registry: per task, node and tool
 * ({@code flowgentic4j.calls}, {@code .call.errors}, {@code .call.retries}, {@code .calls.in.flight},
 * {@code .call.latency} with a {@code quantile} tag of 0.5, 0.95 and 0.99; tags {@code kind},
 * {@code name}, {@code flow_type}) and per service instance ({@code flowgentic4j.service.cold.start},
 * {@code .uptime}, {@code .restarts}, {@code .calls}, {@code .call.errors}, {@code .calls.in.flight},
 * {@code .generation}, {@code .running}; tags {@code service}, {@code service_id} and {@code replica}: for
 * a replica of a replicated service, {@code service_id} is the handle's id and {@code replica} the
 * replica's own id ({@code name#n-rK}, made by the engine, so the tag's values are bounded by the
 * replicas started), otherwise {@code replica} is {@value #NONE}). Series that appear
 * later (a new tool, a new service) are registered when they do. Meters read the live metrics when
 * scraped. Needs {@code io.micrometer:micrometer-core} (an optional dependency of this module: this
 * class is the only one that touches it, so without it nothing else breaks).
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * new FlowMeterBinder(integration.telemetry().metrics()).bindTo(registry);
 * }</pre>
 */
public final class FlowMeterBinder implements MeterBinder {
    /** The {@code replica} tag of an instance that is not a replica. */
    public static final String NONE = "none";

    private final FlowMetrics metrics;

    /** @throws NullPointerException if {@code metrics} is null */
    public FlowMeterBinder(FlowMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        metrics.onNewSeries(key -> bindCall(registry, key), service -> bindService(registry, service));
        metrics.callKeys().forEach(key -> bindCall(registry, key));
        metrics.services().forEach(service -> bindService(registry, service)); // registering twice is harmless
    }

    private void bindCall(MeterRegistry registry, FlowMetrics.Key key) {
        Tags tags = Tags.of("kind", key.kind().name().toLowerCase(), "name", key.name(),
                "flow_type", key.flowType().name());
        Function<FlowMetrics.Key, CallMetrics> read = metrics::call;
        FunctionCounter.builder("flowgentic4j.calls", key, k -> read.apply(k).calls())
                .tags(tags).description("calls that ended").register(registry);
        FunctionCounter.builder("flowgentic4j.call.errors", key, k -> read.apply(k).errors())
                .tags(tags).description("calls that failed").register(registry);
        FunctionCounter.builder("flowgentic4j.call.refused", key, k -> read.apply(k).refused())
                .tags(tags).description("calls refused before they reached a service (busy or unavailable)")
                .register(registry);
        FunctionCounter.builder("flowgentic4j.call.retries", key, k -> read.apply(k).retries())
                .tags(tags).description("attempts beyond the first").register(registry);
        Gauge.builder("flowgentic4j.calls.in.flight", key, k -> read.apply(k).inFlight())
                .tags(tags).description("calls started and not ended").register(registry);
        quantile(registry, "flowgentic4j.call.latency", key, tags, "0.5", k -> read.apply(k).latency().p50());
        quantile(registry, "flowgentic4j.call.latency", key, tags, "0.95", k -> read.apply(k).latency().p95());
        quantile(registry, "flowgentic4j.call.latency", key, tags, "0.99", k -> read.apply(k).latency().p99());
    }

    private void bindService(MeterRegistry registry, ServiceFuture<?> service) {
        String replicaOf = metrics.service(service).replicaOf();
        // a replica: service_id is its handle's (sum over replicas by it), replica its own engine-made id
        // (name#n-rK: bounded by the replicas started); any other instance: replica="none"
        Tags tags = replicaOf == null ? Tags.of("service", service.name(), "service_id", service.id(), "replica", NONE)
                : Tags.of("service", service.name(), "service_id", replicaOf, "replica", service.id());
        Function<ServiceFuture<?>, ServiceMetrics> read = metrics::service;
        TimeGauge.builder("flowgentic4j.service.cold.start", service, TimeUnit.NANOSECONDS,
                s -> read.apply(s).coldStart().toNanos()).tags(tags).register(registry);
        TimeGauge.builder("flowgentic4j.service.uptime", service, TimeUnit.NANOSECONDS,
                s -> s.uptime().toNanos()).tags(tags).register(registry);
        FunctionCounter.builder("flowgentic4j.service.restarts", service, s -> read.apply(s).restarts())
                .tags(tags).register(registry);
        FunctionCounter.builder("flowgentic4j.service.calls", service, ServiceFuture::callCount)
                .tags(tags).register(registry);
        FunctionCounter.builder("flowgentic4j.service.call.errors", service, ServiceFuture::failedCallCount)
                .tags(tags).register(registry);
        FunctionCounter.builder("flowgentic4j.service.calls.refused", service, ServiceFuture::refusedCallCount)
                .tags(tags).register(registry);
        Gauge.builder("flowgentic4j.service.calls.in.flight", service, ServiceFuture::inFlightCalls)
                .tags(tags).register(registry);
        Gauge.builder("flowgentic4j.service.generation", service, ServiceFuture::generation)
                .tags(tags).register(registry);
        Gauge.builder("flowgentic4j.service.running", service, s -> s.isRunning() ? 1 : 0)
                .tags(tags).description("1 while RUNNING").register(registry);
    }

    private static <T> void quantile(MeterRegistry registry, String name, T key, Tags tags, String q,
                                     Function<T, Duration> value) {
        ToDoubleFunction<T> nanos = k -> value.apply(k).toNanos();
        TimeGauge.builder(name, key, TimeUnit.NANOSECONDS, nanos).tags(tags.and("quantile", q)).register(registry);
    }
}
