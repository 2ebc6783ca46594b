package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two measurements of issue 19, in one run.
 *
 * <p><b>Replacements</b> ({@link UptimeScenario}): 16 callers without pause for {@code
 * --uptime-seconds} (default 20 s for a quick run; the full run is {@code --uptime-seconds
 * 60}) against one service with a {@code --uptime-cold-start-ms} (default 1000 ms) cold start, with
 * planned restarts, updates and crashes every {@code --every-ms} (default 4000 ms), three times:
 * blue/green with crash replacement (the instance declares its death signal), the same with
 * {@code idempotentCalls()} (the calls in flight at a crash are retried on the next generation), and
 * stop-then-start (the baseline: the supervised restart after a health check and, for an update,
 * stop the handle and start a new one). Writes {@code results/continual-uptime-replacements.csv} (failed calls and
 * p50/p99/max in steady state and per kind of replacement), {@code -events.csv} (each event: how
 * long, overlap of the two generations, calls and failures in its window), {@code -failures.csv}
 * (failed calls by cause) and the chart {@code continual-uptime-replacements.png}.
 *
 * <p><b>Replicas</b>: replicas 1, 2 and 4 of an I/O-bound service under 16 callers: calls/s and latency percentiles in
 * steady state and during a rolling restart in the middle of the run, and the calls that failed.
 *
 * <p>The service is a client holding one TCP connection to a backend on 127.0.0.1 that answers
 * each request after {@code --delay-ms} (default 5 ms), as a single database connection or a
 * model server that serves one request at a time would: one call at a time per instance
 * ({@code maxConcurrentCalls(1)}), so throughput is bounded by the number of replicas. Its cold
 * start connects and then waits {@code --cold-start-ms} (default 300 ms) to stand for loading.
 * Run with {@code ./mvnw -q -pl benchmarks -am compile exec:java
 * -Dbenchmark=dev.flowgentic4j.benchmarks.ContinualUptimeBenchmark} (about 40 s); writes
 * {@code benchmarks/results/continual-uptime.csv}.
 *
 * <p>{@code --only replacements} or {@code --only replicas} runs one of the two. Everything runs on
 * 127.0.0.1 and stops by itself (about 3 x the uptime seconds + 40 s with the defaults).
 */
public final class ContinualUptimeBenchmark {
    private static final int CALLERS = 16;

    private ContinualUptimeBenchmark() {}

    /** The backend: answers each 4-byte request with the same 4 bytes after a delay, one thread per connection. */
    static final class SlowBackend implements AutoCloseable {
        final ServerSocket server;
        final ExecutorService connections = Executors.newCachedThreadPool();
        final long delayMillis;

        SlowBackend(long delayMillis) throws IOException {
            this.delayMillis = delayMillis;
            this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            connections.submit(this::accept);
        }

        private Void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.submit(() -> serve(socket));
                } catch (IOException closed) {
                    return null;
                }
            }
            return null;
        }

        private Void serve(Socket socket) {
            try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
                 DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
                while (true) {
                    int request = in.readInt();
                    Thread.sleep(delayMillis);
                    out.writeInt(request);
                    out.flush();
                }
            } catch (IOException | InterruptedException done) {
                return null;
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            connections.shutdownNow();
        }
    }

    /** The service instance: one connection, one request at a time. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Client(int port, long coldStartMillis) throws IOException, InterruptedException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
            Thread.sleep(coldStartMillis); // stands for loading a model or warming a pool
        }

        synchronized int request(int value) throws IOException {
            out.writeInt(value);
            out.flush();
            return in.readInt();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    record Result(int replicas, long calls, double seconds, double callsPerSecond, double p50, double p99,
                  double max, long failed, long restartCalls, double restartP99, double restartMillis, String load) {}

    public static void main(String[] args) throws Exception {
        long delayMs = option(args, "--delay-ms", 5);
        long coldStartMs = option(args, "--cold-start-ms", 300);
        long seconds = option(args, "--seconds", 10);
        String only = text(args, "--only", "all");
        if (!List.of("all", "replacements", "replicas").contains(only)) {
            throw new IllegalArgumentException("--only must be replacements or replicas, was '" + only + "'");
        }
        Path out = Path.of("benchmarks/results");
        if (!Files.isDirectory(out)) {
            out = Path.of("results");
        }
        Files.createDirectories(out);
        if (!only.equals("replicas")) {
            UptimeScenario scenario = new UptimeScenario(option(args, "--uptime-delay-ms", 10),
                    option(args, "--uptime-cold-start-ms", 1000), Duration.ofSeconds(option(args, "--uptime-seconds", 20)),
                    option(args, "--every-ms", 4000));
            System.out.println("replacements: load average before: " + loadAverage());
            try (UptimeScenario.Backend backend = new UptimeScenario.Backend(option(args, "--uptime-delay-ms", 10))) {
                UptimeScenario.report(scenario.run(backend.port(), backend), out);
            }
        }
        if (only.equals("replacements")) {
            return;
        }
        System.out.println("replicas: load average before: " + loadAverage());
        List<Result> results = new ArrayList<>();
        try (SlowBackend backend = new SlowBackend(delayMs)) {
            for (int replicas : new int[] {1, 2, 4}) {
                results.add(run(replicas, backend.port(), coldStartMs, Duration.ofSeconds(seconds)));
            }
        }
        System.out.println("load average after: " + loadAverage());
        StringBuilder csv = new StringBuilder("replicas,calls,seconds,calls_per_s,p50_ms,p99_ms,max_ms,failed,"
                + "restart_window_calls,restart_window_p99_ms,restart_ms,load_avg\n");
        System.out.printf("%n%8s %9s %10s %8s %8s %8s %7s %15s %14s %11s%n", "replicas", "calls/s", "vs 1", "p50 ms",
                "p99 ms", "max ms", "failed", "restart calls", "restart p99", "restart ms");
        for (Result r : results) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%.2f,%.1f,%.2f,%.2f,%.2f,%d,%d,%.2f,%.0f,%s%n", r.replicas,
                    r.calls, r.seconds, r.callsPerSecond, r.p50, r.p99, r.max, r.failed, r.restartCalls, r.restartP99,
                    r.restartMillis, r.load));
            System.out.printf(Locale.ROOT, "%8d %9.1f %9.2fx %8.2f %8.2f %8.2f %7d %15d %14.2f %11.0f%n", r.replicas,
                    r.callsPerSecond, r.callsPerSecond / results.get(0).callsPerSecond, r.p50, r.p99, r.max, r.failed,
                    r.restartCalls, r.restartP99, r.restartMillis);
        }
        Files.writeString(out.resolve("continual-uptime.csv"), csv);
        System.out.println("wrote " + out.resolve("continual-uptime.csv"));
    }

    private static Result run(int replicas, int port, long coldStartMs, Duration length) throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().stopTimeout(Duration.ofSeconds(5)).build())) {
            ServiceFuture<Client> service = engine.serviceTask(ServiceDefinition
                    .builder("io-client", (Integer p) -> new Client(p, coldStartMs))
                    .maxConcurrentCalls(1, Duration.ofSeconds(30))
                    .replicas(replicas).build()).start(port);
            service.join();
            for (ServiceFuture<Client> replica : service.replicas()) {
                replica.awaitRunning(Duration.ofSeconds(30));
            }
            warmUp(service);
            AtomicBoolean go = new AtomicBoolean(true);
            AtomicLong failed = new AtomicLong();
            long[][] starts = new long[CALLERS][];
            long[][] latencies = new long[CALLERS][];
            int[] counts = new int[CALLERS];
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            List<Future<?>> loops = new ArrayList<>();
            long began = System.nanoTime();
            for (int t = 0; t < CALLERS; t++) {
                int caller = t;
                starts[caller] = new long[1 << 16];
                latencies[caller] = new long[1 << 16];
                loops.add(callers.submit(() -> {
                    int i = 0;
                    while (go.get() && i < starts[caller].length) {
                        long t0 = System.nanoTime();
                        try {
                            service.call(Duration.ofSeconds(30), c -> c.request(caller));
                            starts[caller][i] = t0;
                            latencies[caller][i] = System.nanoTime() - t0;
                            i++;
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                    counts[caller] = i;
                }));
            }
            Thread.sleep(length.toMillis() / 2);
            long restartFrom = System.nanoTime();
            service.restart().get(60, TimeUnit.SECONDS); // a rolling restart, one replica at a time
            long restartTo = System.nanoTime();
            long rest = length.toNanos() - (restartTo - began);
            if (rest > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(rest));
            }
            go.set(false);
            for (Future<?> f : loops) {
                f.get(60, TimeUnit.SECONDS);
            }
            long ended = System.nanoTime();
            callers.shutdownNow();
            List<Long> steady = new ArrayList<>();
            List<Long> during = new ArrayList<>();
            long all = 0;
            for (int t = 0; t < CALLERS; t++) {
                for (int i = 0; i < counts[t]; i++) {
                    long end = starts[t][i] + latencies[t][i];
                    if (end >= restartFrom && starts[t][i] <= restartTo) {
                        during.add(latencies[t][i]);
                    } else {
                        steady.add(latencies[t][i]);
                    }
                    all++;
                }
            }
            double secs = (ended - began) / 1e9;
            long[] s = steady.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] d = during.stream().mapToLong(Long::longValue).sorted().toArray();
            Result r = new Result(replicas, all, secs, all / secs, pct(s, 0.50), pct(s, 0.99), pct(s, 1.0),
                    failed.get(), d.length, pct(d, 0.99), (restartTo - restartFrom) / 1e6, loadAverage());
            System.out.printf(Locale.ROOT, "replicas %d: %.1f calls/s, p99 %.2f ms, %d failed, rolling restart %.0f ms%n",
                    replicas, r.callsPerSecond, r.p99, r.failed, r.restartMillis);
            return r;
        }
    }

    private static void warmUp(ServiceFuture<Client> service) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < CALLERS; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        service.call(Duration.ofSeconds(30), c -> c.request(1));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    private static long option(String[] args, String name, long fallback) {
        List<String> list = Arrays.asList(args);
        int at = list.indexOf(name);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= list.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        try {
            return Long.parseLong(list.get(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + list.get(at + 1) + "'", e);
        }
    }

    private static String text(String[] args, String name, String fallback) {
        List<String> list = Arrays.asList(args);
        int at = list.indexOf(name);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= list.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return list.get(at + 1);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
