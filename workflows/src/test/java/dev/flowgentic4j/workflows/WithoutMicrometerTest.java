package dev.flowgentic4j.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.telemetry.HealthEndpoint;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** Micrometer is optional: without it on the class path, the engine, its telemetry and the endpoint work. */
class WithoutMicrometerTest {

    /** Runs inside a class loader that has no Micrometer. */
    public static final class Scenario implements Callable<String> {
        @Override
        public String call() throws Exception {
            try (FlowEngine engine = FlowEngine.create()) {
                engine.telemetry().metrics();
                engine.functionTask("square", (Integer x) -> x * x).call(3);
                HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(endpoint.uri().resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> live = http.send(HttpRequest.newBuilder(endpoint.uri().resolve("/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return metrics.statusCode() + " " + metrics.body().trim() + " | " + live.statusCode() + " | "
                        + engine.telemetry().metrics().snapshot().calls().get(0).calls();
            }
        }
    }

    @Test
    void without_micrometer_the_telemetry_works_and_metrics_says_what_to_add() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Callable<String> scenario = (Callable<String>) loader.loadClass(Scenario.class.getName())
                    .getDeclaredConstructor().newInstance();

            assertThat(scenario.call()).isEqualTo(
                    "404 no /metrics: add io.micrometer:micrometer-registry-prometheus to the class path | 200 | 1");
        }
    }
}
