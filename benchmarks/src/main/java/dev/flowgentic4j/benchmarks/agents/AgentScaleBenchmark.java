package dev.flowgentic4j.benchmarks.agents;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The original Python toolkit's one published benchmark, its "synthetic adaptive" agent workload,
 * through flowgentic4j's real agent path: N ReAct agents at once ({@code reactAgent}), each asked by a
 * deterministic in-process chat model for M tool calls, one per turn, before it answers; the tool is
 * an AGENT_TOOL_AS_SERVICE on ONE persistent service whose every call takes T, with p slots
 * ({@code maxConcurrentCalls(p, ...)}). Beside each point: the same N·M calls made straight on the
 * service without the agent graph (the floor). See {@link AgentWorkload} for one point and its checks.
 *
 * <p>Every repetition of every point runs in a fresh JVM (this program relaunches itself with the
 * same {@code java} and class path), repetitions interleaved across points; the median of the
 * repetitions is reported with the 1-minute load average read just before each measurement. Writes
 * {@code results/agent-scale.csv} (every repetition), {@code RESULTS.md} (medians, the published
 * figures beside ours) and {@code results/agent-scale.png} (makespan and efficiency against p).
 *
 * <p>Run from the repository root (about 6 minutes on 2 cores; {@code --quick}: one repetition of
 * fewer points, about a minute):
 * <pre>
 * ./mvnw -q -B -pl benchmarks -am compile exec:java \
 *     -Dbenchmark=dev.flowgentic4j.benchmarks.agents.AgentScaleBenchmark -Dexec.args="--quick"
 * </pre>
 * Options: {@code --quick}, {@code --reps=N} (default 3), {@code --levers} (instead of the
 * configurations: the state serializers and a graph compiled per agent, at 1,024 x 4 and 64 x 4 with
 * p = 64, into {@code results/levers.csv}), {@code --report} (only rebuild RESULTS.md and the chart
 * from the CSV files), {@code --out=DIR} (default {@code benchmarks}), {@code --classpath} (print this
 * module's class path, e.g. to run {@code ServiceCallOverheadBenchmark} with {@code java -cp}),
 * {@code --java=PATH} (the {@code java} that runs the points, e.g. a JDK 21+), {@code --threads=virtual}
 * (agents and the local backend on virtual threads: Java 21+), {@code --async-slots} (the agents'
 * tools step waits for call slots asynchronously: {@code ReactAgentConfig.asyncCallSlots}), {@code --tag=NAME} (write
 * {@code results/agent-scale-NAME.csv}, shown in RESULTS.md's per-JDK comparison).
 */
public final class AgentScaleBenchmark {
    static final String WORKER = "--worker";

    /** One configuration of the benchmark; {@code published} is the original toolkit's makespan, if it has one. */
    record Point(String group, String label, int agents, int calls, int slots, int workMs, Double published,
                 AgentWorkload.Serializer serializer, boolean graphPerAgent) {
        double idealSeconds() {
            long waves = ((long) agents * calls + slots - 1) / slots;
            return waves * workMs / 1000.0;
        }

        String variant() {
            return serializer.name().toLowerCase(Locale.ROOT) + (graphPerAgent ? "+graph-per-agent" : "");
        }
    }

    private AgentScaleBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(WORKER)) {
            worker(args);
            return;
        }
        Map<String, String> options = options(args);
        if (options.containsKey("classpath")) {           // for java -cp runs of the JMH benchmarks
            System.out.println(classpath());
            return;
        }
        Path out = Path.of(options.getOrDefault("out", Files.exists(Path.of("benchmarks", "pom.xml")) ? "benchmarks" : "."));
        Path results = out.resolve("results");
        Files.createDirectories(results);
        if (!options.containsKey("report")) {
            boolean quick = options.containsKey("quick");
            boolean levers = options.containsKey("levers");
            int reps = Integer.parseInt(options.getOrDefault("reps", quick ? "1" : "3"));
            if (reps < 1) {
                throw new IllegalArgumentException("--reps must be at least 1, was " + reps);
            }
            List<Point> points = levers ? leverPoints() : points(quick);
            String java = options.getOrDefault("java", ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            String threads = options.getOrDefault("threads", "platform");
            if (!threads.equals("platform") && !threads.equals("virtual")) {
                throw new IllegalArgumentException("--threads must be platform or virtual, was '" + threads + "'");
            }
            String tag = options.getOrDefault("tag", "");
            Path csv = results.resolve((levers ? "levers" : "agent-scale") + (tag.isEmpty() ? "" : "-" + tag) + ".csv");
            run(points, reps, csv, java, threads.equals("virtual"), options.containsKey("async-slots"));
        }
        ScaleReport.write(out, results);
        System.out.println("wrote " + out.resolve("RESULTS.md") + " and " + results.resolve("agent-scale.png"));
    }

    static List<Point> points(boolean quick) {
        AgentWorkload.Serializer s = AgentWorkload.Serializer.COPY;
        List<Point> points = new ArrayList<>();
        points.add(new Point("published", "1 x 1, p = 1, T = 1 s", 1, 1, 1, 1000, 1.95, s, false));
        if (!quick) {
            points.add(new Point("published", "2 x 2, p = 1, T = 1 s", 2, 2, 1, 1000, 4.80, s, false));
            points.add(new Point("published", "8 x 1, p = 8, T = 1 s", 8, 1, 8, 1000, 2.35, s, false));
        }
        points.add(new Point("scale", "1,024 x 4, p = 64, T = 50 ms", 1024, 4, 64, 50, null, s, false));
        for (int p = 1; p <= 64; p *= 2) {
            if (!quick || p == 4 || p == 64) {
                points.add(new Point("strong", "64 x 4, p = " + p + ", T = 50 ms", 64, 4, p, 50, null, s, false));
            }
        }
        for (int p = 1; p <= 64; p *= 2) {
            if (!quick || p == 64) {
                points.add(new Point("weak", (4 * p) + " x 4, p = " + p + ", T = 50 ms", 4 * p, 4, p, 50, null, s,
                        false));
            }
        }
        return points;
    }

    static List<Point> leverPoints() {
        List<Point> points = new ArrayList<>();
        for (int agents : new int[] {1024, 64}) {
            String label = agents + " x 4, p = 64, T = 50 ms";
            for (AgentWorkload.Serializer s : AgentWorkload.Serializer.values()) {
                points.add(new Point("lever", label, agents, 4, 64, 50, null, s, false));
            }
            points.add(new Point("lever", label, agents, 4, 64, 50, null, AgentWorkload.Serializer.COPY, true));
        }
        return points;
    }

    private static void run(List<Point> points, int reps, Path csv, String java, boolean virtual, boolean asyncSlots)
            throws Exception {
        String classpath = classpath();
        List<String> lines = new ArrayList<>();
        lines.add(ScaleReport.CSV_HEADER);
        Instant started = Instant.now();
        for (int rep = 1; rep <= reps; rep++) {
            for (Point point : points) {
                Map<String, String> result = launch(java, classpath, point, rep == 1, virtual, asyncSlots);
                lines.add(ScaleReport.csvLine(point, rep, result));
                System.out.printf(Locale.ROOT, "[%s] rep %d %-8s %-32s %-6s makespan %8.3f s (ideal %.3f s, floor %.3f s)"
                        + "  load1 %s  threads %s%n", Duration.between(started, Instant.now()).truncatedTo(ChronoUnit.SECONDS),
                        rep, point.group(), point.label(), point.variant(), Double.parseDouble(result.get("makespan_s")),
                        point.idealSeconds(), Double.parseDouble(result.get("floor_makespan_s")), result.get("load1_before"),
                        result.get("peak_threads"));
                Files.write(csv, lines, StandardCharsets.UTF_8);
            }
        }
    }

    /** Runs one point in a fresh JVM and returns what it printed on its RESULT line. */
    private static Map<String, String> launch(String java, String classpath, Point point, boolean threadSnapshot,
            boolean virtual, boolean asyncSlots)
            throws IOException, InterruptedException {
        List<String> command = List.of(java, "-Djava.awt.headless=true", "-cp", classpath,
                AgentScaleBenchmark.class.getName(), WORKER, "agents=" + point.agents(), "calls=" + point.calls(),
                "slots=" + point.slots(), "work_ms=" + point.workMs(), "serializer=" + point.serializer(),
                "graph_per_agent=" + point.graphPerAgent(), "thread_snapshot=" + threadSnapshot,
                "threads=" + (virtual ? "virtual" : "platform"), "async_slots=" + asyncSlots);
        Path log = Files.createTempFile("agent-scale-point", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("point '" + point.label() + "' (" + point.variant()
                        + ") did not finish within 10 minutes:\n" + Files.readString(log));
            }
            Map<String, String> result = null;
            List<String> output = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("RESULT ")) {
                    result = parse(line.substring("RESULT ".length()));
                } else {
                    output.add(line);
                }
            }
            if (process.exitValue() != 0 || result == null) {
                throw new IllegalStateException("point '" + point.label() + "' (" + point.variant()
                        + ") failed with exit " + process.exitValue() + ":\n" + String.join("\n", output));
            }
            return result;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The worker: one point in this JVM, one RESULT line on standard output. */
    private static void worker(String[] args) throws Exception {
        Map<String, String> options = options(java.util.Arrays.copyOfRange(args, 1, args.length));
        AgentWorkload.Spec spec = new AgentWorkload.Spec(Integer.parseInt(options.get("agents")),
                Integer.parseInt(options.get("calls")), Integer.parseInt(options.get("slots")),
                Duration.ofMillis(Long.parseLong(options.get("work_ms"))),
                AgentWorkload.Serializer.valueOf(options.get("serializer")),
                Boolean.parseBoolean(options.get("graph_per_agent")),
                Boolean.parseBoolean(options.getOrDefault("thread_snapshot", "false")),
                options.getOrDefault("threads", "platform").equals("virtual"),
                Boolean.parseBoolean(options.getOrDefault("async_slots", "false")));
        Map<String, String> result = new AgentWorkload(spec).measure();
        StringBuilder line = new StringBuilder("RESULT ");
        result.forEach((key, value) -> line.append(key).append('=').append(value.replace(';', ',')).append(';'));
        System.out.println(line);
        System.out.flush();
        System.exit(0);            // daemon threads of the integration must not hold the JVM
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return values;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        Set<String> known = Set.of("quick", "reps", "levers", "report", "out", "classpath", "agents", "calls", "slots", "work_ms",
                "serializer", "graph_per_agent", "thread_snapshot", "java", "threads", "tag", "async-slots", "async_slots");
        for (String arg : args) {
            String plain = arg.startsWith("--") ? arg.substring(2) : arg;
            int eq = plain.indexOf('=');
            String key = eq < 0 ? plain : plain.substring(0, eq);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + arg + "'; known: --quick, --reps=N, --levers, "
                        + "--report, --out=DIR, --java=PATH, --threads=platform|virtual, --async-slots, --tag=NAME");
            }
            options.put(key, eq < 0 ? "true" : plain.substring(eq + 1));
        }
        return options;
    }

    /** This program's class path: the class loader's jars under exec:java, else {@code java.class.path}. */
    private static String classpath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = AgentScaleBenchmark.class.getClassLoader(); loader != null;
                loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    entries.add(Path.of(url.toURI()).toString());
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path")
                : String.join(java.io.File.pathSeparator, entries);
    }
}
