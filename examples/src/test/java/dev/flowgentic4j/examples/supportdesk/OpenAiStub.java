package dev.flowgentic4j.examples.supportdesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted OpenAI-compatible endpoint on 127.0.0.1 for tests: {@code POST /v1/chat/completions}
 * answers a conversation whose last message is not a tool result with a call of
 * {@code searchFaq(keyword)}, and one that ends with a tool result with {@code finalAnswer}. Every
 * request body is recorded.
 */
final class OpenAiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String keyword;
    private final String finalAnswer;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    OpenAiStub(String keyword, String finalAnswer) throws IOException {
        this.keyword = keyword;
        this.finalAnswer = finalAnswer;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private void complete(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            JsonNode messages = request.path("messages");
            boolean afterTool = "tool".equals(messages.get(messages.size() - 1).path("role").asText());
            ObjectNode message = JSON.createObjectNode().put("role", "assistant");
            String finish;
            if (afterTool) {
                message.put("content", finalAnswer);
                finish = "stop";
            } else {
                message.putNull("content");
                ObjectNode call = message.putArray("tool_calls").addObject()
                        .put("id", "call_" + requests.size()).put("type", "function");
                call.putObject("function").put("name", "searchFaq")
                        .put("arguments", JSON.createObjectNode().put("keyword", keyword).toString());
                finish = "tool_calls";
            }
            ObjectNode response = JSON.createObjectNode().put("id", "chatcmpl-" + requests.size())
                    .put("object", "chat.completion").put("created", 0).put("model", request.path("model").asText());
            response.putArray("choices").addObject().put("index", 0).put("finish_reason", finish).set("message", message);
            response.putObject("usage").put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2);
            byte[] body = response.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
