package dev.flowgentic4j.mcp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgentic4j.mcp.McpException;
import dev.flowgentic4j.mcp.McpServerSpec;
import dev.langchain4j.mcp.client.McpCallContext;
import dev.langchain4j.mcp.client.transport.McpOperationHandler;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.protocol.McpClientMessage;
import dev.langchain4j.mcp.protocol.McpInitializationNotification;
import dev.langchain4j.mcp.protocol.McpInitializeRequest;
import dev.langchain4j.mcp.transport.stdio.JsonRpcIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The stdio transport of an MCP service: launches the server's command (with its environment and
 * working directory), exchanges JSON-RPC lines over its stdin and stdout, and knows at once when
 * the server is gone (its process exited, or its output closed). From then on every pending and
 * every new request fails immediately with the reason, instead of waiting for a response that
 * cannot come. Keeps the last lines of the server's stderr for error messages. Thread-safe.
 */
public final class ProcessTransport implements McpTransport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDERR_LINES = 20;

    private final McpServerSpec.Stdio spec;
    private final CompletableFuture<String> gone = new CompletableFuture<>(); // completes with why the server is gone
    private final Deque<String> stderrTail = new ArrayDeque<>();              // guarded by itself
    private volatile Process process;
    private volatile JsonRpcIoHandler io;
    private volatile McpOperationHandler handler;

    public ProcessTransport(McpServerSpec.Stdio spec) {
        this.spec = spec;
    }

    @Override
    public void start(McpOperationHandler messageHandler) {
        this.handler = messageHandler;
        ProcessBuilder builder = new ProcessBuilder(spec.command());
        builder.environment().putAll(spec.environment());
        spec.workingDirectoryIfSet().ifPresent(dir -> builder.directory(dir.toFile()));
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            throw new McpException(spec.name(), spec + " could not be started: " + e.getMessage(), e);
        }
        process = started;
        io = new JsonRpcIoHandler(started.getInputStream(), started.getOutputStream(), messageHandler::handle, false);
        daemon("mcp-" + spec.name() + "-" + started.pid() + "-out", () -> {
            try {
                io.run();
            } catch (RuntimeException e) {
                // a read error ends the output like an end of stream does
            }
            outputClosed(started);
        });
        daemon("mcp-" + spec.name() + "-" + started.pid() + "-err", () -> drainStderr(started));
        started.onExit().thenRun(() -> serverGone(describeExit(started)));
    }

    /** The server's process, once started. */
    public Optional<Process> process() {
        return Optional.ofNullable(process);
    }

    /** Completes with why the server is gone (its process exited or its output closed). */
    public CompletableFuture<String> gone() {
        return gone.copy();
    }

    /** Why the server is gone, or null while it is there. */
    public String goneReason() {
        return gone.getNow(null);
    }

    /** The last lines the server wrote to stderr, joined, or "" if none. */
    public String stderrTail() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    @Override
    public CompletableFuture<JsonNode> initialize(McpInitializeRequest request) {
        return send(request).thenCompose(response -> send(new McpInitializationNotification())
                .thenApply(ignored -> response));
    }

    @Override
    public CompletableFuture<JsonNode> executeOperationWithResponse(McpClientMessage request) {
        return send(request);
    }

    @Override
    public CompletableFuture<JsonNode> executeOperationWithResponse(McpCallContext context) {
        return send(context.message());
    }

    @Override
    public void executeOperationWithoutResponse(McpClientMessage request) {
        send(request);
    }

    @Override
    public void executeOperationWithoutResponse(McpCallContext context) {
        send(context.message());
    }

    @Override
    public void checkHealth() {
        String reason = goneReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
    }

    @Override
    public void onFailure(Runnable actionOnFailure) {
        // a stdio server is not reconnected: its service restarts it as a new generation
    }

    /** Closes the server's stdin and stdout; ending its processes is {@link ProcessTree}'s work. */
    @Override
    public void close() throws IOException {
        JsonRpcIoHandler current = io;
        if (current != null) {
            current.close();
        }
    }

    private CompletableFuture<JsonNode> send(McpClientMessage message) {
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        Long id = message.getId();
        if (id != null) {
            handler.startOperation(id, response);
        }
        String reason = goneReason();
        if (reason == null) {
            try {
                io.submit(JSON.writeValueAsString(message));
            } catch (JsonProcessingException e) {
                response.completeExceptionally(e);
                return response;
            } catch (IOException e) {
                response.completeExceptionally(e);
            }
            reason = goneReason(); // gone while we wrote: the cancellation may have missed this request
        }
        if (reason != null) {
            response.completeExceptionally(new IllegalStateException(reason));
        } else if (id == null) {
            response.complete(null);
        }
        return response;
    }

    private void outputClosed(Process started) {
        try {
            // the output usually closes a moment before the exit is reported: say which exit it was
            if (started.waitFor(200, TimeUnit.MILLISECONDS)) {
                serverGone(describeExit(started));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serverGone("the server process " + started.pid() + " closed its output");
    }

    private void serverGone(String reason) {
        if (gone.complete(reason)) {
            McpOperationHandler current = handler;
            if (current != null) {
                current.cancelAllPendingOperations(reason);
            }
        }
    }

    private static String describeExit(Process started) {
        int code = started.exitValue();
        return "the server process " + started.pid() + " exited with code " + code
                + (code > 128 ? " (killed by signal " + (code - 128) + ")" : "");
    }

    private void drainStderr(Process started) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(started.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // the stream closed with the process
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
