package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceMetrics;
import dev.flowgentic4j.workflows.telemetry.micrometer.FlowMeterBinder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The instance that served a call ({@link CallContext}: handle, replica, generation), the call
 * events that carry it, the blue/green service events and the per-replica metrics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallContextTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static EngineConfig config() {
        return EngineConfig.builder().serviceRetry(Fakes.fastRetry(1)).stopTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void the_context_names_the_generation_that_serves_the_call_even_when_a_switch_comes_in_between() throws Exception {
        try (FlowEngine engine = FlowEngine.create(config());
             EventRecorder recorder = engine.telemetry().record()) {
            engine.telemetry().metrics(); // counting from here
            ServiceFuture<Fakes.Counter> service = engine.serviceTask(ServiceDefinition
                    .builder("db", Fakes.Counter::new).maxConcurrentCalls(1, WAIT).build()).start("a");
            service.join();
            assertThat(CallContext.current()).isEmpty();

            // a call holds the only slot on generation 1
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<CallContext> first = CompletableFuture.supplyAsync(() -> service.call(WAIT, c -> {
                inside.countDown();
                release.await();
                return CallContext.current().orElseThrow();
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            // a second call begins while generation 1 is live: what the caller sees before the call
            int seenBefore = service.generation();
            CallSpan span = engine.telemetry().beginCall(CallEvent.Kind.TOOL, "lookup", FlowType.AGENT_TOOL_AS_SERVICE,
                    service.id(), seenBefore);
            CompletableFuture<Integer> second = service.callAsync(WAIT, c -> {
                span.servedBy(FlowType.AGENT_TOOL_AS_SERVICE, CallContext.current());
                return c.increment();
            });
            second.whenComplete((v, e) -> span.end(e));
            assertThat(second).isNotDone(); // waiting for the slot

            // blue/green: generation 2 takes new calls while the call on generation 1 drains
            assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(new CallContext(service.id(), null, 1));
            second.get(10, TimeUnit.SECONDS);

            assertThat(seenBefore).isEqualTo(1);
            CallEvent end = recorder.events().stream().filter(e -> e instanceof CallEvent c
                    && c.phase() == CallEvent.Phase.END).map(e -> (CallEvent) e).findFirst().orElseThrow();
            assertThat(end.generation()).as("the generation that served it, not the one seen before").isEqualTo(2);
            assertThat(end.serviceId()).isEqualTo(service.id());
            assertThat(end.replica()).isNull();
            assertThat(end.toJson()).contains("\"generation\":2", "\"replica\":null");
            assertThat(CallContext.current()).isEmpty(); // restored after each call

            // the blue/green events: replacing generation 1, switched to 2, generation 1 drained
            assertThat(eventually(WAIT, () -> types(recorder.events()).contains(ServiceEvent.Type.DRAINED))).isTrue();
            List<String> told = recorder.events().stream().filter(e -> e instanceof ServiceEvent)
                    .map(e -> (ServiceEvent) e).filter(e -> e.type() != ServiceEvent.Type.HEALTH_CHANGED)
                    .map(e -> e.type() + " g" + e.generation()).toList();
            assertThat(told).containsSubsequence("RUNNING g1", "REPLACING g1", "SWITCHED g2", "DRAINED g1")
                    .doesNotContain("RESTARTING g1", "RESTARTED g2");
            ServiceEvent drained = recorder.events().stream().filter(e -> e instanceof ServiceEvent s
                    && s.type() == ServiceEvent.Type.DRAINED).map(e -> (ServiceEvent) e).findFirst().orElseThrow();
            assertThat(drained.duration()).isPositive(); // the call on generation 1 held it until released
            assertThat(drained.detail()).startsWith("generation 1 stopped; drained within its deadline of PT1S");
            assertThat(engine.telemetry().metrics().service(service).restarts()).isEqualTo(1);
        }
    }

    @Test
    void a_drain_cut_short_by_its_deadline_says_so_with_the_calls_left() throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(Fakes.fastRetry(1))
                .stopTimeout(Duration.ofMillis(400)).build());
             EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Fakes.Counter> service = engine.serviceTask("slow", Fakes.Counter::new).start("a");
            service.join();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> stuck = CompletableFuture.supplyAsync(() -> {
                try {
                    return service.call(WAIT, c -> {
                        inside.countDown();
                        release.await(); // longer than the drain deadline of 200 ms
                        return null;
                    });
                } catch (RuntimeException e) {
                    return e;
                }
            });
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            service.restart().get(10, TimeUnit.SECONDS);
            assertThat(eventually(WAIT, () -> types(recorder.events()).contains(ServiceEvent.Type.DRAINED))).isTrue();
            release.countDown();
            stuck.get(10, TimeUnit.SECONDS);
            ServiceEvent drained = recorder.events().stream().filter(e -> e instanceof ServiceEvent s
                    && s.type() == ServiceEvent.Type.DRAINED).map(e -> (ServiceEvent) e).findFirst().orElseThrow();
            assertThat(drained.generation()).isEqualTo(1);
            assertThat(drained.detail()).contains("drain deadline PT0.2S reached with 1 call(s) still on it");
        }
    }

    @Test
    void calls_through_replicas_name_the_replica_and_its_generation_and_metrics_are_per_replica() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (FlowEngine engine = FlowEngine.create(config());
             EventRecorder recorder = engine.telemetry().record()) {
            new FlowMeterBinder(engine.telemetry().metrics()).bindTo(registry);
            ServiceFuture<Fakes.Counter> single = engine.serviceTask("single", Fakes.Counter::new).start("s");
            ServiceFuture<Fakes.Counter> service = engine.serviceTask(ServiceDefinition
                    .builder("pool", Fakes.Counter::new).replicas(2).build()).start("p");
            assertThat(eventually(WAIT, () -> service.replicas().stream().allMatch(ServiceFuture::isRunning))).isTrue();
            single.join();
            List<String> replicaIds = service.replicas().stream().map(ServiceFuture::id).toList();
            assertThat(replicaIds).containsExactly(service.id() + "-r1", service.id() + "-r2");

            List<CallContext> seen = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                CallSpan span = engine.telemetry().beginCall(CallEvent.Kind.TOOL, "count",
                        FlowType.AGENT_TOOL_AS_SERVICE, service.id(), service.generation());
                seen.add(service.call(WAIT, c -> {
                    span.servedBy(FlowType.AGENT_TOOL_AS_SERVICE, CallContext.current());
                    c.increment();
                    return CallContext.current().orElseThrow();
                }));
                span.end(null);
            }
            assertThat(seen).allSatisfy(c -> {
                assertThat(c.serviceId()).isEqualTo(service.id());
                assertThat(c.replica()).isIn(replicaIds);
                assertThat(c.generation()).isEqualTo(1);
                assertThat(c.instanceId()).isEqualTo(c.replica());
            });
            Map<String, Long> byReplica = seen.stream().collect(Collectors.groupingBy(CallContext::replica,
                    Collectors.counting()));
            assertThat(byReplica).containsOnlyKeys(replicaIds); // both served (ties broken by rotation)

            List<CallEvent> ends = recorder.events().stream().filter(e -> e instanceof CallEvent c
                    && c.phase() == CallEvent.Phase.END).map(e -> (CallEvent) e).toList();
            assertThat(ends).hasSize(20).allSatisfy(e -> assertThat(e.serviceId()).isEqualTo(service.id()));
            assertThat(ends.stream().map(CallEvent::replica).collect(Collectors.groupingBy(r -> r, Collectors.counting())))
                    .isEqualTo(byReplica);
            assertThat(ends.get(0).toJson()).contains("\"replica\":\"" + ends.get(0).replica() + "\"");

            // metrics: one series per replica, tagged with its handle and its own id
            for (String replica : replicaIds) {
                ServiceMetrics m = engine.telemetry().metrics().snapshot().service(replica).orElseThrow();
                assertThat(m.replicaOf()).isEqualTo(service.id());
                assertThat(m.isReplica()).isTrue();
                assertThat(m.calls()).isEqualTo(byReplica.get(replica));
                assertThat(m.latency().count()).isEqualTo(byReplica.get(replica)); // the spans it served
            }
            assertThat(engine.telemetry().metrics().service(single).replicaOf()).isNull();
            Collection<FunctionCounter> counters = registry.get("flowgentic4j.service.calls")
                    .tag("service_id", service.id()).functionCounters();
            assertThat(counters).hasSize(2);
            assertThat(counters.stream().map(c -> c.getId().getTag("replica")).toList())
                    .containsExactlyInAnyOrderElementsOf(replicaIds);
            for (FunctionCounter c : counters) {
                assertThat(c.count()).isEqualTo((double) byReplica.get(c.getId().getTag("replica")));
            }
            assertThat(registry.get("flowgentic4j.service.calls").tag("service_id", single.id())
                    .functionCounter().getId().getTag("replica")).isEqualTo(FlowMeterBinder.NONE);
        }
    }

    @RepeatedTest(3)
    void under_load_through_blue_green_restarts_every_call_names_the_generation_of_the_instance_that_ran_it()
            throws Exception {
        AtomicInteger made = new AtomicInteger();
        try (FlowEngine engine = FlowEngine.create(config())) {
            // the n-th instance made is generation n: each restart makes exactly one
            ServiceFuture<Integer> service = engine.serviceTask(ServiceDefinition
                    .builder("numbered", (String v) -> made.incrementAndGet()).build()).start("v");
            service.join();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger calls = new AtomicInteger();
            List<String> wrong = new CopyOnWriteArrayList<>();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread caller = new Thread(() -> {
                    while (!stop.get()) {
                        int seenBefore = service.generation();
                        CallContext served = service.call(WAIT, instance -> {
                            CallContext c = CallContext.current().orElseThrow();
                            if (c.generation() != instance) {
                                wrong.add("instance " + instance + " reported as generation " + c.generation());
                            }
                            return c;
                        });
                        if (served.generation() < seenBefore) {
                            wrong.add("generation " + served.generation() + " after " + seenBefore + " was seen");
                        }
                        calls.incrementAndGet();
                    }
                });
                caller.start();
                callers.add(caller);
            }
            for (int i = 0; i < 5; i++) {
                int before = calls.get();
                assertThat(eventually(WAIT, () -> calls.get() > before + 50)).isTrue();
                assertThat(service.restart().get(10, TimeUnit.SECONDS)).isEqualTo(i + 2);
            }
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(10_000);
            }
            assertThat(wrong).isEmpty();
            assertThat(made).hasValue(6);
            assertThat(service.failedCallCount()).isZero();
        }
    }

    @Test
    void outside_a_service_call_there_is_no_context_and_calls_nest() throws Exception {
        try (FlowEngine engine = FlowEngine.create(config())) {
            ServiceFuture<Fakes.Counter> outer = engine.serviceTask("outer", Fakes.Counter::new).start("o");
            ServiceFuture<Fakes.Counter> inner = engine.serviceTask("inner", Fakes.Counter::new).start("i");
            inner.join();
            List<Optional<CallContext>> seen = outer.call(WAIT, o -> {
                Optional<CallContext> before = CallContext.current();
                Optional<CallContext> nested = inner.call(WAIT, i -> CallContext.current());
                return List.of(before, nested, CallContext.current());
            });
            assertThat(seen.get(0)).get().extracting(CallContext::serviceId).isEqualTo(outer.id());
            assertThat(seen.get(1)).get().extracting(CallContext::serviceId).isEqualTo(inner.id());
            assertThat(seen.get(2)).get().extracting(CallContext::serviceId).isEqualTo(outer.id());
            assertThat(CallContext.current()).isEmpty();
        }
    }

    private static List<ServiceEvent.Type> types(List<FlowEvent> events) {
        return events.stream().filter(e -> e instanceof ServiceEvent).map(e -> ((ServiceEvent) e).type()).toList();
    }
}
