package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.workflows.Fakes.Fragile;
import dev.flowgentic4j.workflows.telemetry.HealthEndpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The health endpoint over real HTTP on 127.0.0.1. */
class HealthEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FlowEngine engine = FlowEngine.create(fastConfig());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void close() {
        engine.close();
    }

    private HttpResponse<String> get(HealthEndpoint endpoint, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(endpoint.uri().resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(HealthEndpoint endpoint, String path) {
        try {
            return get(endpoint, path).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void ready_follows_health_a_service_that_turns_unhealthy_makes_it_503_and_live_stays_200() throws Exception {
        ServiceFuture<Fragile> db = engine.serviceTask(ServiceDefinition.builder("db", Fragile::new)
                .health(HealthConfig.<Fragile>builder(Fragile::ping).interval(Duration.ofMillis(20)).build()).build())
                .start("a");
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        assertThat(endpoint.uri().getHost()).isEqualTo("127.0.0.1");
        db.join();
        await().atMost(WAIT).until(() -> db.health().isHealthy());

        HttpResponse<String> ready = get(endpoint, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ready.body()).startsWith("{\"status\":\"UP\"")
                .contains("\"id\":\"db#1\"", "\"state\":\"RUNNING\"", "\"health\":\"HEALTHY\"", "\"generation\":1");

        db.join().broken.set(true);
        await().atMost(WAIT).until(() -> status(endpoint, "/health/ready") == 503);
        assertThat(get(endpoint, "/health/ready").body()).contains("\"status\":\"DOWN\"", "\"health\":\"UNHEALTHY\"");
        assertThat(status(endpoint, "/health/live")).isEqualTo(200);

        db.join().broken.set(false);
        await().atMost(WAIT).until(() -> status(endpoint, "/health/ready") == 200);
    }

    @Test
    void a_failed_service_makes_live_and_ready_503() throws Exception {
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        assertThat(status(endpoint, "/health/live")).isEqualTo(200);
        ServiceFuture<Object> doomed = engine.serviceTask(ServiceDefinition.builder("doomed", (Void v) -> {
            throw new IllegalStateException("no disk");
        }).retry(RetryConfig.noRetry()).build()).start(null);
        await().atMost(WAIT).until(() -> doomed.state() == ServiceState.FAILED);

        HttpResponse<String> live = get(endpoint, "/health/live");
        assertThat(live.statusCode()).isEqualTo(503);
        assertThat(live.body()).contains("\"status\":\"DOWN\"", "\"id\":\"doomed#1\"", "\"state\":\"FAILED\"");
        assertThat(status(endpoint, "/health/ready")).isEqualTo(503);
    }

    @Test
    void a_cancelled_service_does_not_make_the_process_unready() throws Exception {
        ServiceFuture<String> s = engine.serviceTask("temp", () -> "x").start();
        s.join();
        s.cancel(true);
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        assertThat(status(endpoint, "/health/ready")).isEqualTo(200);
        assertThat(get(endpoint, "/health/ready").body()).contains("\"state\":\"TERMINATED\"");
    }

    @Test
    void metrics_are_served_in_prometheus_text_format() throws Exception {
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        engine.telemetry().metrics();
        FunctionTask<Integer, Integer> square = engine.functionTask("square", x -> x * x);
        square.call(3);
        square.call(4);
        engine.serviceTask("cache", () -> "c").start().join();

        HttpResponse<String> metrics = get(endpoint, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("flowgentic4j_calls_total{flow_type=\"FUNCTION_TASK\",kind=\"task\",name=\"square\"} 2.0")
                .contains("flowgentic4j_call_latency_seconds{flow_type=\"FUNCTION_TASK\",kind=\"task\",name=\"square\",quantile=\"0.99\"}")
                .contains("flowgentic4j_service_running{replica=\"none\",service=\"cache\",service_id=\"cache#1\"} 1.0");
        assertThat(status(endpoint, "/nothing-here")).isEqualTo(404);
    }

    @Test
    void the_engines_close_stops_the_endpoint_and_frees_the_port() throws Exception {
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        URI live = endpoint.uri().resolve("/health/live");
        assertThat(status(endpoint, "/health/live")).isEqualTo(200);

        engine.close();

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> engine.telemetry().startHealthEndpoint(0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
