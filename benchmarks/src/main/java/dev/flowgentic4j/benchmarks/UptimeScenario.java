package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import java.awt.Color;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The issue's main uptime measurement: 16 callers without pause against one service with a 1 s
 * cold start while restarts, updates and crashes happen on a schedule, once with the blue/green
 * replacement ({@code restart()}, {@code update(newArgs)}) and once with the stop-then-start
 * baseline, in the same run.
 *
 * <p>The service instance holds 16 TCP connections (one per caller) and a probe connection to a
 * backend on 127.0.0.1 that answers each request after {@code delayMs}; its cold start connects and
 * then sleeps {@code coldStartMs} (standing for loading a model). Its health check sends a ping on
 * the probe connection (every 100 ms, 1 s timeout, one failure is enough); a supervised restart is
 * allowed 100 times in 10 min with no backoff.
 *
 * <p>The schedule cycles restart, update, crash, restart, one event every {@code everyMs} from 3 s
 * in. What each event does per mode:
 * <ul>
 * <li><b>restart</b>: blue/green calls {@code restart()}; the baseline marks the instance unhealthy
 * (it still answers calls), so the health check fails and the supervised restart replaces it. That
 * path is what the engine does today for any unplanned-but-alive replacement: it stops the old
 * instance (after its calls in flight) and only then cold-starts the next one, and calls in the gap
 * wait for it on the same handle. It is the honest stop-then-start baseline because callers keep
 * their handle, as they do with {@code restart()}. (The engine now restarts an unhealthy instance
 * that still answers blue/green, so the baseline's definition declares {@code singleInstance()}.)
 * <li><b>update</b>: blue/green calls {@code update(newArgs)}; the baseline has no way to change
 * the start arguments of a live handle, so it does what a user must do today: stops the handle
 * ({@code stopAsync()}, which drains calls in flight), starts a new one with the new arguments and
 * hands it to the callers; a call refused by the stopped handle counts as failed and its caller
 * waits for the new handle.
 * <li><b>crash</b>: the backend closes every connection of the live instance from its side (the
 * instance's resource dies under it). The blue/green modes declare how the instance dies: it watches
 * a connection of its own and completes its death signal when the backend closes it
 * ({@code diesWhen}), and a call that fails with an {@link IOException} says so too ({@code deadOn}).
 * The dead generation stops taking calls at once: the calls in flight on it fail with
 * {@code InstanceDiedException} (mode "blue/green") or are retried once on the next generation
 * (mode "blue/green idempotent", which declares {@code idempotentCalls()}), and the next generation
 * is cold-started at once while new calls wait for it. The baseline declares no death signal: calls
 * on the dead instance fail until the health check sees it, then the supervised restart replaces it
 * stop-then-start (what the engine did before crash replacement).
 * </ul>
 * A caller whose call failed waits one backend delay before its next call (a client with no
 * backoff would just multiply the failure count by its loop speed).
 */
final class UptimeScenario {
    static final int CALLERS = 16;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long FIRST_EVENT_MS = 3000;
    private static final String[] CYCLE = {"restart", "update", "crash", "restart"};
    /** The modes, in the order they run: the death signal without and with idempotent calls, then the baseline. */
    static final String[] MODES = {"blue/green", "blue/green idempotent", "stop-then-start"};

    private final long delayMs;
    private final long coldStartMs;
    private final Duration length;
    private final long everyMs;

    UptimeScenario(long delayMs, long coldStartMs, Duration length, long everyMs) {
        if (delayMs < 1 || coldStartMs < 1 || length.toSeconds() < 1) {
            throw new IllegalArgumentException("--uptime-delay-ms, --uptime-cold-start-ms and --uptime-seconds must be"
                    + " at least 1, were " + delayMs + ", " + coldStartMs + " and " + length.toSeconds());
        }
        if (everyMs < 2 * coldStartMs + 500) {
            throw new IllegalArgumentException("--every-ms must leave room for a stop-then-start (at least "
                    + (2 * coldStartMs + 500) + " ms with this cold start), was " + everyMs);
        }
        this.delayMs = delayMs;
        this.coldStartMs = coldStartMs;
        this.length = length;
        this.everyMs = everyMs;
    }

    /** The start arguments: where the backend is, how long a cold start takes, and a version an update bumps. */
    record Config(int port, long coldStartMs, int version) {
        Config next() {
            return new Config(port, coldStartMs, version + 1);
        }
    }

    // ---- the backend and the service instance ----

    /** Echoes each 4-byte request after a delay (a ping, a negative value, at once); can drop one instance's connections. */
    static final class Backend implements AutoCloseable {
        final ServerSocket server;
        final ExecutorService connections = Executors.newCachedThreadPool();
        final Map<Integer, Set<Socket>> byInstance = new ConcurrentHashMap<>();
        final long delayMillis;

        Backend(long delayMillis) throws IOException {
            this.delayMillis = delayMillis;
            this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
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
            int tag = -1;
            try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
                 DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
                tag = in.readInt(); // the instance this connection belongs to
                byInstance.computeIfAbsent(tag, t -> ConcurrentHashMap.newKeySet()).add(socket);
                while (true) {
                    int request = in.readInt();
                    if (request >= 0) {
                        Thread.sleep(delayMillis);
                    }
                    out.writeInt(request);
                    out.flush();
                }
            } catch (IOException | InterruptedException done) {
                return null;
            } finally {
                Set<Socket> set = byInstance.get(tag);
                if (set != null) {
                    set.remove(socket);
                }
            }
        }

        /** Closes, from the server's side, every connection of one instance: the crash. */
        void drop(int instance) {
            Set<Socket> set = byInstance.getOrDefault(instance, Set.of());
            for (Socket s : set) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
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

    /** What the benchmark knows of each instance: when it became ready and when (and how often) it was closed. */
    static final class Instance {
        final int tag;
        final long created = System.nanoTime();
        final CompletableFuture<Long> ready = new CompletableFuture<>();
        final CompletableFuture<Long> closed = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();
        volatile boolean unhealthy;

        Instance(int tag) {
            this.tag = tag;
        }
    }

    /** The service instance: one connection per caller, a probe connection, one request at a time per connection. */
    static final class Client implements AutoCloseable {
        final Instance record;
        final Config config;
        final List<Socket> sockets = new ArrayList<>();
        final BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(CALLERS);
        final Connection probe;
        final CompletableFuture<String> died = new CompletableFuture<>();
        volatile boolean broken;

        record Connection(DataInputStream in, DataOutputStream out) {}

        Client(Instance record, Config config) throws IOException, InterruptedException {
            this.record = record;
            this.config = config;
            try {
                for (int i = 0; i < CALLERS; i++) {
                    pool.add(connect());
                }
                probe = connect();
                Connection watched = connect(); // never used for requests: the backend closing it is the death
                Thread watcher = new Thread(() -> watch(watched), "uptime-instance-" + record.tag + "-watcher");
                watcher.setDaemon(true);
                watcher.start();
                Thread.sleep(config.coldStartMs()); // stands for loading a model
            } catch (IOException | InterruptedException | RuntimeException e) {
                closeSockets();
                throw e;
            }
            record.ready.complete(System.nanoTime());
        }

        private Connection connect() throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), config.port());
            synchronized (sockets) {
                sockets.add(socket);
            }
            socket.setTcpNoDelay(true);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(record.tag);
            out.flush();
            return new Connection(new DataInputStream(socket.getInputStream()), out);
        }

        /** Blocks on a connection that never carries a request: EOF or an error means the backend dropped us. */
        private void watch(Connection watched) {
            try {
                int b = watched.in().read();
                died.complete("instance " + record.tag + ": the backend " + (b < 0 ? "closed" : "wrote on")
                        + " its connection");
            } catch (IOException e) {
                died.complete("instance " + record.tag + ": its connection failed: " + e.getMessage());
            }
        }

        /** Completes when the instance's connections are gone (after a crash, or once we closed it). */
        CompletableFuture<String> died() {
            return died;
        }

        int request(int value) throws IOException, InterruptedException {
            if (broken) {
                throw new IOException("connection to the backend was dropped (instance " + record.tag + ")");
            }
            Connection c = pool.poll(5, TimeUnit.SECONDS);
            if (c == null) {
                throw new IOException("no free connection within 5 s (instance " + record.tag + ")");
            }
            try {
                c.out.writeInt(value);
                c.out.flush();
                return c.in.readInt();
            } catch (IOException e) {
                broken = true;
                throw e;
            } finally {
                pool.add(c);
            }
        }

        void check() throws IOException {
            if (record.unhealthy) {
                throw new IOException("marked unhealthy (instance " + record.tag + ")");
            }
            if (broken) {
                throw new IOException("connection dropped (instance " + record.tag + ")");
            }
            synchronized (probe) {
                try {
                    probe.out.writeInt(-1);
                    probe.out.flush();
                    probe.in.readInt();
                } catch (IOException e) {
                    broken = true;
                    throw e;
                }
            }
        }

        private void closeSockets() {
            synchronized (sockets) {
                for (Socket s : sockets) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }

        @Override
        public void close() {
            closeSockets();
            record.closes.incrementAndGet();
            record.closed.complete(System.nanoTime());
        }
    }

    // ---- recording ----

    /** Growable per-caller record of calls: start, latency (negative for a failure). */
    static final class Calls {
        long[] starts = new long[1 << 12];
        long[] latencies = new long[1 << 12];
        String[] causes = new String[1 << 12];
        int n;

        void add(long start, long latency, String cause) {
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
                latencies = Arrays.copyOf(latencies, n * 2);
                causes = Arrays.copyOf(causes, n * 2);
            }
            starts[n] = start;
            latencies[n] = latency;
            causes[n] = cause;
            n++;
        }
    }

    /**
     * One replacement: {@code overlapMs} is how long both generations were ready to serve (the new
     * one ready until the old one closed), {@code coexistMs} how long both existed (the new one's
     * cold start began until the old one closed); 0 when the old one closed first.
     */
    record Event(int index, String kind, long from, long to, double overlapMs, double coexistMs) {
        double tookMs() {
            return (to - from) / 1e6;
        }
    }

    record Window(String mode, String window, long calls, long failed, double p50, double p99, double max, String load) {}

    record EventRow(String mode, Event event, double atSeconds, long calls, long failed, double p99, double max,
                    String load) {}

    record ModeResult(String mode, long began, long ended, List<Window> windows, List<EventRow> events,
                      Map<String, Long> failures, List<long[]> series, int instances, int closedOnce,
                      String load) {}

    /** The handle the callers use; {@code replaced} completes when the baseline's update hands them a new one. */
    record Handle(ServiceFuture<Client> service, CompletableFuture<Void> replaced) {}

    // ---- the run ----

    List<ModeResult> run(int port, Backend backend) throws Exception {
        List<ModeResult> results = new ArrayList<>();
        for (String mode : MODES) {
            results.add(runMode(mode, port, backend));
        }
        return results;
    }

    private ModeResult runMode(String mode, int port, Backend backend) throws Exception {
        boolean blueGreen = !mode.equals("stop-then-start");
        List<Instance> instances = new CopyOnWriteArrayList<>(); // the engine's threads add, the benchmark reads
        Map<Integer, CompletableFuture<Instance>> created = new ConcurrentHashMap<>();
        AtomicInteger tags = new AtomicInteger(1000 * (1 + Arrays.asList(MODES).indexOf(mode)));
        ServiceDefinition.Builder<Config, Client> builder = ServiceDefinition
                .builder("uptime", (Config c) -> {
                    Instance record = new Instance(tags.incrementAndGet());
                    instances.add(record);
                    created.computeIfAbsent(record.tag, t -> new CompletableFuture<>()).complete(record);
                    return new Client(record, c);
                })
                .health(HealthConfig.<Client>builder(Client::check).interval(Duration.ofMillis(100))
                        .timeout(Duration.ofSeconds(1)).failureThreshold(1).build())
                .restartPolicy(RestartPolicy.onFailure(100, Duration.ofMinutes(10), Duration.ZERO))
                .stopTimeout(Duration.ofSeconds(4));
        if (!blueGreen) {
            builder.singleInstance(); // the baseline: a supervised restart of an answering instance is stop-then-start
        } else {
            // crash replacement: the death is heard at once (the watched connection, or a call's IOException)
            builder.diesWhen(Client::died).deadOn(e -> e instanceof IOException);
            if (mode.endsWith("idempotent")) {
                builder.idempotentCalls(); // a request is a read: safe to send again to the next generation
            }
        }
        ServiceDefinition<Config, Client> definition = builder.build();
        List<Event> events = new ArrayList<>();
        Calls[] calls = new Calls[CALLERS];
        long began;
        long ended;
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().stopTimeout(Duration.ofSeconds(5)).build())) {
            ServiceTask<Config, Client> task = engine.serviceTask(definition);
            Config config = new Config(port, coldStartMs, 1);
            AtomicReference<Handle> handle = new AtomicReference<>(new Handle(task.start(config),
                    new CompletableFuture<>()));
            handle.get().service().awaitRunning(Duration.ofSeconds(30));
            AtomicBoolean go = new AtomicBoolean(true);
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            List<Future<?>> loops = new ArrayList<>();
            began = System.nanoTime();
            for (int t = 0; t < CALLERS; t++) {
                int caller = t;
                calls[caller] = new Calls();
                loops.add(callers.submit(() -> callerLoop(caller, go, handle, calls[caller])));
            }
            try {
                for (int k = 0; ; k++) {
                    long at = began + TimeUnit.MILLISECONDS.toNanos(FIRST_EVENT_MS + k * everyMs);
                    if (!events.isEmpty()) {
                        at = Math.max(at, events.get(events.size() - 1).to() + TimeUnit.SECONDS.toNanos(1));
                    }
                    // the event and 1 s after it must fit in the run
                    if (at + TimeUnit.MILLISECONDS.toNanos(2 * coldStartMs + 1000) > began + length.toNanos()) {
                        break;
                    }
                    sleepUntil(at);
                    String kind = CYCLE[k % CYCLE.length];
                    Instance old = live(instances);
                    long from = System.nanoTime();
                    switch (kind) {
                        case "restart" -> {
                            if (blueGreen) {
                                handle.get().service().restart().get(30, TimeUnit.SECONDS);
                            } else {
                                old.unhealthy = true; // alive but unhealthy: the supervised restart replaces it
                            }
                        }
                        case "update" -> {
                            config = config.next();
                            if (blueGreen) {
                                handle.get().service().update(config).get(30, TimeUnit.SECONDS);
                            } else {
                                Handle current = handle.get();
                                current.service().stopAsync().get(30, TimeUnit.SECONDS);
                                Handle next = new Handle(task.start(config), new CompletableFuture<>());
                                handle.set(next);
                                current.replaced().complete(null);
                            }
                        }
                        default -> backend.drop(old.tag);
                    }
                    long closedAt = old.closed.get(30, TimeUnit.SECONDS);
                    Instance next = after(created, old);
                    long readyAt = next.ready.get(30, TimeUnit.SECONDS);
                    events.add(new Event(k + 1, kind, from, Math.max(closedAt, readyAt),
                            Math.max(0, closedAt - readyAt) / 1e6, Math.max(0, closedAt - next.created) / 1e6));
                    Event e = events.get(events.size() - 1);
                    System.out.printf(Locale.ROOT, "  %s: event %d %s took %.0f ms, both ready %.0f ms, both alive %.0f"
                            + " ms (load %s)%n", mode, k + 1, kind, e.tookMs(), e.overlapMs(), e.coexistMs(), loadAverage());
                }
                sleepUntil(began + length.toNanos());
            } finally {
                go.set(false);
                for (Future<?> f : loops) {
                    f.get(60, TimeUnit.SECONDS);
                }
                ended = System.nanoTime();
                callers.shutdownNow();
            }
        }
        String load = loadAverage();
        return summarise(mode, began, ended, calls, events, instances, load);
    }

    private void callerLoop(int caller, AtomicBoolean go, AtomicReference<Handle> handle, Calls record) {
        while (go.get()) {
            Handle h = handle.get();
            long t0 = System.nanoTime();
            try {
                h.service().call(CALL_TIMEOUT, c -> c.request(caller));
                record.add(t0, System.nanoTime() - t0, null);
            } catch (RuntimeException e) {
                record.add(t0, -(System.nanoTime() - t0) - 1, cause(e));
                try {
                    if (isStopped(h)) {
                        h.replaced().get(30, TimeUnit.SECONDS); // the baseline's update: wait for the new handle
                    } else {
                        Thread.sleep(delayMs);
                    }
                } catch (InterruptedException interrupted) {
                    return;
                } catch (Exception waited) {
                    // the run is ending; go on and let the loop condition decide
                }
            }
        }
    }

    private static boolean isStopped(Handle h) {
        ServiceState state = h.service().state();
        return state == ServiceState.STOPPING || state.isTerminal();
    }

    private static String cause(Throwable e) {
        String name = e.getClass().getSimpleName();
        Throwable root = e.getCause();
        if (root != null && root != e) {
            return name + " <- " + root.getClass().getSimpleName();
        }
        return name;
    }

    private static Instance live(List<Instance> instances) {
        for (int i = instances.size() - 1; i >= 0; i--) {
            Instance in = instances.get(i);
            if (in.ready.isDone() && !in.closed.isDone()) {
                return in;
            }
        }
        throw new IllegalStateException("no live instance");
    }

    /** The instance created after {@code old} (tags are consecutive within a mode), once it is ready. */
    private static Instance after(Map<Integer, CompletableFuture<Instance>> created, Instance old) throws Exception {
        Instance next = created.computeIfAbsent(old.tag + 1, t -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
        next.ready.get(30, TimeUnit.SECONDS);
        return next;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    // ---- summary ----

    private ModeResult summarise(String mode, long began, long ended, Calls[] calls, List<Event> events,
                                 List<Instance> instances, String load) {
        Map<String, List<Long>> ok = new TreeMap<>();
        Map<String, Long> failedBy = new TreeMap<>();
        Map<String, Long> failures = new TreeMap<>();
        List<Long> replacing = new ArrayList<>();
        long[] eventCalls = new long[events.size()];
        long[] eventFailed = new long[events.size()];
        List<List<Long>> eventLatencies = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            eventLatencies.add(new ArrayList<>());
        }
        int buckets = (int) ((ended - began) / TimeUnit.MILLISECONDS.toNanos(250)) + 1;
        long[] bucketMax = new long[buckets];
        long[] bucketFailed = new long[buckets];
        for (Calls c : calls) {
            for (int i = 0; i < c.n; i++) {
                long start = c.starts[i];
                boolean failed = c.latencies[i] < 0;
                long latency = failed ? -c.latencies[i] - 1 : c.latencies[i];
                long end = start + latency;
                int e = eventOf(events, start, end);
                String window = e < 0 ? "steady" : events.get(e).kind();
                int b = (int) Math.min(buckets - 1, Math.max(0, (end - began) / TimeUnit.MILLISECONDS.toNanos(250)));
                if (failed) {
                    failedBy.merge(window, 1L, Long::sum);
                    failures.merge(window + "," + c.causes[i], 1L, Long::sum);
                    bucketFailed[b]++;
                    if (e >= 0) {
                        eventFailed[e]++;
                    }
                } else {
                    ok.computeIfAbsent(window, w -> new ArrayList<>()).add(latency);
                    bucketMax[b] = Math.max(bucketMax[b], latency);
                    if (e >= 0) {
                        replacing.add(latency);
                        eventLatencies.get(e).add(latency);
                    }
                }
                if (e >= 0) {
                    eventCalls[e]++;
                }
            }
        }
        List<Window> windows = new ArrayList<>();
        for (String w : new String[] {"steady", "restart", "update", "crash"}) {
            windows.add(window(mode, w, ok.getOrDefault(w, List.of()), failedBy.getOrDefault(w, 0L), load));
        }
        long allFailed = failedBy.entrySet().stream().filter(x -> !x.getKey().equals("steady"))
                .mapToLong(Map.Entry::getValue).sum();
        windows.add(window(mode, "all replacements", replacing, allFailed, load));
        List<EventRow> rows = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            long[] sorted = sorted(eventLatencies.get(i));
            rows.add(new EventRow(mode, events.get(i), (events.get(i).from() - began) / 1e9, eventCalls[i],
                    eventFailed[i], pct(sorted, 0.99), pct(sorted, 1.0), load));
        }
        List<long[]> series = List.of(bucketMax, bucketFailed);
        int closedOnce = (int) instances.stream().filter(in -> in.closes.get() == 1).count();
        return new ModeResult(mode, began, ended, windows, rows, failures, series, instances.size(), closedOnce, load);
    }

    /** The event whose window [from, to + 50 ms] the call overlaps, or -1 (steady state). */
    private static int eventOf(List<Event> events, long start, long end) {
        long slack = TimeUnit.MILLISECONDS.toNanos(50);
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (end >= e.from() && start <= e.to() + slack) {
                return i;
            }
        }
        return -1;
    }

    private static Window window(String mode, String name, List<Long> latencies, long failed, String load) {
        long[] s = sorted(latencies);
        return new Window(mode, name, s.length + failed, failed, pct(s, 0.50), pct(s, 0.99), pct(s, 1.0), load);
    }

    private static long[] sorted(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    // ---- output ----

    static void report(List<ModeResult> results, Path out) throws IOException {
        StringBuilder windows = new StringBuilder("mode,window,calls,failed,p50_ms,p99_ms,max_ms,load_avg\n");
        StringBuilder events = new StringBuilder(
                "mode,event,kind,at_s,took_ms,both_ready_ms,both_alive_ms,calls,failed,p99_ms,max_ms,load_avg\n");
        StringBuilder failures = new StringBuilder("mode,window,cause,count\n");
        System.out.printf("%n%-22s %-17s %7s %7s %8s %8s %8s %6s%n", "mode", "window", "calls", "failed", "p50 ms",
                "p99 ms", "max ms", "load");
        for (ModeResult r : results) {
            for (Window w : r.windows()) {
                windows.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.2f,%.2f,%.2f,%s%n", w.mode(), w.window(),
                        w.calls(), w.failed(), w.p50(), w.p99(), w.max(), w.load()));
                System.out.printf(Locale.ROOT, "%-22s %-17s %7d %7d %8.2f %8.2f %8.2f %6s%n", w.mode(), w.window(),
                        w.calls(), w.failed(), w.p50(), w.p99(), w.max(), w.load());
            }
        }
        System.out.printf("%n%-22s %3s %-8s %6s %8s %10s %10s %7s %7s %8s %8s %6s%n", "mode", "#", "event", "at s",
                "took ms", "both ready", "both alive", "calls", "failed", "p99 ms", "max ms", "load");
        for (ModeResult r : results) {
            for (EventRow e : r.events()) {
                events.append(String.format(Locale.ROOT, "%s,%d,%s,%.2f,%.0f,%.0f,%.0f,%d,%d,%.2f,%.2f,%s%n", e.mode(),
                        e.event().index(), e.event().kind(), e.atSeconds(), e.event().tookMs(), e.event().overlapMs(),
                        e.event().coexistMs(), e.calls(), e.failed(), e.p99(), e.max(), e.load()));
                System.out.printf(Locale.ROOT, "%-22s %3d %-8s %6.2f %8.0f %10.0f %10.0f %7d %7d %8.2f %8.2f %6s%n",
                        e.mode(), e.event().index(), e.event().kind(), e.atSeconds(), e.event().tookMs(),
                        e.event().overlapMs(), e.event().coexistMs(), e.calls(), e.failed(), e.p99(), e.max(), e.load());
            }
        }
        System.out.println();
        for (ModeResult r : results) {
            System.out.printf("%s: %d instances, %d closed exactly once; failed calls by cause:%n", r.mode(),
                    r.instances(), r.closedOnce());
            if (r.failures().isEmpty()) {
                System.out.println("  none");
            }
            for (Map.Entry<String, Long> f : r.failures().entrySet()) {
                String[] parts = f.getKey().split(",", 2);
                failures.append(r.mode()).append(',').append(parts[0]).append(',').append(parts[1]).append(',')
                        .append(f.getValue()).append('\n');
                System.out.printf("  during %-8s %-60s %d (load %s)%n", parts[0], parts[1], f.getValue(), r.load());
            }
        }
        Files.writeString(out.resolve("continual-uptime-replacements.csv"), windows);
        Files.writeString(out.resolve("continual-uptime-events.csv"), events);
        Files.writeString(out.resolve("continual-uptime-failures.csv"), failures);
        chart(results, out.resolve("continual-uptime-replacements.png"));
        System.out.println("wrote " + out.resolve("continual-uptime-replacements.csv") + ", -events.csv, -failures.csv"
                + " and continual-uptime-replacements.png");
    }

    /** The slowest successful call and the failed calls per 250 ms, both modes on the same time axis. */
    private static void chart(List<ModeResult> results, Path png) throws IOException {
        NumberAxis time = new NumberAxis("seconds into the run (events every few seconds from 3 s)");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        XYSeriesCollection max = new XYSeriesCollection();
        XYSeriesCollection failed = new XYSeriesCollection();
        for (ModeResult r : results) {
            XYSeries m = new XYSeries(r.mode());
            XYSeries f = new XYSeries(r.mode());
            long[] bucketMax = r.series().get(0);
            long[] bucketFailed = r.series().get(1);
            for (int b = 0; b < bucketMax.length; b++) {
                if (bucketMax[b] > 0) {
                    m.add(b * 0.25, bucketMax[b] / 1e6);
                }
                f.add(b * 0.25, bucketFailed[b]);
            }
            max.addSeries(m);
            failed.addSeries(f);
        }
        LogAxis ms = new LogAxis("slowest call per 250 ms (ms, log)");
        ms.setNumberFormatOverride(new DecimalFormat("0"));
        plot.add(new XYPlot(max, null, ms, renderer(true)), 3);
        plot.add(new XYPlot(failed, null, new NumberAxis("failed calls per 250 ms"), renderer(false)), 1);
        JFreeChart chart = new JFreeChart("Replacements under 16 callers: blue/green vs stop-then-start (1 s cold start)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 600);
    }

    private static XYLineAndShapeRenderer renderer(boolean inLegend) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setDefaultSeriesVisibleInLegend(inLegend);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0x2ca02c));
        renderer.setSeriesPaint(2, new Color(0xd62728));
        return renderer;
    }
}
