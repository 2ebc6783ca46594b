package dev.flowgentic4j.examples.supportdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.examples.ExampleServers;
import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.EmbeddedRedis;
import dev.flowgentic4j.patterns.RedisCache;
import dev.flowgentic4j.patterns.RedisSettings;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SupportDesk workflow end to end, on real services. */
class SupportDeskTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void answers_on_embedded_defaults_with_the_nearest_faq_and_serves_repeats_from_the_in_process_cache(
            @TempDir Path reportDir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SupportDesk.Settings settings = new SupportDesk.Settings(ExampleServers.embeddedDatabase(), Optional.empty(),
                Optional.empty()).withReport(reportDir);

        SupportDesk.Report report = SupportDesk.run(new PrintStream(printed, true, StandardCharsets.UTF_8), settings,
                List.of("I forgot my password, what can I do?", "Where do I find the PDF of my bill?",
                        "When do you ship my parcel?", "i forgot my password,  what can I do?"));

        assertThat(report.cache()).isEqualTo("in-process cache");
        assertThat(report.agent()).isFalse();
        assertThat(report.answers()).extracting(a -> a.matchedQuestion().orElse("(cached)")).containsExactly(
                "How do I reset my password?", "Where can I download my invoices?", "When will my order be shipped?",
                "(cached)");
        assertThat(report.answers()).extracting(SupportDesk.Answer::cached).containsExactly(false, false, false, true);
        assertThat(report.answers().get(3).answer()).isEqualTo(report.answers().get(0).answer());
        assertThat(report.startupCosts().keySet()).containsExactlyInAnyOrder("embedding_model#1",
                "in_process_cache#2", "embedded_postgres#3", "db_pool#4");
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("no Redis URL configured", "One-time start-up cost per service", "cache hit",
                "Execution report: " + reportDir.resolve("report.html").toAbsolutePath());

        // --report: one cold start per service, 3 misses embedded and 1 hit that never reached the model
        String summary = Files.readString(reportDir.resolve("execution_summary.md"));
        assertThat(summary).contains("| embedding_model#1 | embedding_model | TERMINATED | 1 |",
                "| node | check_cache | SERVICE_TASK | 4 | 0 | 0 |", "| node | embed | SERVICE_TASK | 3 | 0 | 0 |",
                "None: every node of the graph ran.", "```mermaid", "gantt");
        assertThat(reportDir.resolve("report.html")).content().contains("<svg id=\"timeline\"");
        assertThat(reportDir.resolve("events.json")).content().contains("\"name\":\"nearest_faq\"");
    }

    @Test
    void caches_answers_in_redis_when_a_redis_url_is_configured() throws Exception {
        DatabaseSettings database = ExampleServers.database();
        Optional<String> configured = ExampleServers.redisUrl();
        try (EmbeddedRedis embedded = configured.isPresent() ? null : EmbeddedRedis.start()) {
            String url = configured.orElseGet(() -> embedded.url());   // a lambda: embedded is null when configured
            RedisSettings redis = RedisSettings.of(url).withClientName(ExampleServers.unique("fg4j"))
                    .withKeyPrefix(ExampleServers.unique("fg4j") + ":");
            String question = "How do I enable 2FA on my account?";

            SupportDesk.Report report = SupportDesk.run(QUIET,
                    new SupportDesk.Settings(database, Optional.of(redis), Optional.empty()), List.of(question));

            assertThat(report.cache()).isEqualTo("Redis at " + url);
            assertThat(report.startupCosts()).containsKey("redis_cache#2");
            try (RedisCache check = RedisCache.connect(redis.withClientName(ExampleServers.unique("fg4j")))) {
                assertThat(check.get(SupportDeskGraph.cacheKey(question))).contains(report.answers().get(0).answer());
                check.delete(SupportDeskGraph.cacheKey(question));
            }
        } finally {
            ExampleServers.dropSchema(database);
        }
    }

    @Test
    void agent_step_rephrases_the_answer_after_calling_the_faq_tool_through_the_pool() throws Exception {
        DatabaseSettings database = ExampleServers.database();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.enqueue(StubReply.toolCalls(StubReply.call("searchFaq", "{\"keyword\":\"invoice\"}")),
                    StubReply.text("You'll find every invoice as a PDF under Billing."));
            SupportAgent.Settings agent = new SupportAgent.Settings(stub.baseUrl(), "test-key", "stub-model",
                    Duration.ofSeconds(10));

            SupportDesk.Report report = SupportDesk.run(QUIET,
                    new SupportDesk.Settings(database, Optional.empty(), Optional.of(agent)),
                    List.of("Where do I find the PDF of my bill?"));

            SupportDesk.Answer answer = report.answers().get(0);
            assertThat(report.agent()).isTrue();
            assertThat(answer.rephrased()).isTrue();
            assertThat(answer.answer()).isEqualTo("You'll find every invoice as a PDF under Billing.");
            List<StubRequest> requests = stub.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(0).toolNames()).containsExactly("searchFaq");
            assertThat(requests.get(0).firstUserText()).contains("Every invoice is under Billing > Invoices");
            assertThat(requests.get(1).latestToolResults()).singleElement().asString()
                    .as("the tool's result came from the faq table through the pool")
                    .contains("Where can I download my invoices?");
        } finally {
            ExampleServers.dropSchema(database);
        }
    }
}
