package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.patterns.DatabasePool;
import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.EmbeddedDatabase;
import dev.flowgentic4j.patterns.EmbeddingModelService;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.TaskFunction;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Cold-start amortisation, measured on real resources: N calls through a SERVICE_TASK (one cold
 * start, then warm calls on the live instance) against the same work as a FUNCTION_TASK that
 * re-creates the resource on every call; for the all-MiniLM-L6-v2 model and for the HikariCP pool.
 * Prints both totals, their ratio, and whether the SERVICE_TASK total is within 10% of one cold start
 * plus N warm calls: the cold start is the time from {@code start()} to the first call's result (the
 * first of the N calls), the warm-call time is measured separately on the same instance afterwards.
 * Each resource first runs one discarded round, so that JIT compilation of the code paths is not
 * counted as the resource's cold start.
 *
 * <p>Run: {@code ./mvnw -q -B compile exec:java -pl benchmarks -am
 * -Dbenchmark=dev.flowgentic4j.benchmarks.ColdStartAmortisation -Dexec.args="--n=100"}. Options:
 * {@code --n} (default 100), {@code --model-n} (default n), {@code --rounds} of the pool (default 5),
 * {@code --model-rounds} (default 1), {@code --jdbc-url} (default: an embedded
 * PostgreSQL, started once outside the measurement), {@code --patterns} (default {@code model,pool,api,ws}:
 * which resources to measure; {@code api} is {@link ApiClientAmortisation}, {@code ws} is
 * {@link WebSocketAmortisation}, each with its own options).
 */
public final class ColdStartAmortisation {
    private static final Duration READY = Duration.ofMinutes(2);
    private static final List<String> TEXTS = List.of("How do I reset my password?", "When will my order ship?",
            "Where are my invoices?", "How do I delete my account?", "What are your opening hours?");

    /** The figures of one resource. */
    public record Result(String resource, int n, Duration serviceTotal, Duration functionTotal, Duration startup,
                         Duration coldStart, Duration warmCall) {
        public double ratio() {
            return (double) functionTotal.toNanos() / serviceTotal.toNanos();
        }

        public Duration expectedServiceTotal() {
            return coldStart.plus(warmCall.multipliedBy(n - 1L));
        }

        /** |service total - (cold start + (N-1) warm calls)| / (cold start + (N-1) warm calls). */
        public double deviation() {
            double expected = expectedServiceTotal().toNanos();
            return Math.abs(serviceTotal.toNanos() - expected) / expected;
        }

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "%n== %s, N = %d ==%n", resource, n);
            out.printf(Locale.ROOT, "  SERVICE_TASK  total %10.1f ms  (start-up %.1f ms, cold start to first result %.1f ms, "
                    + "warm call %.3f ms)%n", ms(serviceTotal), ms(startup), ms(coldStart), ms(warmCall));
            out.printf(Locale.ROOT, "  FUNCTION_TASK total %10.1f ms  (%.1f ms per call)%n", ms(functionTotal),
                    ms(functionTotal) / n);
            out.printf(Locale.ROOT, "  ratio FUNCTION_TASK / SERVICE_TASK = %.1fx%n", ratio());
            out.printf(Locale.ROOT, "  one cold start + N warm calls = %.1f ms; SERVICE_TASK total deviates %.1f%% -> %s%n",
                    ms(expectedServiceTotal()), deviation() * 100, deviation() <= 0.10 ? "within 10%" : "NOT within 10%");
        }
    }

    private ColdStartAmortisation() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.of(System.getenv(), args);
        int n = options.intValue("n", null, 100);
        int modelN = options.intValue("model-n", null, n);
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "Cold-start amortisation (SERVICE_TASK vs FUNCTION_TASK), %d cores, load average %.1f, "
                + "Java %s%n", Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.version());
        String patterns = options.value("patterns", null).orElse("model,pool,api,ws");
        if (patterns.contains("model")) {
            models(options, n, modelN, out);
        }
        if (patterns.contains("pool")) {
            pools(options, n, out);
        }
        if (patterns.contains("api")) {
            ApiClientAmortisation.run(options, out);
        }
        if (patterns.contains("ws")) {
            WebSocketAmortisation.run(options, out);
        }
    }

    private static void models(Options options, int n, int modelN, PrintStream out) throws Exception {
        // one discarded round each (N service calls, 2 re-creations), so that JIT compilation of the code
        // paths is not counted as the resource's cold start or as slow warm calls
        model(modelN, 2);
        List<Result> models = new ArrayList<>();
        for (int r = 0; r < options.intValue("model-rounds", null, 1); r++) {
            models.add(model(modelN, modelN));
        }
        report(out, models);
    }

    private static void pools(Options options, int n, PrintStream out) throws Exception {
        DatabaseSettings database = DatabaseSettings.from(options);
        // with no URL, one embedded server for every round, started outside the measurement
        try (EmbeddedDatabase embedded = database.jdbcUrl().isEmpty() ? EmbeddedDatabase.start() : null) {
            DatabaseSettings target = embedded == null ? database : embedded.settingsFor(database);
            String label = embedded == null ? target.describeTarget() : "embedded PostgreSQL";
            pool(n, 2, target, label);
            List<Result> pools = new ArrayList<>();
            for (int r = 0; r < options.intValue("rounds", null, 5); r++) {
                pools.add(pool(n, n, target, label));
            }
            report(out, pools);
        }
    }

    /** Prints every round in one line, then the round with the median SERVICE_TASK total in full. */
    static void report(PrintStream out, List<Result> rounds) {
        if (rounds.size() > 1) {
            out.printf(Locale.ROOT, "%n%s, %d rounds:%n", rounds.get(0).resource(), rounds.size());
            for (Result r : rounds) {
                out.printf(Locale.ROOT, "  SERVICE_TASK %8.1f ms, FUNCTION_TASK %9.1f ms, ratio %5.1fx, deviation %5.1f%%%n",
                        ms(r.serviceTotal()), ms(r.functionTotal()), r.ratio(), r.deviation() * 100);
            }
            long within = rounds.stream().filter(r -> r.deviation() <= 0.10).count();
            out.printf(Locale.ROOT, "  within 10%% in %d of %d rounds; the median round:%n", within, rounds.size());
        }
        List<Result> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparing(Result::serviceTotal));
        sorted.get(sorted.size() / 2).print(out);
    }

    /**
     * The model: loaded once by a service for {@code n} calls, or once per call by a function task
     * ({@code functionCalls} of them, the total scaled to {@code n}; equal in the measured round).
     */
    public static Result model(int n, int functionCalls) throws Exception {
        IntFunction<String> text = i -> TEXTS.get(i % TEXTS.size());
        return measure("all-MiniLM-L6-v2 embedding model", n, functionCalls,
                PatternServices.embeddingModel(), null,
                (i) -> m -> m.embed(text.apply(i)),
                (String t) -> {
                    try (EmbeddingModelService fresh = EmbeddingModelService.load()) {
                        return fresh.embed(t);
                    }
                }, text);
    }

    /**
     * The pool over {@code server} (which must carry a URL): opened once by a service, or opened and
     * closed per call by a function task; as {@link #model}.
     */
    public static Result pool(int n, int functionCalls, DatabaseSettings server, String label) throws Exception {
        DatabaseSettings target = server.withSchema("bench_" + UUID.randomUUID().toString().substring(0, 8));
        String sql = "SELECT id, name, email FROM users ORDER BY id";
        try (DatabasePool setup = DatabasePool.open(target.withPoolSize(1, 1))) {
            setup.update("CREATE SCHEMA IF NOT EXISTS " + target.schema());
            setup.update("CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL)");
            setup.update("INSERT INTO users VALUES (123, 'Ada Lovelace', 'ada@example.com'), "
                    + "(124, 'Alan Turing', 'alan@example.com'), (125, 'Grace Hopper', 'grace@example.com')");
        }
        try {
            return measure("HikariCP pool over " + label, n, functionCalls, PatternServices.databasePool(), target,
                    (i) -> p -> p.query(sql, row -> row.getString("name")),
                    (DatabaseSettings s) -> {
                        try (DatabasePool fresh = DatabasePool.open(s)) {
                            return fresh.query(sql, row -> row.getString("name"));
                        }
                    }, i -> target);
        } finally {
            try (DatabasePool cleanup = DatabasePool.open(target.withPoolSize(1, 1))) {
                cleanup.update("DROP SCHEMA " + target.schema() + " CASCADE");
            }
        }
    }

    static <A, S, R, F> Result measure(String resource, int n, int functionCalls,
                                       ServiceDefinition<A, S> service, A startArgs,
                                       IntFunction<ServiceCall<S, R>> call, TaskFunction<F, R> coldWork,
                                       IntFunction<F> coldArgs) {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();

            long start = System.nanoTime();
            ServiceFuture<S> future = wrappers.serviceTask(service).start(startArgs);
            future.call(READY, call.apply(0));
            Duration cold = Duration.ofNanos(System.nanoTime() - start);   // the first result includes the cold start
            for (int i = 1; i < n; i++) {
                future.call(READY, call.apply(i));
            }
            Duration serviceTotal = Duration.ofNanos(System.nanoTime() - start);

            long warmStart = System.nanoTime();
            for (int i = 0; i < n; i++) {
                future.call(READY, call.apply(i));
            }
            Duration warm = Duration.ofNanos((System.nanoTime() - warmStart) / n);
            Duration startup = future.startupDuration().orElseThrow();
            future.cancel(true);

            FunctionTask<F, R> task = wrappers.functionTask(resource.replaceAll("\\W+", "_") + "_per_call", coldWork,
                    RetryConfig.noRetry());
            long functionStart = System.nanoTime();
            for (int i = 0; i < functionCalls; i++) {
                task.call(coldArgs.apply(i));
            }
            Duration functionTotal = Duration.ofNanos((System.nanoTime() - functionStart) / functionCalls * n);
            return new Result(resource, n, serviceTotal, functionTotal, startup, cold, warm);
        }
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
