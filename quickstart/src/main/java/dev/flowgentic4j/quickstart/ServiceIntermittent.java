package dev.flowgentic4j.quickstart;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The seed's "Persistent Service Behavior Demo" in Java: a SERVICE_TASK wraps a real HTTP server;
 * one cold start per service, counters that persist across requests, two services side by side,
 * and a clean shutdown after which both ports refuse connections.
 *
 * <p>Run it with {@code ./mvnw -q -pl quickstart -am compile exec:java} (see README). Pass a port as the first
 * argument to pin server 1's port; the default 0 picks free ports. {@code --backend ignite} runs it on
 * the Ignite backend (see docs/ignite.md), chosen by name at run time.
 */
public final class ServiceIntermittent {

    /** What one request to one server answered. */
    public record Exchange(String server, SimpleServer.Response response) {}

    /** The evidence the demo printed, for tests. */
    public record Report(int coldStarts, List<Exchange> exchanges, boolean server1Refuses, boolean server2Refuses,
                         Duration coldStart, Duration warmRequest, Map<String, Duration> uptimeAtShutdown,
                         List<String> evidence) {}

    private ServiceIntermittent() {}

    public static void main(String[] args) {
        int port;
        List<String> rest = new ArrayList<>(List.of(args));
        String backend = Backends.takeBackendOption(rest, "ServiceIntermittent");
        try {
            port = rest.isEmpty() ? 0 : Integer.parseInt(rest.get(0));
        } catch (NumberFormatException e) {
            System.err.println("ServiceIntermittent: the first argument is server 1's port (0..65535), was '"
                    + rest.get(0) + "'");
            System.exit(2);
            return;
        }
        try {
            run(System.out, port, backend);
        } catch (RuntimeException e) {
            System.err.println("ServiceIntermittent failed: " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
            System.exit(1);
        }
    }

    /** Runs Parts 1 to 4 on the local backend, printing to {@code out}. */
    public static Report run(PrintStream out, int firstPort) {
        return run(out, firstPort, "local");
    }

    /**
     * Runs Parts 1 to 4 on the backend named {@code backend} ({@code local}, or one whose module is on
     * the classpath, such as {@code ignite}), printing to {@code out}.
     */
    public static Report run(PrintStream out, int firstPort, String backend) {
        AtomicInteger coldStarts = new AtomicInteger();
        List<Exchange> exchanges = new ArrayList<>();
        try (LangGraphIntegration integration = Backends.integration(backend, out)) {
            // SERVICE_TASK wraps the server so that it keeps running between requests
            ServiceTask<Integer, SimpleServer> startServer = integration.executionWrappers().serviceTask(
                    ServiceDefinition.builder("start_server", (Integer port) -> {
                        int number = coldStarts.incrementAndGet();
                        out.println("  ❄️  COLD START: Server " + number + " starting...");
                        return SimpleServer.start(SimpleServer.DEFAULT_HOST, port);
                    }).stop(SimpleServer::shutdown).build());

            out.println("Part 1: Persistence Proof");
            ServiceFuture<SimpleServer> future1 = startServer.start(firstPort);   // returns at once: the handle
            SimpleServer server1 = future1.join();                               // the live instance
            exchange(out, exchanges, "Server 1", server1, "/api/users", "GET", "");
            long warmStart = System.nanoTime();
            exchange(out, exchanges, "Server 1", server1, "/api/data", "POST", " (No cold-start!)");
            exchange(out, exchanges, "Server 1", future1.join(), "/api/items", "GET", " (No cold-start!)");
            Duration warm = Duration.ofNanos((System.nanoTime() - warmStart) / 2);

            out.println();
            out.println("Part 2: New Service Cold-Start");
            ServiceFuture<SimpleServer> future2 = startServer.start(0);
            SimpleServer server2 = future2.join();
            exchange(out, exchanges, "Server 2", server2, "/api/users", "GET", " (Different instance!)");

            out.println();
            out.println("Part 3: Concurrent Services");
            exchange(out, exchanges, "Server 1", future1.join(), "/api/users", "GET", " (Still running!)");
            exchange(out, exchanges, "Server 2", future2.join(), "/api/data", "GET", " (Also running!)");

            out.println();
            out.println("Part 4: Graceful Shutdown");
            Duration coldStart = future1.startupDuration().orElseThrow();
            int port1 = server1.port();
            int port2 = server2.port();
            Map<String, Duration> uptimeAtShutdown = new LinkedHashMap<>();
            future1.cancel(true);          // stops server 1: its stop action runs once
            server1.shutdown();            // harmless after cancel
            uptimeAtShutdown.put("Server 1", server1.uptime());   // frozen at the stop
            out.println("  Server 1 " + future1.state() + " after " + server1.uptime().toMillis() + " ms up, "
                    + server1.requestCount() + " requests");
            future2.cancel(true);
            uptimeAtShutdown.put("Server 2", server2.uptime());
            out.println("  Server 2 " + future2.state() + " after " + server2.uptime().toMillis() + " ms up, "
                    + server2.requestCount() + " requests");
            boolean refuses1 = Probes.portRefuses(port1);
            boolean refuses2 = Probes.portRefuses(port2);
            out.println("  Port " + port1 + (refuses1 ? " refuses connections ✅" : " STILL OPEN ❌"));
            out.println("  Port " + port2 + (refuses2 ? " refuses connections ✅" : " STILL OPEN ❌"));

            out.println();
            out.println("Evidence (from the responses above):");
            List<String> evidence = evidence(exchanges, coldStarts.get(), uptimeAtShutdown);
            evidence.forEach(line -> out.println("  - " + line));
            out.printf("  - Cold start %.1f ms vs warm request %.0f µs%n",
                    coldStart.toNanos() / 1e6, warm.toNanos() / 1e3);
            return new Report(coldStarts.get(), List.copyOf(exchanges), refuses1, refuses2, coldStart, warm,
                    Map.copyOf(uptimeAtShutdown), evidence);
        }
    }

    /** What the responses show, per server in the order they first answered; each claim checked, not assumed. */
    static List<String> evidence(List<Exchange> exchanges, int coldStarts, Map<String, Duration> uptimeAtShutdown) {
        Map<String, List<SimpleServer.Response>> byServer = new LinkedHashMap<>();
        exchanges.forEach(e -> byServer.computeIfAbsent(e.server(), k -> new ArrayList<>()).add(e.response()));
        List<String> lines = new ArrayList<>();
        Set<String> instances = new LinkedHashSet<>();
        byServer.forEach((server, responses) -> {
            Set<String> ids = responses.stream().map(SimpleServer.Response::instance).collect(Collectors.toSet());
            instances.addAll(ids);
            lines.add(mark(ids.size() == 1) + "Same future handle = same instance: " + responses.size()
                    + " requests to " + server + " answered by " + String.join(", ", ids));
        });
        lines.add(mark(instances.size() == byServer.size()) + "Different futures = different instances: "
                + byServer.size() + " handles, " + instances.size() + " instances, " + coldStarts + " cold starts");
        byServer.forEach((server, responses) -> {
            List<Long> counts = responses.stream().map(SimpleServer.Response::request).toList();
            boolean own = LongStream.rangeClosed(1, counts.size()).boxed().toList().equals(counts);
            lines.add(mark(own) + server + " counted its requests itself: " + counts);
        });
        byServer.forEach((server, responses) -> {
            Duration last = responses.get(responses.size() - 1).uptime();
            Duration atStop = uptimeAtShutdown.get(server);
            boolean grows = atStop != null && atStop.compareTo(last) >= 0;
            lines.add(mark(grows) + server + " uptime " + last.toMillis() + " ms at its last response, "
                    + (atStop == null ? "?" : atStop.toMillis()) + " ms at shutdown");
        });
        return lines;
    }

    private static String mark(boolean holds) {
        return holds ? "✅ " : "❌ ";
    }

    private static void exchange(PrintStream out, List<Exchange> exchanges, String label, SimpleServer server,
                                 String path, String method, String note) {
        SimpleServer.Response response = server.handleRequest(path, method);
        exchanges.add(new Exchange(label, response));
        out.println("  Request " + response.request() + " → " + label + " ✅" + note
                + "  [instance " + response.instance() + ", " + method + " " + path + ", up "
                + response.uptime().toMillis() + " ms]");
    }
}
