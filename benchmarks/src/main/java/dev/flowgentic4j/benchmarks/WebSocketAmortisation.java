package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.patterns.websocket.ReconnectBackoff;
import dev.flowgentic4j.patterns.websocket.Subscription;
import dev.flowgentic4j.patterns.websocket.SubscriptionSpec;
import dev.flowgentic4j.patterns.websocket.WebSocketService;
import dev.flowgentic4j.patterns.websocket.WebSocketSettings;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The WebSocket connection in the cold-start benchmark, on a Jetty 12 WebSocket server on 127.0.0.1:
 *
 * <ol>
 *   <li>N request/reply calls through the {@code websocket} SERVICE_TASK (one connection, then warm
 *       calls) against a FUNCTION_TASK that connects for every call (a client, the handshake, the
 *       request, the close handshake, the client's threads ended), as {@link ColdStartAmortisation}
 *       measures the other resources;</li>
 *   <li>reconnection: the server is stopped for {@code --ws-downtime} (1 s) and started again on the
 *       same port; the time from its restart (listening again) to the first message the service receives
 *       on its new connection (the tick the server sends in answer to the restored subscription),
 *       {@code --ws-rounds} (5) times, median, for the default backoff and for a fixed 20 ms one.</li>
 * </ol>
 *
 * Run alone: {@code ./mvnw -q -B compile exec:java -pl benchmarks -am
 * -Dbenchmark=dev.flowgentic4j.benchmarks.WebSocketAmortisation -Dexec.args="--n=100"}; {@link ColdStartAmortisation}
 * runs it with {@code --patterns=ws} (and by default, after the others).
 */
public final class WebSocketAmortisation {
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final String SUBSCRIBE = "{\"op\":\"subscribe\",\"topic\":\"ticks\"}";

    private WebSocketAmortisation() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.of(System.getenv(), args);
        System.out.printf(Locale.ROOT, "WebSocket benchmark, %d cores, load average %.1f, Java %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), Runtime.version());
        run(options, System.out);
    }

    public static void run(Options options, PrintStream out) throws Exception {
        int n = options.intValue("n", null, 100);
        int rounds = options.intValue("ws-rounds", null, 5);
        Duration downtime = Duration.ofMillis(options.intValue("ws-downtime-ms", null, 1000));
        try (WebSocketBenchServer server = WebSocketBenchServer.start()) {
            WebSocketSettings settings = WebSocketSettings.builder(server.uri()).name("bench").build();
            amortisation(server, settings, n, rounds, out);
            reconnects(server, "default backoff " + describe(ReconnectBackoff.DEFAULT), ReconnectBackoff.DEFAULT,
                    rounds, downtime, out);
            ReconnectBackoff fixed = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(20), 1.0);
            reconnects(server, "fixed backoff " + describe(fixed), fixed, rounds, downtime, out);
        }
    }

    private static void amortisation(WebSocketBenchServer server, WebSocketSettings settings, int n, int rounds,
                                     PrintStream out) {
        // one discarded round, so that JIT compilation and class loading are not counted as the cold start
        measure(settings, n, 5);
        List<ColdStartAmortisation.Result> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(measure(settings, n, n));
        }
        ColdStartAmortisation.report(out, results);
        out.printf(Locale.ROOT, "  (load average %.1f)%n", loadAverage());
    }

    private static ColdStartAmortisation.Result measure(WebSocketSettings settings, int n, int functionCalls) {
        return ColdStartAmortisation.measure("WebSocket connection (Jetty client, request/reply)", n, functionCalls,
                PatternServices.webSocket(), settings,
                i -> ws -> ws.request("{\"op\":\"echo\",\"n\":" + i + "}", CALL),
                (Integer i) -> {
                    try (WebSocketService fresh = WebSocketService.connect(settings)) {
                        return fresh.request("{\"op\":\"echo\",\"n\":" + i + "}", CALL);
                    }
                }, i -> i);
    }

    private static void reconnects(WebSocketBenchServer server, String label, ReconnectBackoff backoff, int rounds,
                                   Duration downtime, PrintStream out) throws Exception {
        WebSocketSettings settings = WebSocketSettings.builder(server.uri()).name("bench-reconnect").backoff(backoff)
                .subscription(SubscriptionSpec.of("ticks", m -> m.contains("tick")).onConnect(SUBSCRIBE))
                .build();
        List<Double> millis = new ArrayList<>();
        try (WebSocketService ws = WebSocketService.connect(settings)) {
            Subscription ticks = ws.subscription("ticks");
            if (ticks.poll(CALL).isEmpty()) {
                throw new IllegalStateException("no first tick from " + server.uri());
            }
            for (int r = 0; r < rounds + 1; r++) {   // the first round is discarded (class loading, JIT)
                long generation = ws.generation();
                server.stopServer();
                while (ws.state() != WebSocketService.ConnectionState.RECONNECTING) {
                    Thread.sleep(1);
                }
                Thread.sleep(downtime.toMillis());
                ticks.drain(1000);
                server.startServer();
                long restarted = System.nanoTime();
                Optional<String> first = ticks.poll(Duration.ofSeconds(30));
                long received = System.nanoTime();
                if (first.isEmpty() || ws.generation() != generation + 1) {
                    throw new IllegalStateException("no tick on a new connection within 30 s (generation "
                            + ws.generation() + ")");
                }
                if (r > 0) {
                    millis.add((received - restarted) / 1e6);
                }
            }
            out.printf(Locale.ROOT, "%n== WebSocket reconnect, %s: server down %d ms, restart to first message on the "
                    + "new connection ==%n", label, downtime.toMillis());
            out.printf(Locale.ROOT, "  rounds (ms): %s%n", millis.stream().map(m -> String.format(Locale.ROOT, "%.1f", m)).toList());
            List<Double> sorted = new ArrayList<>(millis);
            sorted.sort(Double::compare);
            out.printf(Locale.ROOT, "  median %.1f ms over %d rounds; generation now %d, reconnects %d; load average %.1f%n",
                    sorted.get(sorted.size() / 2), sorted.size(), ws.generation(), ws.stats().reconnects(), loadAverage());
        }
    }

    private static String describe(ReconnectBackoff b) {
        return b.initial().toMillis() + " ms x" + b.multiplier() + " up to " + b.max().toMillis() + " ms";
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
