package dev.flowgentic4j.quickstart;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenAI-compatible chat endpoint of the example programs, read from the environment the same
 * way by each of them: {@value #KEY_VARIABLE} (required), {@value #URL_VARIABLE} (default
 * {@value #DEFAULT_BASE_URL}) and {@value #MODEL_VARIABLE} (default {@value #DEFAULT_MODEL}). The key
 * never appears in {@link #toString()} or in anything printed.
 *
 * <pre>{@code
 * Optional<OpenAiEndpoint> endpoint = OpenAiEndpoint.fromEnvironment(System.getenv());
 * if (endpoint.isEmpty()) {
 *     OpenAiEndpoint.printHowToConfigure("MyAgent", System.err);
 *     System.exit(2);
 * }
 * ChatModel model = endpoint.get().chatModel();
 * }</pre>
 */
public record OpenAiEndpoint(String baseUrl, String apiKey, String modelName) {
    public static final String KEY_VARIABLE = "OPENAI_API_KEY";
    public static final String URL_VARIABLE = "OPENAI_BASE_URL";
    public static final String MODEL_VARIABLE = "OPENAI_MODEL";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    public static final String DEFAULT_MODEL = "gpt-4o-mini";
    /** How long one request to the endpoint may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** @throws NullPointerException if an argument is null */
    public OpenAiEndpoint {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(modelName, "modelName");
    }

    /** The endpoint {@code env} describes, or empty when it sets no (or a blank) {@value #KEY_VARIABLE}. */
    public static Optional<OpenAiEndpoint> fromEnvironment(Map<String, String> env) {
        String key = env.get(KEY_VARIABLE);
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new OpenAiEndpoint(env.getOrDefault(URL_VARIABLE, DEFAULT_BASE_URL), key,
                env.getOrDefault(MODEL_VARIABLE, DEFAULT_MODEL)));
    }

    /** Tells the user of {@code program} which variables to set. */
    public static void printHowToConfigure(String program, PrintStream err) {
        err.println(program + " needs an OpenAI-compatible chat endpoint. Set:");
        err.println("  " + KEY_VARIABLE + "   the API key (required)");
        err.println("  " + URL_VARIABLE + "  the endpoint, default " + DEFAULT_BASE_URL);
        err.println("  " + MODEL_VARIABLE + "     a model that supports tool calls, default " + DEFAULT_MODEL);
    }

    /** A chat model on this endpoint: {@link #TIMEOUT} per request, one retry. */
    public ChatModel chatModel() {
        return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(modelName).timeout(TIMEOUT)
                .maxRetries(1).build();
    }

    /** The connection failure at the root of {@code failure}, if an endpoint could not be reached. */
    public static Optional<Throwable> unreachableCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof HttpConnectTimeoutException) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * What to do when {@code what} (say, {@code "the chat endpoint http://..."}) could not be reached
     * because of {@code cause}: one paragraph naming the variables that configure it.
     */
    public static String unreachableAdvice(String what, Throwable cause) {
        return what + " is unreachable (" + cause + "). Configure it with the "
                + "environment variables " + URL_VARIABLE + " (any OpenAI-compatible server, default "
                + DEFAULT_BASE_URL + "), " + KEY_VARIABLE + " and " + MODEL_VARIABLE + ", or start a local "
                + "OpenAI-compatible server and point " + URL_VARIABLE + " at it.";
    }

    @Override
    public String toString() {
        return "OpenAiEndpoint[" + baseUrl + ", model=" + modelName + ", apiKey=***]";
    }
}
