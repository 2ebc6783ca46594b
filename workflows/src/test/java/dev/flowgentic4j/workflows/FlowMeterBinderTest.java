package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.telemetry.micrometer.FlowMeterBinder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowMeterBinderTest {
    private final FlowEngine engine = FlowEngine.create(fastConfig());

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void the_binder_registers_meters_that_follow_the_engine_including_series_that_appear_later() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ServiceFuture<Fakes.Counter> before = engine.serviceTask("before", Fakes.Counter::new).start("b");
        before.join();
        new FlowMeterBinder(engine.telemetry().metrics()).bindTo(registry);

        FunctionTask<Integer, Integer> square = engine.functionTask("square", x -> {
            if (x < 0) {
                throw new IllegalArgumentException("negative");
            }
            return x * x;
        }, RetryConfig.noRetry());
        square.call(2);
        square.call(3);
        square.submit(-1).exceptionally(e -> 0).join();
        ServiceFuture<Fakes.Counter> after = engine.serviceTask("after", Fakes.Counter::new).start("a");
        after.call(java.time.Duration.ofSeconds(5), Fakes.Counter::increment);

        FunctionCounter calls = registry.get("flowgentic4j.calls").tag("name", "square").functionCounter();
        assertThat(calls.count()).isEqualTo(3);
        assertThat(registry.get("flowgentic4j.call.errors").tag("name", "square").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("flowgentic4j.calls.in.flight").tag("name", "square").gauge().value()).isZero();
        TimeGauge p99 = registry.get("flowgentic4j.call.latency").tag("name", "square").tag("quantile", "0.99").timeGauge();
        assertThat(p99.value(TimeUnit.NANOSECONDS)).isPositive();

        for (String id : new String[] {"before#1", "after#2"}) {
            assertThat(registry.get("flowgentic4j.service.cold.start").tag("service_id", id).timeGauge()
                    .value(TimeUnit.NANOSECONDS)).isPositive();
            Gauge running = registry.get("flowgentic4j.service.running").tag("service_id", id).gauge();
            assertThat(running.value()).isEqualTo(1.0);
        }
        assertThat(registry.get("flowgentic4j.service.calls").tag("service_id", "after#2").functionCounter().count())
                .isEqualTo(1);

        after.cancel(true);
        assertThat(registry.get("flowgentic4j.service.running").tag("service_id", "after#2").gauge().value()).isZero();
        square.call(4);
        assertThat(calls.count()).isEqualTo(4);    // meters read the live metrics
    }
}
