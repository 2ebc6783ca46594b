package dev.flowgentic4j.examples.marketdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The MarketDesk end to end on its embedded servers, with langchain4j's real OpenAI client talking
 * to the scripted OpenAI-compatible stub: the tools reach the one API client and the one feed
 * connection, the token is requested once and renewed once, and the feed reconnects after its
 * server restarts with the subscription restored.
 */
class MarketDeskTest {

    /** The stub's script: each question's tool calls first, then an answer quoting the tool results. */
    private static StubReply script(StubRequest request) {
        if (!request.latestToolResults().isEmpty()) {
            return StubReply.text("From the tools: " + String.join(" | ", request.latestToolResults()));
        }
        String question = request.firstUserText();
        if (question.contains("cash")) {
            return StubReply.toolCalls(StubReply.call("get_account", "{}"),
                    StubReply.call("live_price", "{\"symbol\":\"ACME\"}"));
        }
        if (question.startsWith("Buy")) {
            return StubReply.toolCalls(StubReply.call("place_order",
                    "{\"symbol\":\"ACME\",\"side\":\"buy\",\"quantity\":5}"));
        }
        if (question.contains("positions")) {
            return StubReply.toolCalls(StubReply.call("get_account", "{}"));
        }
        return StubReply.toolCalls(StubReply.call("live_price", "{\"symbol\":\"GLOBEX\"}"));
    }

    @Test
    void one_token_until_expiry_one_renewal_and_a_feed_reconnect_that_keeps_the_subscription() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.respondWith(MarketDeskTest::script).requireToolResults();
            ChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key")
                    .modelName("stub-model").timeout(Duration.ofSeconds(30)).maxRetries(0).build();
            ByteArrayOutputStream printed = new ByteArrayOutputStream();

            MarketDesk.Report report = MarketDesk.run(MarketDesk.Settings.embedded(Duration.ofSeconds(6)), model,
                    MarketDesk.Questions.defaults(), new PrintStream(printed, true, StandardCharsets.UTF_8));

            // the API client: one token for every call of phase 1, one renewal after it expired
            assertThat(report.tokenRequestsBeforeExpiry()).isEqualTo(1);
            assertThat(report.tokenRequestsAfterRenewal()).isEqualTo(2);
            assertThat(report.api().tokenRequests()).isEqualTo(2);
            assertThat(report.api().calls()).isEqualTo(3);
            assertThat(report.api().failures()).isZero();
            assertThat(report.api().renewalsAfter401()).isZero();

            // the feed: a reconnect after the restart, the subscription restored, ticks flowing again
            assertThat(report.feedGenerationAfterRestart()).isEqualTo(2);
            assertThat(report.feed().reconnects()).isEqualTo(1);
            assertThat(report.feed().subscription("prices").orElseThrow().restored()).isEqualTo(1);
            assertThat(report.ticksAfterRestart()).isPositive();
            assertThat(report.feed().replies()).isEqualTo(2);

            // the tools and the node used the one instance of each service
            assertThat(report.toolCalls()).isEqualTo(Map.of("get_account", 2L, "place_order", 1L, "live_price", 2L));
            assertThat(report.snapshots()).isEqualTo(4);
            List<String> results = stub.requests().stream().flatMap(r -> r.latestToolResults().stream()).toList();
            assertThat(results).anySatisfy(r -> assertThat(r).contains("\"status\":\"filled\"", "\"quantity\":5"));
            assertThat(results).anySatisfy(r -> assertThat(r).contains("\"type\":\"quote\"", "\"symbol\":\"GLOBEX\""));
            assertThat(results).anySatisfy(r -> assertThat(r).contains("\"positions\":{\"ACME\":5}"));
            assertThat(stub.requests().get(0).toolNames()).containsExactlyInAnyOrder("get_account", "place_order",
                    "live_price");
            assertThat(report.answers()).hasSize(4).allSatisfy(a -> assertThat(a).startsWith("From the tools: "));

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(output).contains("(embedded; tokens live 6 s)", "token requests so far: 1",
                    "token requests so far: 2", "Phase 3: the feed server restarts", "feed connection generation 2",
                    "subscription restored 1 time(s)", "Counters per instance:", "[node] feed generation 2");
            assertThat(output).doesNotContain("access_token").doesNotContain("Bearer ");
        }
    }

    @Test
    void runs_on_servers_named_by_options_with_the_secrets_from_the_environment() throws Exception {
        PriceBoard board = new PriceBoard();
        try (OpenAiStub stub = OpenAiStub.start();
             MarketApiServer api = new MarketApiServer(board, "desk-7", "client-secret-from-env", Duration.ofSeconds(3));
             PriceFeedServer feed = new PriceFeedServer(board, "feed-token-from-env")) {
            stub.respondWith(MarketDeskTest::script).requireToolResults();
            ChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key")
                    .modelName("stub-model").timeout(Duration.ofSeconds(30)).maxRetries(0).build();
            MarketDesk.Settings settings = MarketDesk.Settings.from(Options.of(
                    Map.of("MARKETDESK_CLIENT_SECRET", "client-secret-from-env", "MARKETDESK_FEED_TOKEN", "feed-token-from-env"),
                    "--api-url=" + api.baseUri(), "--token-url=" + api.tokenEndpoint(), "--client-id=desk-7",
                    "--feed-url=" + feed.uri()));
            assertThat(settings.toString()).doesNotContain("from-env");
            ByteArrayOutputStream printed = new ByteArrayOutputStream();

            MarketDesk.Report report = MarketDesk.run(settings, model,
                    new MarketDesk.Questions(List.of("Buy 5 ACME."), List.of("What are my positions now?"),
                            List.of("What does GLOBEX trade at now?")),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(report.embedded()).isFalse();
            assertThat(api.tokenRequests()).isGreaterThanOrEqualTo(2).isEqualTo(report.api().tokenRequests());
            assertThat(api.refused()).isZero();
            assertThat(feed.subscribes()).isEqualTo(1);
            assertThat(feed.quotes()).isEqualTo(1);
            assertThat(report.feedGenerationAfterRestart()).isEqualTo(1);
            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(output).contains("Brokerage API: " + api.baseUri() + ", token endpoint",
                    "Price feed:    " + feed.uri() + "\n", "Phase 3: the feed is not embedded; no restart",
                    "\"positions\":{\"ACME\":5}");
            assertThat(output).doesNotContain("from-env");
        }
    }
}
