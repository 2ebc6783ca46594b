package dev.flowgentic4j.examples.supportdesk;

import dev.flowgentic4j.patterns.DatabasePool;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.quickstart.OpenAiEndpoint;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The SupportDesk's optional agent step: a langchain4j AI service over an OpenAI-compatible chat
 * model that rephrases the FAQ answer for the customer, with one tool, {@code searchFaq}, that
 * queries the FAQ table through the shared pool service. A persistent service of its own (the
 * authenticated API client is built once). Thread-safe.
 */
public final class SupportAgent {

    /**
     * Where the chat model is: {@code OPENAI_BASE_URL} (default OpenAI's), {@code OPENAI_API_KEY} and
     * {@code OPENAI_MODEL}. The key never appears in {@link #toString()}.
     */
    public record Settings(String baseUrl, String apiKey, String modelName, Duration timeout) {
        public static final String DEFAULT_BASE_URL = OpenAiEndpoint.DEFAULT_BASE_URL;
        public static final String DEFAULT_MODEL = OpenAiEndpoint.DEFAULT_MODEL;

        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(modelName, "modelName");
            Objects.requireNonNull(timeout, "timeout");
        }

        /** Present when {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} is set (options: {@code --openai-base-url}). */
        public static Optional<Settings> from(Options options) {
            Optional<String> key = options.environmentValue("OPENAI_API_KEY");
            Optional<String> url = options.value("openai-base-url", "OPENAI_BASE_URL");
            if (key.isEmpty() && url.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Settings(url.orElse(DEFAULT_BASE_URL), key.orElse("not-needed"),
                    options.value("openai-model", "OPENAI_MODEL").orElse(DEFAULT_MODEL), Duration.ofSeconds(60)));
        }

        @Override
        public String toString() {
            return "SupportAgent.Settings[" + baseUrl + ", model=" + modelName + ", apiKey=***]";
        }
    }

    /** The AI service langchain4j implements. */
    interface Rephraser {
        @SystemMessage("You are a friendly support agent. Rephrase the FAQ answer for the customer in one or two "
                + "sentences. Use the searchFaq tool if another FAQ entry could help. Never invent facts.")
        @UserMessage("Customer question: {{question}}\nFAQ answer: {{answer}}")
        String rephrase(@V("question") String question, @V("answer") String answer);
    }

    /**
     * The tool the model may call, AGENT_TOOL_AS_SERVICE on the shared pool: every call resolves the
     * live pool through its handle; a bad argument or a failing query comes back as an error result.
     */
    static Map<ToolSpecification, ToolExecutor> faqTools(ServiceFuture<DatabasePool> pool, Duration readyTimeout,
                                                         AtomicLong calls) {
        return AgentTools.serviceFunction(pool, "searchFaq",
                "Searches the support FAQ for entries whose question or answer contains a keyword",
                List.of(ToolParameter.required("keyword", String.class,
                        "a single keyword, for example 'password' or 'invoice'")),
                (p, args) -> {
                    calls.incrementAndGet();
                    String keyword = args.get("keyword", String.class);
                    List<FaqStore.Faq> rows = FaqStore.search(p, keyword);
                    if (rows.isEmpty()) {
                        return "No FAQ entry mentions '" + keyword + "'.";
                    }
                    return rows.stream().map(f -> "Q: " + f.question() + " A: " + f.answer())
                            .collect(Collectors.joining("\n"));
                }, readyTimeout);
    }

    private final Settings settings;
    private final Rephraser rephraser;
    private final AtomicLong toolCalls;

    private SupportAgent(Settings settings, Rephraser rephraser, AtomicLong toolCalls) {
        this.settings = settings;
        this.rephraser = rephraser;
        this.toolCalls = toolCalls;
    }

    /** Builds the chat client and the AI service; the tool reaches the database through {@code pool}. */
    public static SupportAgent create(Settings settings, ServiceFuture<DatabasePool> pool, Duration readyTimeout) {
        OpenAiChatModel chat = OpenAiChatModel.builder()
                .baseUrl(settings.baseUrl())
                .apiKey(settings.apiKey())
                .modelName(settings.modelName())
                .timeout(settings.timeout())
                .maxRetries(1)
                .build();
        AtomicLong toolCalls = new AtomicLong();
        Map<ToolSpecification, ToolExecutor> tools = faqTools(pool, readyTimeout, toolCalls);
        Rephraser rephraser = AiServices.builder(Rephraser.class).chatModel(chat).tools(tools)
                .hallucinatedToolNameStrategy(AgentTools.unknownToolStrategy(tools))
                .build();
        return new SupportAgent(settings, rephraser, toolCalls);
    }

    /** The answer rephrased for the customer (the model may call {@code searchFaq} first). */
    public String rephrase(String question, String answer) {
        return rephraser.rephrase(question, answer);
    }

    /** Tool calls the model made so far. */
    public long toolCalls() {
        return toolCalls.get();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "SupportAgent[" + settings.baseUrl() + ", " + settings.modelName() + "]";
    }
}
