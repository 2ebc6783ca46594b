package dev.flowgentic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.spring.app.Gate;
import dev.flowgentic4j.spring.app.KvStore;
import dev.flowgentic4j.spring.app.StopLog;
import dev.flowgentic4j.spring.app.TinyHttp;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Graceful shutdown under load: with 50 requests inside the application when the context closes, the
 * web server stops taking new ones, every request in flight completes using the services, and only
 * then the services stop, in reverse start order, leaving no thread or port behind.
 */
class GracefulShutdownTest {
    static final int REQUESTS = 50;

    static final class Arrivals {
        final CountDownLatch latch = new CountDownLatch(REQUESTS);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(WorkController.class)
    static class App {
        @Bean
        StopLog stopLog() {
            return new StopLog();
        }

        @Bean
        Gate release() {
            return new Gate();
        }

        @Bean
        Arrivals arrivals() {
            return new Arrivals();
        }

        @Bean
        ServiceDefinition<Void, KvStore> kv(StopLog stops) {
            return ServiceDefinition.builder("kv", () -> new KvStore(stops)).build();
        }

        @Bean
        ServiceDefinition<Void, TinyHttp> http(StopLog stops) {
            return ServiceDefinition.builder("http", () -> new TinyHttp("http", stops)).build();
        }
    }

    @RestController
    static class WorkController {
        private final ServiceFuture<KvStore> kv;
        private final ServiceFuture<TinyHttp> http;
        private final Gate release;
        private final Arrivals arrivals;

        WorkController(ServiceFuture<KvStore> kv, ServiceFuture<TinyHttp> http, Gate release, Arrivals arrivals) {
            this.kv = kv;
            this.http = http;
            this.release = release;
            this.arrivals = arrivals;
        }

        @GetMapping("/work")
        String work() throws InterruptedException {
            arrivals.latch.countDown();
            release.await(Duration.ofSeconds(30));
            return kv.call(Duration.ofSeconds(5), s -> s.recall("capital")) + " "
                    + http.call(Duration.ofSeconds(5), TinyHttp::port);
        }
    }

    @Test
    void fifty_requests_in_flight_complete_before_the_services_stop_in_reverse_order() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).properties(
                "spring.main.banner-mode=off", "server.port=0", "server.address=127.0.0.1",
                "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=30s").run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        FlowgenticServices services = context.getBean(FlowgenticServices.class);
        StopLog stops = context.getBean(StopLog.class);
        Gate release = context.getBean(Gate.class);
        ServiceFuture<?> kv = services.future("kv");
        ServiceFuture<?> http = services.future("http");
        int httpPort = ((TinyHttp) http.join()).port();
        List<String> startOrder = services.names();

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/work"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        try {
            assertThat(context.getBean(Arrivals.class).latch.await(30, TimeUnit.SECONDS))
                    .as("all %d requests inside the application", REQUESTS).isTrue();

            Thread closer = new Thread(context::close, "test-context-close");
            closer.start();

            // the web server stops taking requests; the services still run for the requests in flight
            await().atMost(Duration.ofSeconds(20)).until(() -> Probes.portRefuses(port));
            assertThat(closer.isAlive()).isTrue();
            assertThat(kv.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(http.state()).isEqualTo(ServiceState.RUNNING);
            assertThat(stops.stopped()).isEmpty();

            release.open();
            for (CompletableFuture<HttpResponse<String>> r : inFlight) {
                HttpResponse<String> response = r.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("Oslo " + httpPort);
            }
            closer.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(closer.isAlive()).isFalse();
        } finally {
            release.open();
            context.close();
        }

        List<String> reverse = new ArrayList<>(startOrder);
        Collections.reverse(reverse);
        assertThat(stops.stopped()).containsExactlyElementsOf(reverse);
        assertThat(kv.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(http.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(Probes.portRefuses(httpPort)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> LeakCheck.threadsNamed("flowgentic4j-").isEmpty()
                && LeakCheck.threadsNamed("http-nio").isEmpty());
    }
}
