package dev.flowgentic4j.spring.bench;

import dev.flowgentic4j.spring.example.HelpDeskApplication;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * (Outside the help desk's package, so that its component scan does not pick up the variant without
 * the starter.) Measures, each run in a fresh JVM with the same settings (median of N, alternating the variants):
 * the context start-up of the help desk with the starter against the same web application without
 * it (Actuator and MVC alike, a plain endpoint in place of the graph), and the time from the first
 * request to its answer with the services eager and lazy.
 *
 * <pre>
 * ./mvnw -q -pl spring-boot-example -am compile exec:java \
 *     -Dexec.mainClass=dev.flowgentic4j.spring.bench.StartupMeasurement -Dexec.args="10"
 * </pre>
 */
public final class StartupMeasurement {
    static final String QUESTION = "/ask?q=How+do+I+reset+my+password";

    private StartupMeasurement() {}

    /** The same web application without the starter: MVC, Actuator, one endpoint. */
    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {"dev.flowgentic4j.spring.FlowgenticAutoConfiguration",
            "dev.flowgentic4j.spring.actuate.FlowgenticActuatorAutoConfiguration"})
    @Import(PlainController.class)
    static class WithoutStarter {}

    @RestController
    static class PlainController {
        @GetMapping("/ask")
        Map<String, Object> ask(@RequestParam("q") String question) {
            return Map.of("question", question, "answer", "no graph here", "source", "none");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("--child=")) {
            child(args[0].substring("--child=".length()));
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String classPath = classPath();
        Map<String, List<long[]>> results = new LinkedHashMap<>();
        List<String> variants = List.of("with", "without", "eager", "lazy");
        String loadBefore = loadAverage();
        for (int i = 0; i < runs; i++) {
            for (String variant : variants) {
                results.computeIfAbsent(variant, v -> new ArrayList<>()).add(runChild(classPath, variant));
            }
        }
        String loadAfter = loadAverage();
        System.out.println("| variant | context start-up, median ms | first request to answer, median ms | runs |");
        System.out.println("|---|---:|---:|---:|");
        for (String variant : variants) {
            List<long[]> r = results.get(variant);
            System.out.printf("| %s | %d | %d | %d |%n", describe(variant), median(r, 0), median(r, 1), r.size());
        }
        System.out.println("load average before: " + loadBefore + "; after: " + loadAfter + "; "
                + Runtime.getRuntime().availableProcessors() + " cores; java " + System.getProperty("java.version"));
    }

    private static String describe(String variant) {
        return switch (variant) {
            case "with" -> "help desk with the starter (eager services)";
            case "without" -> "same web application without the starter";
            case "eager" -> "help desk, services eager";
            case "lazy" -> "help desk, services lazy";
            default -> variant;
        };
    }

    private static long median(List<long[]> runs, int index) {
        List<Long> values = new ArrayList<>();
        runs.forEach(r -> values.add(r[index]));
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    private static long[] runChild(String classPath, String variant) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-cp", classPath, StartupMeasurement.class.getName(),
                "--child=" + variant).redirectErrorStream(true).start();
        long startup = -1;
        long first = -1;
        List<String> tail = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                tail.add(line);
                if (tail.size() > 30) {
                    tail.remove(0);
                }
                if (line.startsWith("startup_ms=")) {
                    startup = Long.parseLong(line.substring("startup_ms=".length()));
                } else if (line.startsWith("first_request_ms=")) {
                    first = Long.parseLong(line.substring("first_request_ms=".length()));
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the " + variant + " run did not end within 120 s");
        }
        if (startup < 0 || first < 0) {
            throw new IllegalStateException("the " + variant + " run printed no measurement (exit " + p.exitValue()
                    + "); its last lines:\n" + String.join("\n", tail));
        }
        return new long[] {startup, first};
    }

    private static void child(String variant) throws Exception {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        if (variant.equals("lazy")) {
            args.add("--flowgentic4j.services.knowledge_base.lazy=true");
            args.add("--flowgentic4j.services.in_process_cache.lazy=true");
        }
        Class<?> app = variant.equals("without") ? WithoutStarter.class : HelpDeskApplication.class;
        long t0 = System.nanoTime();
        ConfigurableApplicationContext context = SpringApplication.run(app, args.toArray(String[]::new));
        long startup = System.nanoTime() - t0;
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            HttpClient client = HttpClient.newHttpClient();
            long t1 = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + QUESTION))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            long first = System.nanoTime() - t1;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("first request answered " + r.statusCode() + ": " + r.body());
            }
            System.out.println("startup_ms=" + TimeUnit.NANOSECONDS.toMillis(startup));
            System.out.println("first_request_ms=" + TimeUnit.NANOSECONDS.toMillis(first));
        } finally {
            context.close();
        }
    }

    private static String classPath() {
        ClassLoader loader = StartupMeasurement.class.getClassLoader();
        if (loader instanceof URLClassLoader urls) { // exec:java runs the program in a class loader of its own
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                entries.add(new File(URI.create(url.toString())).getPath());
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
