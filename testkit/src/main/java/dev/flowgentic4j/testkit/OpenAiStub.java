package dev.flowgentic4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A scripted OpenAI-compatible chat completions endpoint on 127.0.0.1, for tests that drive a real
 * OpenAI client over HTTP. Answers {@code POST /v1/chat/completions} from a script and records
 * every request body, so tests can assert which tools were offered and which tool results came back.
 * Thread-safe.
 *
 * <pre>{@code
 * try (OpenAiStub stub = OpenAiStub.start()) {
 *     stub.enqueue(StubReply.toolCalls(StubReply.call("get_weather", "{\"city\":\"Oslo\"}")),
 *                  StubReply.text("It is sunny."));
 *     ChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test").modelName("stub").build();
 *     ...
 *     assertThat(stub.requests().get(1).toolResults()).containsExactly("sunny in Oslo");
 * }
 * }</pre>
 */
public final class OpenAiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Queue<StubReply> queue = new ConcurrentLinkedQueue<>();
    private final List<StubRequest> requests = new ArrayList<>();   // guarded by itself
    private final AtomicLong callIds = new AtomicLong();
    private volatile Function<StubRequest, StubReply> responder;
    private volatile boolean requireToolResults;

    private OpenAiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "openai-stub-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** Starts a stub on a free port of 127.0.0.1. */
    public static OpenAiStub start() {
        try {
            return new OpenAiStub();
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the OpenAI stub on 127.0.0.1", e);
        }
    }

    /** The base URL to give an OpenAI client: {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues replies, answered in order, one per request (used when no responder is set). */
    public OpenAiStub enqueue(StubReply... replies) {
        queue.addAll(List.of(replies));
        return this;
    }

    /**
     * Answers every request with {@code responder}, which sees the recorded request. Suits
     * concurrent conversations, where a queue cannot tell them apart.
     */
    public OpenAiStub respondWith(Function<StubRequest, StubReply> responder) {
        this.responder = Objects.requireNonNull(responder, "responder");
        return this;
    }

    /**
     * Rejects, as OpenAI does with HTTP 400, a request in which an assistant message with
     * {@code tool_calls} is not followed by a tool message for each {@code tool_call_id} (see
     * {@link StubRequest#unansweredToolCallIds()}). The request is still recorded.
     */
    public OpenAiStub requireToolResults() {
        this.requireToolResults = true;
        return this;
    }

    /** Every request received so far, in arrival order. */
    public List<StubRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The most recent request. */
    public StubRequest lastRequest() {
        synchronized (requests) {
            if (requests.isEmpty()) {
                throw new IllegalStateException("the stub has received no request");
            }
            return requests.get(requests.size() - 1);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, error("only POST is supported"));
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = JSON.readTree(in);
            }
            StubRequest request = new StubRequest(body);
            synchronized (requests) {
                requests.add(request);
            }
            List<String> unanswered = request.unansweredToolCallIds();
            if (requireToolResults && !unanswered.isEmpty()) {
                send(exchange, 400, error("An assistant message with 'tool_calls' must be followed by tool messages "
                        + "responding to each 'tool_call_id'. The following tool_call_ids did not have response "
                        + "messages: " + String.join(", ", unanswered)));
                return;
            }
            Function<StubRequest, StubReply> current = responder;
            StubReply reply = current != null ? current.apply(request) : queue.poll();
            if (reply == null) {
                send(exchange, 500, error("the stub's script has no reply left for request #" + requests().size()));
                return;
            }
            send(exchange, 200, completion(reply, body.path("model").asText("stub")));
        } catch (RuntimeException e) {
            send(exchange, 500, error("stub failure: " + e));
        }
    }

    private ObjectNode completion(StubReply reply, String model) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-" + callIds.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (reply.toolCalls().isEmpty()) {
            message.put("content", reply.content());
            choice.put("finish_reason", "stop");
        } else {
            message.putNull("content");
            ArrayNode calls = message.putArray("tool_calls");
            for (StubReply.ToolCall call : reply.toolCalls()) {
                ObjectNode c = calls.addObject();
                c.put("id", call.id() != null ? call.id() : "call_" + callIds.incrementAndGet());
                c.put("type", "function");
                ObjectNode function = c.putObject("function");
                function.put("name", call.name());
                function.put("arguments", call.arguments());
            }
            choice.put("finish_reason", "tool_calls");
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", 1);
        usage.put("completion_tokens", 1);
        usage.put("total_tokens", 2);
        return root;
    }

    private static ObjectNode error(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", message).put("type", "stub_error");
        return root;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening and releases the port. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
