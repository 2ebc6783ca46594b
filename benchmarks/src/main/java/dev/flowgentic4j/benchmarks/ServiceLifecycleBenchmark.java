package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.patterns.HttpServerService;
import dev.flowgentic4j.patterns.HttpServerSettings;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures the HTTP server pattern's cold start against a warm request, and how long closing an
 * integration with 10 running servers takes. A program, not a test: run it with
 * {@code ./mvnw -q -pl benchmarks -am compile exec:java
 * -Dbenchmark=dev.flowgentic4j.benchmarks.ServiceLifecycleBenchmark}.
 */
public final class ServiceLifecycleBenchmark {
    private static final int ROUNDS = 5;
    private static final int WARM_REQUESTS = 2000;
    private static final int SERVICES = 10;

    private ServiceLifecycleBenchmark() {}

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws IOException, InterruptedException {
        System.out.printf("load average before: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double[] coldMs = new double[ROUNDS];
        double[] warmUs = new double[ROUNDS];
        double[] closeMs = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            LangGraphIntegration integration = LangGraphIntegration.create();
            try {
                ServiceTask<HttpServerSettings, HttpServerService> servers = integration.executionWrappers().serviceTask(
                        PatternServices.httpServer(Map.of("/", exchange -> HttpServerService.respond(exchange, 200, "ok"))));
                long t0 = System.nanoTime();
                ServiceFuture<HttpServerService> future = servers.start(HttpServerSettings.defaults());
                HttpServerService server = future.join();
                get(server.uri().resolve("/first"));
                coldMs[round] = (System.nanoTime() - t0) / 1e6;

                long t1 = System.nanoTime();
                for (int i = 0; i < WARM_REQUESTS; i++) {
                    get(future.join().uri().resolve("/warm"));
                }
                warmUs[round] = (System.nanoTime() - t1) / 1e3 / WARM_REQUESTS;

                List<ServiceFuture<HttpServerService>> more = new ArrayList<>();
                for (int i = 1; i < SERVICES; i++) {
                    more.add(servers.start(HttpServerSettings.defaults()));
                }
                more.forEach(ServiceFuture::join);
                long t2 = System.nanoTime();
                integration.close();           // timed: stops the 10 servers
                closeMs[round] = (System.nanoTime() - t2) / 1e6;
            } finally {
                integration.close();           // idempotent; only matters if a round failed
            }
        }
        System.out.printf("cold start + first request: %s ms (round 1 includes JVM class loading)%n", fmt(coldMs));
        System.out.printf("warm request over real HTTP: %s µs%n", fmt(warmUs));
        System.out.printf("close() with %d servers running: %s ms%n", SERVICES, fmt(closeMs));
        double coldLater = Arrays.stream(coldMs).skip(1).average().orElse(0);
        double warm = Arrays.stream(warmUs).skip(1).average().orElse(0);
        System.out.printf("ratio cold/warm: first cold start in a JVM %.0fx, later cold starts (rounds 2..%d) %.0fx%n",
                coldMs[0] * 1000 / warm, ROUNDS, coldLater * 1000 / warm);
        System.out.printf("load average after: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode());
        }
    }

    private static String fmt(double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("%.1f", values[i]));
        }
        return sb.append("]").toString();
    }
}
