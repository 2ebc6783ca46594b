package dev.flowgentic4j.examples.supportdesk;

import dev.flowgentic4j.patterns.Cache;
import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.patterns.RedisSettings;
import dev.flowgentic4j.examples.Unreachable;
import dev.flowgentic4j.integration.ExecutionReport;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;

/**
 * The production patterns working together: a support desk that answers customer questions with a
 * LangGraph4j workflow ({@link SupportDeskGraph}) whose nodes share live services: the
 * all-MiniLM-L6-v2 model embeds the question, the HikariCP pool finds the nearest FAQ row (stored
 * with its embedding in PostgreSQL), the cache (Redis, or an in-process one) keeps the answer, and,
 * when an OpenAI-compatible endpoint is configured, an agent rephrases it with a tool that queries
 * the pool. Each service starts once; the batch of questions only pays warm calls.
 *
 * <p>On a fresh machine it runs on embedded defaults: an embedded PostgreSQL, the in-process model
 * and an in-process cache. Options: {@code --jdbc-url} ({@value DatabaseSettings#URL_VARIABLE}),
 * {@code --redis-url} ({@value RedisSettings#URL_VARIABLE}), {@code OPENAI_API_KEY} /
 * {@code OPENAI_BASE_URL} / {@code OPENAI_MODEL}, and {@code --report=DIR}, which writes the run's
 * execution report ({@link ExecutionReport}: {@code execution_summary.md}, {@code report.html},
 * {@code events.json}) into {@code DIR}.
 */
public final class SupportDesk {
    /** How long a node waits for a service that is still starting. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** The batch the program answers; repeated questions come from the cache. */
    public static final List<String> DEFAULT_QUESTIONS = List.of(
            "I forgot my password, what can I do?",
            "My parcel has not arrived yet, when do you ship?",
            "Can I get my money back for a broken keyboard?",
            "Where do I find the PDF of my bill?",
            "How do I enable 2FA on my account?",
            "What are your support hours?",
            "I forgot my password, what can I do?",
            "Please remove my account and all my data",
            "where do I find the PDF of my bill?");

    /** Where the services are, and where to write the execution report (none by default). */
    public record Settings(DatabaseSettings database, Optional<RedisSettings> redis,
                           Optional<SupportAgent.Settings> agent, Optional<Path> report) {
        public Settings {
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(redis, "redis");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(report, "report");
        }

        /** Without a report. */
        public Settings(DatabaseSettings database, Optional<RedisSettings> redis, Optional<SupportAgent.Settings> agent) {
            this(database, redis, agent, Optional.empty());
        }

        /** The same settings, writing the execution report into {@code directory}. */
        public Settings withReport(Path directory) {
            return new Settings(database, redis, agent, Optional.of(directory));
        }

        public static Settings from(Options options) {
            return new Settings(DatabaseSettings.from(options).withApplicationName("flowgentic4j-supportdesk"),
                    RedisSettings.configured(options).map(r -> r.withClientName("flowgentic4j-supportdesk")),
                    SupportAgent.Settings.from(options), options.value("report", null).map(Path::of));
        }
    }

    /** One answered question. */
    public record Answer(String question, String answer, Optional<String> matchedQuestion, Optional<Double> score,
                         boolean cached, boolean rephrased, Duration latency) {}

    /** What the run did, for tests: the answers, each service's one-time start-up cost, the cache used. */
    public record Report(List<Answer> answers, Map<String, Duration> startupCosts, String cache, boolean agent) {}

    private SupportDesk() {}

    public static void main(String[] args) {
        Unreachable.exitOnFailure("SupportDesk",
                () -> run(System.out, Settings.from(Options.of(System.getenv(), args)), DEFAULT_QUESTIONS));
    }

    /** Starts the services, answers {@code questions} in order, prints to {@code out}, stops everything. */
    public static Report run(PrintStream out, Settings settings, List<String> questions) throws TimeoutException {
        LangGraphIntegration integration = LangGraphIntegration.create();
        EventRecorder recorder = settings.report().isPresent() ? integration.telemetry().record() : null;
        StateGraph<SupportDeskState> definition;
        SupportDeskState last = null;
        Report result;
        try (integration) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            out.println("SupportDesk: starting services");

            // cold starts run side by side on the backend; start() returns the handles at once
            var model = wrappers.serviceTask(PatternServices.embeddingModel()).start(null);
            ServiceFuture<? extends Cache> cache;
            if (settings.redis().isPresent()) {
                cache = wrappers.serviceTask(PatternServices.redisCache(RetryConfig.ofDefaults()))
                        .start(settings.redis().get());
            } else {
                out.println("  no Redis URL configured (--redis-url or " + RedisSettings.URL_VARIABLE
                        + "): using an in-process cache service instead");
                cache = wrappers.serviceTask(PatternServices.inProcessCache()).start(null);
            }
            PatternServices.Database database = PatternServices.startDatabase(wrappers, settings.database(), READY_TIMEOUT);
            Optional<ServiceFuture<SupportAgent>> agent = settings.agent().map(agentSettings ->
                    wrappers.serviceTask(ServiceDefinition.builder("support_agent", (SupportAgent.Settings s) ->
                            SupportAgent.create(s, database.pool(), READY_TIMEOUT)).build()).start(agentSettings));
            if (agent.isEmpty()) {
                out.println("  no OPENAI_API_KEY / OPENAI_BASE_URL: answers are not rephrased by an agent");
            }

            // the FAQ and its embeddings go into PostgreSQL through the same pool and model services
            database.pool().call(READY_TIMEOUT, pool -> {
                FaqStore.seed(pool, model.join());
                return null;
            });
            definition = integration.observe(SupportDeskGraph.define(wrappers,
                    new SupportDeskGraph.Services(model, database.pool(), cache, agent), READY_TIMEOUT));
            CompiledGraph<SupportDeskState> graph = Graphs.compile(definition);

            Map<String, Duration> startup = new LinkedHashMap<>();
            for (ServiceFuture<?> service : integration.services()) {
                service.awaitRunning(READY_TIMEOUT);
                startup.put(service.id(), service.startupDuration().orElseThrow());
            }
            out.println("One-time start-up cost per service:");
            startup.forEach((id, d) -> out.printf("  %-22s %6d ms%n", id, d.toMillis()));
            String cacheName = cache.join().describe();
            out.println("Cache: " + cacheName);

            out.println("Answers:");
            List<Answer> answers = new ArrayList<>();
            for (String question : questions) {
                long start = System.nanoTime();
                SupportDeskState state = graph.invoke(Map.of(SupportDeskState.QUESTION, question))
                        .orElseThrow(() -> new IllegalStateException("the graph ended without a state"));
                last = state;
                Answer answer = new Answer(question, state.answer().orElseThrow(), state.matchedQuestion(),
                        state.score(), state.cached(), state.rephrased(), Duration.ofNanos(System.nanoTime() - start));
                answers.add(answer);
                out.printf("  [%7.2f ms%s] %s%n      -> %s%n", answer.latency().toNanos() / 1e6,
                        answer.cached() ? ", cache hit" : answer.score().map(s -> String.format(", score %.2f", s))
                                .orElse(""), question, answer.answer());
            }
            result = new Report(answers, startup, cacheName, agent.isPresent());
        }
        if (recorder != null) { // after the close: the report shows the services stopping too
            recorder.close();
            ExecutionReport report = ExecutionReport.builder("SupportDesk").graph(definition).events(recorder.events())
                    .finalState(last == null ? Map.of() : last.data()).write(settings.report().get());
            out.println("Execution report: " + report.html().toAbsolutePath());
        }
        return result;
    }
}
