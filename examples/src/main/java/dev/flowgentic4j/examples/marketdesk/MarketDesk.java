package dev.flowgentic4j.examples.marketdesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgentic4j.examples.supportdesk.SupportAgent;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.patterns.ApiClientService;
import dev.flowgentic4j.patterns.ApiClientSettings;
import dev.flowgentic4j.patterns.ApiClientStats;
import dev.flowgentic4j.patterns.ApiCredentials;
import dev.flowgentic4j.patterns.ApiSecret;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.patterns.websocket.Subscription;
import dev.flowgentic4j.patterns.websocket.SubscriptionSpec;
import dev.flowgentic4j.patterns.websocket.WebSocketService;
import dev.flowgentic4j.patterns.websocket.WebSocketSettings;
import dev.flowgentic4j.patterns.websocket.WebSocketStats;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * The MarketDesk: a ReAct agent that trades on a brokerage API and reads a live price feed, both
 * persistent services started once:
 *
 * <ul>
 *   <li>{@code api_client} ({@link ApiClientService}): OAuth 2.0 client credentials against the token
 *       endpoint, the tools {@code get_account} and {@code place_order};</li>
 *   <li>{@code websocket} ({@link WebSocketService}): the price feed, the tool {@code live_price}
 *       (request/reply by correlation id) and the graph node {@code market_snapshot}, which reads
 *       the ticks of the feed's {@code prices} subscription.</li>
 * </ul>
 *
 * <pre>
 *   START -> market_snapshot (service node: feed) -> agent (ReAct; tools on the API client and the feed) -> END
 * </pre>
 *
 * It asks its questions in three phases and prints the evidence: one token request for every call
 * while the first token is valid, one renewal after it expired, and a reconnect after the feed
 * server restarts with the subscription restored (no tick lost to a dead subscription); then the
 * counters of each instance. By default both servers are embedded (a JDK HTTP server with a token
 * endpoint; a Jetty WebSocket feed); {@code --api-url}, {@code --token-url}, {@code --client-id}
 * (secret in {@code MARKETDESK_CLIENT_SECRET}) and {@code --feed-url} (token in
 * {@code MARKETDESK_FEED_TOKEN}) point it at real ones. The chat model is any OpenAI-compatible
 * endpoint ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code OPENAI_MODEL}).
 */
public final class MarketDesk {
    static final Duration READY = Duration.ofSeconds(30);
    static final Duration CALL = Duration.ofSeconds(10);
    static final String SUBSCRIBE = "{\"op\":\"subscribe\",\"channel\":\"prices\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The questions of each phase. */
    public record Questions(List<String> beforeExpiry, List<String> afterRenewal, List<String> afterFeedRestart) {
        public static Questions defaults() {
            return new Questions(
                    List.of("How much cash do I have, and what does ACME trade at right now?",
                            "Buy 5 ACME at market."),
                    List.of("What are my positions now?"),
                    List.of("What does GLOBEX trade at now?"));
        }
    }

    /**
     * Where the servers are. Empty URLs mean embedded servers; {@code tokenLifetime} is the
     * embedded token endpoint's (a real one announces its own).
     */
    public record Settings(Optional<URI> apiUrl, Optional<URI> tokenUrl, String clientId, Optional<ApiSecret> clientSecret,
                           Optional<URI> feedUrl, Optional<ApiSecret> feedToken, Duration tokenLifetime) {
        public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(5);

        /** @throws IllegalArgumentException if a real API is named without its token URL or secret */
        public static Settings from(Options options) {
            Optional<URI> api = options.value("api-url", "MARKETDESK_API_URL").map(URI::create);
            Optional<URI> token = options.value("token-url", "MARKETDESK_TOKEN_URL").map(URI::create);
            Optional<ApiSecret> secret = options.environmentValue("MARKETDESK_CLIENT_SECRET").map(ApiSecret::of);
            if (api.isPresent() && (token.isEmpty() || secret.isEmpty())) {
                throw new IllegalArgumentException("--api-url needs --token-url (or MARKETDESK_TOKEN_URL) and the "
                        + "environment variable MARKETDESK_CLIENT_SECRET");
            }
            Optional<URI> feed = options.value("feed-url", "MARKETDESK_FEED_URL").map(URI::create);
            Optional<ApiSecret> feedToken = options.environmentValue("MARKETDESK_FEED_TOKEN").map(ApiSecret::of);
            return new Settings(api, token, options.value("client-id", "MARKETDESK_CLIENT_ID").orElse("market-desk"),
                    secret, feed, feedToken,
                    Duration.ofSeconds(options.intValue("token-lifetime-s", null, (int) DEFAULT_TOKEN_LIFETIME.toSeconds())));
        }

        public static Settings embedded(Duration tokenLifetime) {
            return new Settings(Optional.empty(), Optional.empty(), "market-desk", Optional.empty(), Optional.empty(),
                    Optional.empty(), tokenLifetime);
        }

        @Override
        public String toString() {
            return "MarketDesk.Settings[api " + apiUrl.map(URI::toString).orElse("embedded") + ", feed "
                    + feedUrl.map(URI::toString).orElse("embedded") + ", secrets hidden]";
        }
    }

    /**
     * What a run showed.
     *
     * @param tokenRequestsBeforeExpiry token requests after the first phase (1 if every call used the first token)
     * @param tokenRequestsAfterRenewal token requests after the second phase (one more: the renewal)
     * @param feedGenerationAfterRestart the feed connection's generation after the restart (2 for one reconnect)
     * @param ticksAfterRestart ticks the subscription received on the new connection
     */
    public record Report(List<String> answers, long tokenRequestsBeforeExpiry, long tokenRequestsAfterRenewal,
                         long feedGenerationAfterRestart, long ticksAfterRestart, ApiClientStats api,
                         WebSocketStats feed, Map<String, Long> toolCalls, long snapshots, boolean embedded) {}

    private MarketDesk() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.of(System.getenv(), args);
        Optional<SupportAgent.Settings> chat = SupportAgent.Settings.from(options);
        if (chat.isEmpty()) {
            System.err.println("MarketDesk needs an OpenAI-compatible chat endpoint. Set:");
            System.err.println("  OPENAI_API_KEY   the API key");
            System.err.println("  OPENAI_BASE_URL  the endpoint, default " + SupportAgent.Settings.DEFAULT_BASE_URL);
            System.err.println("  OPENAI_MODEL     a model that supports tool calls, default " + SupportAgent.Settings.DEFAULT_MODEL);
            System.exit(2);
        }
        SupportAgent.Settings c = chat.get();
        ChatModel model = OpenAiChatModel.builder().baseUrl(c.baseUrl()).apiKey(c.apiKey()).modelName(c.modelName())
                .timeout(c.timeout()).maxRetries(1).build();
        run(Settings.from(options), model, Questions.defaults(), System.out);
    }

    /** Starts the servers (unless real ones are configured) and the two services once, then asks the questions. */
    public static Report run(Settings settings, ChatModel model, Questions questions, PrintStream out) throws Exception {
        PriceBoard board = new PriceBoard();
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String feedSecret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        boolean embeddedApi = settings.apiUrl().isEmpty();
        boolean embeddedFeed = settings.feedUrl().isEmpty();
        try (MarketApiServer apiServer = embeddedApi
                     ? new MarketApiServer(board, settings.clientId(), secret, settings.tokenLifetime()) : null;
             PriceFeedServer feedServer = embeddedFeed ? new PriceFeedServer(board, feedSecret) : null;
             LangGraphIntegration integration = LangGraphIntegration.create()) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            URI apiUrl = embeddedApi ? apiServer.baseUri() : settings.apiUrl().get();
            URI tokenUrl = embeddedApi ? apiServer.tokenEndpoint() : settings.tokenUrl().get();
            ApiSecret clientSecret = embeddedApi ? ApiSecret.of(secret) : settings.clientSecret().get();
            URI feedUrl = embeddedFeed ? feedServer.uri() : settings.feedUrl().get();
            out.println("Brokerage API: " + apiUrl + (embeddedApi ? " (embedded; tokens live "
                    + settings.tokenLifetime().toSeconds() + " s)" : "") + ", token endpoint " + tokenUrl);
            out.println("Price feed:    " + feedUrl + (embeddedFeed ? " (embedded)" : ""));

            // the two SERVICE_TASKs, started once for every question below
            ServiceFuture<ApiClientService> api = wrappers.serviceTask(PatternServices.apiClient()).start(
                    ApiClientSettings.builder(apiUrl)
                            .name("brokerage")
                            .credentials(ApiCredentials.clientCredentials(tokenUrl, settings.clientId(), clientSecret,
                                    Set.of("trade")))
                            .renewalMargin(Duration.ofSeconds(1))
                            .build());
            WebSocketSettings.Builder feedSettings = WebSocketSettings.builder(feedUrl).name("prices")
                    .ping(Duration.ofSeconds(2), Duration.ofSeconds(2))
                    .subscription(SubscriptionSpec.of("prices", m -> m.contains("\"type\":\"price\""))
                            .onConnect(SUBSCRIBE).capacity(256));
            Optional<String> feedToken = embeddedFeed ? Optional.of(feedSecret) : settings.feedToken().map(ApiSecret::reveal);
            feedToken.ifPresent(t -> feedSettings.header("Authorization", "Bearer " + t));
            ServiceFuture<WebSocketService> feed = wrappers.serviceTask(PatternServices.webSocket()).start(feedSettings.build());
            api.awaitRunning(READY);
            feed.awaitRunning(READY);
            out.println("Services: " + api.name() + " started in " + api.startupDuration().map(Duration::toMillis).orElse(-1L)
                    + " ms, " + feed.name() + " in " + feed.startupDuration().map(Duration::toMillis).orElse(-1L) + " ms");

            Map<String, AtomicLong> toolCalls = new TreeMap<>();
            Map<ToolSpecification, ToolExecutor> tools = tools(wrappers, api, feed, toolCalls);
            CompiledGraph<AgentExecutor.State> agent = Graphs.compile(wrappers.reactAgent(model, tools,
                    ReactAgentConfig.builder().systemMessage("You are a trading desk assistant. Use the tools for "
                            + "prices, the account and orders; never guess a price. Be brief.").maxIterations(6).build()));
            AtomicLong snapshots = new AtomicLong();
            CompiledGraph<AgentExecutor.State> graph = Graphs.compile(Graphs.define(() ->
                    new StateGraph<>(MessagesState.SCHEMA, AgentExecutor.Serializers.STD.object())
                            .addNode("market_snapshot", wrappers.<WebSocketService, AgentExecutor.State>serviceNode(
                                    feed, (ws, state) -> {
                                        snapshots.incrementAndGet();
                                        out.println("  [node] " + snapshot(ws));
                                        return Map.of();
                                    }))
                            .addNode("agent", agent)
                            .addEdge(StateGraph.START, "market_snapshot")
                            .addEdge("market_snapshot", "agent")
                            .addEdge("agent", StateGraph.END)));

            List<String> answers = new ArrayList<>();
            out.println();
            out.println("Phase 1: questions while the first token is valid");
            ask(graph, questions.beforeExpiry(), answers, out);
            long beforeExpiry = api.join().tokenRequests();
            out.println("  -> token requests so far: " + beforeExpiry + " (for " + api.join().stats().calls() + " API calls)");

            Duration lifetime = api.join().tokenLifetime().orElse(settings.tokenLifetime());
            out.println();
            if (lifetime.compareTo(Duration.ofSeconds(60)) <= 0) {
                out.println("Phase 2: waiting " + lifetime.toMillis() + " ms for the token to expire, then asking again");
                Thread.sleep(lifetime.toMillis());
            } else {
                out.println("Phase 2: the token lives " + lifetime.toSeconds() + " s; not waiting for its expiry");
            }
            ask(graph, questions.afterRenewal(), answers, out);
            long afterRenewal = api.join().tokenRequests();
            out.println("  -> token requests so far: " + afterRenewal + " (one renewal after the expiry)");

            out.println();
            long ticksAfterRestart = 0;
            if (embeddedFeed) {
                out.println("Phase 3: the feed server restarts");
                Subscription prices = feed.join().subscription("prices");
                feedServer.restart();
                long restartedAt = board.seq();   // the old connection is gone: later ticks come on a new one
                WebSocketService ws = feed.join();
                Optional<String> first = Optional.empty();
                long deadline = System.nanoTime() + READY.toNanos();
                while (first.isEmpty() && System.nanoTime() < deadline) {
                    first = prices.poll(Duration.ofMillis(500)).filter(tick -> seqOf(tick) > restartedAt);
                }
                ticksAfterRestart = first.isPresent() ? 1 + prices.drain(10_000).size() : 0;
                out.println("  -> feed connection generation " + ws.generation() + "; subscription restored "
                        + prices.stats().restored() + " time(s); first tick on the new connection: " + first.orElse("(none)"));
            } else {
                out.println("Phase 3: the feed is not embedded; no restart (a reconnect would show in the counters)");
            }
            ask(graph, questions.afterFeedRestart(), answers, out);

            ApiClientStats apiStats = api.join().stats();
            WebSocketStats feedStats = feed.join().stats();
            out.println();
            out.println("Counters per instance:");
            out.printf(Locale.ROOT, "  %s: %d API calls, %d token requests, %d renewals after 401, %d retries, %d failures; "
                            + "handle calls %d%n", api.name(), apiStats.calls(), apiStats.tokenRequests(),
                    apiStats.renewalsAfter401(), apiStats.retries(), apiStats.failures(), api.callCount());
            Subscription.Stats sub = feedStats.subscription("prices").orElseThrow();
            out.printf(Locale.ROOT, "  %s: generation %d (%d reconnects), %d sent, %d received, %d replies, %d pings/%d pongs; "
                            + "subscription 'prices': %d ticks taken, %d dropped, restored %d; handle calls %d%n",
                    feed.name(), feedStats.generation(), feedStats.reconnects(), feedStats.sent(), feedStats.received(),
                    feedStats.replies(), feedStats.pings(), feedStats.pongs(), sub.taken(),
                    sub.droppedOldest() + sub.droppedNewest(), sub.restored(), feed.callCount());
            Map<String, Long> calls = new TreeMap<>();
            toolCalls.forEach((name, n) -> calls.put(name, n.get()));
            out.println("  tool calls: " + calls + "; market_snapshot node runs: " + snapshots.get());
            if (embeddedApi) {
                out.println("  embedded API server: " + apiServer.tokenRequests() + " tokens issued, "
                        + apiServer.refused() + " calls refused");
            }
            return new Report(answers, beforeExpiry, afterRenewal, feedStats.generation(), ticksAfterRestart, apiStats,
                    feedStats, calls, snapshots.get(), embeddedApi && embeddedFeed);
        }
    }

    private static void ask(CompiledGraph<AgentExecutor.State> graph, List<String> questions, List<String> answers,
                            PrintStream out) {
        for (String question : questions) {
            out.println("Q: " + question);
            AgentExecutor.State state = graph.invoke(Map.of("messages", UserMessage.from(question))).orElseThrow();
            String answer = state.finalResponse().orElse("(no answer)");
            answers.add(answer);
            out.println("A: " + answer);
        }
    }

    /** The feed's state as the graph node sees it: the latest price per symbol among the buffered ticks. */
    static String snapshot(WebSocketService ws) {
        Subscription prices = ws.subscription("prices");
        Map<String, String> last = new TreeMap<>();
        List<String> ticks = prices.drain(10_000);
        for (String tick : ticks) {
            try {
                JsonNode node = JSON.readTree(tick);
                last.put(node.path("symbol").asText("?"), node.path("price").asText("?"));
            } catch (Exception e) {
                // not a tick of ours: skipped
            }
        }
        return "feed generation " + ws.generation() + ": " + ticks.size() + " ticks since the last look, latest " + last;
    }

    private static long seqOf(String tick) {
        try {
            return JSON.readTree(tick).path("seq").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** The agent's tools: AGENT_TOOL_AS_SERVICE on the one API client and the one feed connection. */
    static Map<ToolSpecification, ToolExecutor> tools(ExecutionWrappers wrappers, ServiceFuture<ApiClientService> api,
                                                      ServiceFuture<WebSocketService> feed, Map<String, AtomicLong> calls) {
        for (String name : List.of("get_account", "place_order", "live_price")) {
            calls.put(name, new AtomicLong());
        }
        return AgentTools.merge(
                wrappers.agentToolAsService(api, "get_account", "Returns the trading account: cash and positions",
                        List.of(), (client, args) -> {
                            calls.get("get_account").incrementAndGet();
                            return client.get("/account").body();
                        }),
                wrappers.agentToolAsService(api, "place_order", "Places a market order and returns the fill",
                        List.of(ToolParameter.required("symbol", String.class, "ACME, GLOBEX or INITECH"),
                                ToolParameter.required("side", String.class, "buy or sell"),
                                ToolParameter.required("quantity", Integer.class, "how many shares, 1 to 1000")),
                        (client, args) -> {
                            calls.get("place_order").incrementAndGet();
                            ObjectNode order = JSON.createObjectNode();
                            order.put("symbol", args.get("symbol", String.class));
                            order.put("side", args.get("side", String.class));
                            order.put("quantity", args.get("quantity", Integer.class));
                            return client.post("/orders", order.toString()).body();
                        }),
                wrappers.agentToolAsService(feed, "live_price", "The live price of a symbol, from the price feed",
                        List.of(ToolParameter.required("symbol", String.class, "ACME, GLOBEX or INITECH")),
                        (ws, args) -> {
                            calls.get("live_price").incrementAndGet();
                            ObjectNode quote = JSON.createObjectNode();
                            quote.put("op", "quote");
                            quote.put("symbol", args.get("symbol", String.class));
                            return ws.request(quote.toString(), CALL);
                        }));
    }
}
