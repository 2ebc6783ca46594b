package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pattern 4: the JDK HTTP server as a SERVICE_TASK serves its routes and releases its port on cancel and on close. */
class HttpServerPatternTest {
    private static final Duration READY = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void routes_are_served_by_one_instance_and_cancel_and_close_release_the_ports() throws Exception {
        AtomicInteger hellos = new AtomicInteger();
        int cancelledPort;
        int closedPort;
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceTask<HttpServerSettings, HttpServerService> servers = engine.serviceTask(PatternServices.httpServer(
                    Map.of("/hello", exchange -> HttpServerService.respond(exchange, 200, "hello " + hellos.incrementAndGet()))));
            ServiceFuture<HttpServerService> cancelled = servers.start(HttpServerSettings.defaults());
            ServiceFuture<HttpServerService> closed = servers.start(HttpServerSettings.defaults());
            cancelledPort = cancelled.join().port();
            closedPort = closed.join().port();

            assertThat(get(cancelled.join().uri().resolve("/hello"))).isEqualTo("hello 1");
            assertThat(get(cancelled.join().uri().resolve("/hello"))).isEqualTo("hello 2");
            assertThat(get(closed.join().uri().resolve(HttpServerService.HEALTH_PATH))).isEqualTo("ok");
            assertThat(cancelled.call(READY, HttpServerService::requestCount)).isEqualTo(2);
            assertThat(cancelledPort).isNotEqualTo(closedPort);

            cancelled.cancel(true);

            assertThat(Probes.portRefuses(cancelledPort)).isTrue();
            assertThat(Probes.portRefuses(closedPort)).isFalse();
        }
        assertThat(Probes.portRefuses(closedPort)).isTrue();
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri).timeout(READY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
