package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallMetrics;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import dev.flowgentic4j.workflows.telemetry.TelemetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TelemetryTest {
    private FlowEngine engine = FlowEngine.create(fastConfig());

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void a_task_call_is_one_start_and_one_end_with_its_attempts_and_flow_type() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        FunctionTask<Integer, Integer> flaky = engine.functionTask("flaky", x -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
            return x * 2;
        });
        try (EventRecorder recorder = engine.telemetry().record()) {
            engine.telemetry().metrics();
            assertThat(flaky.call(21)).isEqualTo(42);

            List<FlowEvent> events = recorder.events();
            assertThat(events).hasSize(2);
            CallEvent start = (CallEvent) events.get(0);
            CallEvent end = (CallEvent) events.get(1);
            assertThat(start.phase()).isEqualTo(CallEvent.Phase.START);
            assertThat(end.phase()).isEqualTo(CallEvent.Phase.END);
            assertThat(end.callId()).isEqualTo(start.callId());
            assertThat(end.kind()).isEqualTo(CallEvent.Kind.TASK);
            assertThat(end.flowType()).isEqualTo(FlowType.FUNCTION_TASK);
            assertThat(end.attempt()).isEqualTo(3);
            assertThat(end.outcome()).isEqualTo(CallEvent.Outcome.SUCCESS);
            assertThat(end.duration()).isNotNull();
            CallMetrics metrics = engine.telemetry().metrics().snapshot().call(CallEvent.Kind.TASK, "flaky").orElseThrow();
            assertThat(metrics.calls()).isEqualTo(1);
            assertThat(metrics.retries()).isEqualTo(2);
            assertThat(metrics.errors()).isZero();
            assertThat(metrics.inFlight()).isZero();
        }
    }

    @Test
    void a_failed_task_ends_with_a_failure_naming_the_cause() {
        FunctionTask<Void, Void> broken = engine.functionTask("broken", x -> {
            throw new IllegalArgumentException("bad input");
        }, RetryConfig.noRetry());
        try (EventRecorder recorder = engine.telemetry().record()) {
            assertThatThrownBy(() -> broken.call(null)).isInstanceOf(TaskFailedException.class);
            CallEvent end = (CallEvent) recorder.events().get(1);
            assertThat(end.outcome()).isEqualTo(CallEvent.Outcome.FAILURE);
            assertThat(end.error()).contains("broken", "bad input");
        }
    }

    @Test
    void a_service_that_fails_to_start_is_starting_then_failed() {
        try (EventRecorder recorder = engine.telemetry().record()) {
            ServiceFuture<Object> doomed = engine.serviceTask(ServiceDefinition.builder("doomed", (Void v) -> {
                throw new IllegalStateException("no database");
            }).retry(fastRetry(2)).build()).start(null);
            assertThatThrownBy(doomed::join).isInstanceOf(ServiceFailedException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events().size() == 2);
            assertThat(recorder.events()).extracting(e -> ((ServiceEvent) e).type())
                    .containsExactly(ServiceEvent.Type.STARTING, ServiceEvent.Type.FAILED);
            assertThat(((ServiceEvent) recorder.events().get(1)).detail()).contains("doomed#1", "no database");
        }
    }

    @Test
    void a_supervised_restart_is_health_changed_restarting_restarted_with_the_new_generation() throws Exception {
        try (EventRecorder recorder = engine.telemetry().record()) {
            engine.telemetry().metrics();
            ServiceFuture<Fakes.Fragile> db = engine.serviceTask(ServiceDefinition.builder("db", Fakes.Fragile::new)
                    .health(HealthConfig.<Fakes.Fragile>builder(Fakes.Fragile::ping).interval(Duration.ofMillis(20)).build())
                    .restartPolicy(RestartPolicy.onFailure(1, Duration.ofMinutes(1), Duration.ZERO)).build()).start("a");
            db.join().broken.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> db.generation() == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events().stream()
                    .anyMatch(e -> e instanceof ServiceEvent s && s.type() == ServiceEvent.Type.RESTARTED));

            List<String> lifecycle = recorder.events().stream().map(e -> (ServiceEvent) e)
                    .filter(e -> e.type() != ServiceEvent.Type.HEALTH_CHANGED || "UNHEALTHY".equals(e.detail()))
                    .map(e -> e.type() + " g" + e.generation()).toList();
            assertThat(lifecycle).containsSubsequence("STARTING g0", "RUNNING g1", "HEALTH_CHANGED g1",
                    "RESTARTING g1", "RESTARTED g2");
            ServiceEvent restarted = recorder.events().stream().map(e -> (ServiceEvent) e)
                    .filter(e -> e.type() == ServiceEvent.Type.RESTARTED).findFirst().orElseThrow();
            assertThat(restarted.serviceId()).isEqualTo("db#1");
            assertThat(engine.telemetry().metrics().service(db).restarts()).isEqualTo(1);
            assertThat(engine.telemetry().metrics().service(db).generation()).isEqualTo(2);
        }
    }

    @Test
    void without_a_subscriber_nothing_is_published_and_a_throwing_listener_breaks_nothing() throws Exception {
        Telemetry telemetry = engine.telemetry();
        assertThat(telemetry.isActive()).isFalse();
        assertThat(telemetry.beginCall(CallEvent.Kind.TASK, "t", FlowType.FUNCTION_TASK, null, 0)).isNull();

        AtomicInteger heard = new AtomicInteger();
        AutoCloseable subscription = telemetry.subscribe(e -> {
            heard.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        FunctionTask<Integer, Integer> twice = engine.functionTask("twice", x -> x * 2);
        assertThat(twice.call(2)).isEqualTo(4);
        assertThat(heard.get()).isEqualTo(2);

        subscription.close();
        assertThat(telemetry.isActive()).isFalse();
        assertThat(twice.call(3)).isEqualTo(6);
        assertThat(heard.get()).isEqualTo(2);
    }

    @Test
    void a_long_cold_start_logs_its_progress_on_the_engines_timer_and_how_long_it_took() throws Exception {
        engine.close();
        engine = FlowEngine.create(EngineConfig.builder().telemetry(TelemetryConfig.builder()
                .coldStartLogThreshold(Duration.ofMillis(30)).coldStartLogInterval(Duration.ofMillis(30)).build()).build());
        withTelemetryLog(appender -> {
            CountDownLatch release = new CountDownLatch(1);
            ServiceFuture<String> slow = engine.serviceTask("slow", () -> {
                release.await(10, TimeUnit.SECONDS);
                return "ready";
            }).start();

            await().atMost(Duration.ofSeconds(10)).until(() -> messages(appender, "is still starting").size() >= 2);
            release.countDown();
            slow.join();

            await().atMost(Duration.ofSeconds(10)).until(() -> !messages(appender, "is RUNNING").isEmpty());
            assertThat(messages(appender, "is still starting").get(0)).startsWith("service 'slow#1' is still starting after");
            assertThat(messages(appender, "is RUNNING")).hasSize(1);
            int logged = messages(appender, "is still starting").size();
            assertThat(messages(appender, "is still starting")).hasSize(logged); // no more once RUNNING
        });
    }

    @Test
    void a_quick_cold_start_logs_nothing() throws Exception {
        // the progress log measures the cold start on the engine's (fake) ticker; its timer fires
        // every 20 ms of real time and looks at the ticker from a timer-action thread
        LifecycleCoreTest.FakeTicker clock = new LifecycleCoreTest.FakeTicker();
        AtomicReference<CountDownLatch> looked = new AtomicReference<>(new CountDownLatch(2));
        Ticker ticker = () -> {
            if (Thread.currentThread().getName().contains("-timed-")) {
                looked.get().countDown();
            }
            return clock.read();
        };
        engine.close();
        engine = FlowEngine.create(EngineConfig.builder().ticker(ticker).telemetry(TelemetryConfig.builder()
                .coldStartLogThreshold(Duration.ofMillis(20)).coldStartLogInterval(Duration.ofMillis(20)).build()).build());
        withTelemetryLog(appender -> {
            // quick on the engine's clock (no time at all), however long it takes in real time:
            // the log looked twice and found nothing due
            engine.serviceTask("quick", () -> {
                assertThat(looked.get().await(10, TimeUnit.SECONDS)).isTrue();
                return "ready";
            }).start().join();
            assertThat(messages(appender, "starting")).isEmpty();

            // the same cold start taking 3 s on the engine's clock is logged
            looked.set(new CountDownLatch(1));
            ServiceFuture<String> slow = engine.serviceTask("slow", () -> {
                assertThat(looked.get().await(10, TimeUnit.SECONDS)).isTrue();
                clock.advance(Duration.ofSeconds(3));
                await().atMost(Duration.ofSeconds(10)).until(() -> !messages(appender, "is still starting").isEmpty());
                return "ready";
            }).start();
            slow.join();
            assertThat(messages(appender, "is still starting").get(0))
                    .isEqualTo("service 'slow#2' is still starting after 3000 ms");
        });
    }

    @Test
    void bad_telemetry_settings_are_rejected_naming_the_field() {
        assertThatThrownBy(() -> TelemetryConfig.builder().coldStartLogThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coldStartLogThreshold");
        assertThatThrownBy(() -> engine.telemetry().startHealthEndpoint(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    }

    /** Runs {@code body} with the telemetry logger at INFO, captured by a list appender. */
    private static void withTelemetryLog(LogBody body) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Telemetry.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            body.run(appender);
        } finally {
            logger.setLevel(level);
            logger.detachAppender(appender);
        }
    }

    @FunctionalInterface
    private interface LogBody {
        void run(ListAppender<ILoggingEvent> appender) throws Exception;
    }

    private static List<String> messages(ListAppender<ILoggingEvent> appender, String part) {
        synchronized (appender) { // AppenderBase.doAppend holds the appender while it adds to the list
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(part)).toList();
        }
    }
}
