package dev.flowgentic4j.mcp;

import dev.flowgentic4j.mcp.internal.ProcessTransport;
import dev.flowgentic4j.mcp.internal.ProcessTree;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.ToolArgumentsException;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.service.tool.ToolExecutionResult;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One live session with one MCP server: for a stdio server, the process it runs in. It is the
 * instance behind an MCP service's {@code ServiceFuture}; a restart replaces it with a new one (new
 * process, new session). Started by {@link McpServices}; {@link #close()} ends the session and the
 * server's whole process tree. Thread-safe.
 *
 * <pre>{@code
 * ServiceFuture<McpServer> files = integration.executionWrappers()
 *     .serviceTask(McpServices.definition(spec, McpOptions.ofDefaults()).build()).start(null);
 * String text = files.call(Duration.ofSeconds(30), server -> server.callTool("read_file", "{\"path\":\"a.txt\"}"));
 * }</pre>
 */
public final class McpServer implements AutoCloseable {
    /** The text langchain4j's client returns for a timed-out call; never shown to a model. */
    private static final String TIMEOUT_MARK = "\u0000flowgentic4j: MCP tool call timed out\u0000";

    private final McpServerSpec spec;
    private final McpOptions options;
    private final ProcessTransport process;   // null for an HTTP server
    private final DefaultMcpClient client;
    private final List<ToolSpecification> tools;
    private final Set<ProcessHandle> seenProcesses = ConcurrentHashMap.newKeySet();
    private volatile long lastPingNanos;
    private volatile boolean closed;

    private McpServer(McpServerSpec spec, McpOptions options, ProcessTransport process, DefaultMcpClient client,
                      List<ToolSpecification> tools) {
        this.spec = spec;
        this.options = options;
        this.process = process;
        this.client = client;
        this.tools = List.copyOf(tools);
        this.lastPingNanos = System.nanoTime();
        rememberProcesses();
    }

    /**
     * Spawns or connects to the server, initializes the session and lists its tools; returns once
     * the tools are listed. On failure nothing is left running.
     *
     * @throws McpException naming the server and what went wrong (a command that cannot run, no
     *     answer to {@code initialize} in time, a refused connection, a server that exited)
     */
    public static McpServer start(McpServerSpec spec, McpOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        ProcessTransport process = spec instanceof McpServerSpec.Stdio stdio ? new ProcessTransport(stdio) : null;
        McpTransport transport = process != null ? process : httpTransport((McpServerSpec.Http) spec, options);
        DefaultMcpClient client = null;
        try {
            client = DefaultMcpClient.builder()
                    .key(spec.name())
                    .clientName("flowgentic4j")
                    .transport(transport)
                    .initializationTimeout(options.initializationTimeout())
                    .toolExecutionTimeout(options.toolTimeout())
                    .toolExecutionTimeoutErrorMessage(TIMEOUT_MARK)
                    .pingTimeout(options.pingTimeout())
                    .autoHealthCheck(false)   // our health monitor pings, and restarts instead of reconnecting
                    .build();
            List<ToolSpecification> tools = client.listTools();
            return new McpServer(spec, options, process, client, tools);
        } catch (RuntimeException e) {
            McpException failure = startFailure(spec, options, process, e);
            if (client != null) {
                client.close();
            }
            try {
                transport.close();
            } catch (Exception ignored) {
                // the process tree is ended below
            }
            if (process != null && process.process().isPresent()) {
                try {
                    ProcessHandle root = process.process().get().toHandle();
                    ProcessTree.end(root, new LinkedHashSet<>(ProcessTree.snapshot(root)), options.stopTimeout());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            throw failure;
        }
    }

    private static McpTransport httpTransport(McpServerSpec.Http spec, McpOptions options) {
        return new StreamableHttpMcpTransport.Builder()
                .url(spec.url().toString())
                .customHeaders(spec.headers())
                .timeout(options.toolTimeout().plus(options.initializationTimeout()))
                .build();
    }

    private static McpException startFailure(McpServerSpec spec, McpOptions options, ProcessTransport process,
                                             RuntimeException e) {
        if (e instanceof McpException mcp) {
            return mcp;
        }
        String reason;
        if (process != null && process.goneReason() != null) {
            reason = "stopped before it listed its tools: " + process.goneReason();
        } else if (hasCause(e, TimeoutException.class)) {
            reason = "did not answer initialize and list its tools within " + options.initializationTimeout();
        } else if (hasCause(e, ConnectException.class) || hasCause(e, HttpConnectTimeoutException.class)) {
            reason = "refused the connection";
        } else {
            reason = "could not be initialized: " + rootMessage(e);
        }
        String stderr = process == null ? "" : process.stderrTail();
        return new McpException(spec.name(), spec + " " + reason + (stderr.isEmpty() ? "" : "; its stderr ends with: "
                + stderr), e);
    }

    /** The server's name. */
    public String name() {
        return spec.name();
    }

    public McpServerSpec spec() {
        return spec;
    }

    /** The tools the server listed when this session started. */
    public List<ToolSpecification> tools() {
        return tools;
    }

    /** The langchain4j client of this session, for what the tools do not cover (resources, prompts). */
    public McpClient client() {
        return client;
    }

    /** The pid of the process this session started (a stdio server), if any. */
    public OptionalLong pid() {
        return process == null ? OptionalLong.empty()
                : process.process().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    /** The pids of every process of this server seen so far: the one started and its descendants. */
    public Set<Long> processIds() {
        rememberProcesses();
        return seenProcesses.stream().map(ProcessHandle::pid).collect(Collectors.toUnmodifiableSet());
    }

    /** Why the server is gone (its process exited or its output closed), if it is. */
    public Optional<String> goneReason() {
        return process == null ? Optional.empty() : Optional.ofNullable(process.goneReason());
    }

    /**
     * The health check: fails at once if the server's process is gone, and sends an MCP ping when
     * the last one is older than the ping interval.
     *
     * @throws McpException naming the server and what is wrong
     */
    public void checkHealth() {
        if (closed) {
            throw new McpException(name(), spec + " is closed", null);
        }
        Optional<String> gone = goneReason();
        if (gone.isPresent()) {
            throw new McpException(name(), spec + " is gone: " + gone.get(), null);
        }
        long now = System.nanoTime();
        if (now - lastPingNanos >= options.pingInterval().toNanos()) {
            rememberProcesses();
            try {
                client.checkHealth();
            } catch (RuntimeException e) {
                throw new McpException(name(), spec + " did not answer a ping within " + options.pingTimeout() + ": "
                        + goneReason().orElse(rootMessage(e)), e);
            }
            lastPingNanos = System.nanoTime();
        }
    }

    /**
     * Calls one of the server's tools and returns its text result. Every failure is an
     * {@link McpException} saying what happened: the server reported an error, the tool is unknown
     * or the arguments invalid, the call timed out (and was cancelled), the server's process is
     * gone, or the result holds content other than text.
     *
     * @param argumentsJson the arguments as a JSON object; null or blank for none
     * @throws McpException as above
     */
    public String callTool(String toolName, String argumentsJson) {
        Objects.requireNonNull(toolName, "toolName");
        String what = "tool '" + toolName + "' of MCP server '" + name() + "'";
        Optional<String> gone = goneReason();
        if (gone.isPresent()) {
            throw new McpException(name(), what + " cannot be called: " + gone.get(), null);
        }
        ToolExecutionResult result;
        try {
            result = client.executeTool(ToolExecutionRequest.builder().name(toolName)
                    .arguments(argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson).build());
        } catch (ToolArgumentsException e) {
            if (tools.stream().noneMatch(t -> t.name().equals(toolName))) {
                throw new McpException(name(), what + " does not exist (its tools: " + tools.stream()
                        .map(ToolSpecification::name).collect(Collectors.joining(", ")) + "): " + rootMessage(e), e);
            }
            throw new McpException(name(), what + " rejected its arguments: " + rootMessage(e), e);
        } catch (ToolExecutionException e) {
            throw failure(what, e.errorCode() == null ? " returned an error: " : " failed (MCP error "
                    + e.errorCode() + "): ", e);
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Unsupported content type")) {
                throw new McpException(name(), what + " returned content an agent cannot read as text ("
                        + e.getMessage() + ")", e);
            }
            throw failure(what, " failed: ", e);
        }
        if (TIMEOUT_MARK.equals(result.resultText())) {
            throw new McpException(name(), what + " timed out after " + options.toolTimeout()
                    + " (the call was cancelled; its result is unknown)", null);
        }
        return result.resultText();
    }

    private McpException failure(String what, String kind, RuntimeException e) {
        Optional<String> gone = goneReason();
        if (gone.isPresent()) {
            return new McpException(name(), what + " failed: " + gone.get() + " during the call", e);
        }
        return new McpException(name(), what + kind + rootMessage(e), e);
    }

    /**
     * Ends the session and the server: closes the client (the server's stdin), then ends its whole
     * process tree within the stop timeout, forcibly for what does not end politely. Idempotent.
     *
     * @throws McpException naming the pids that were still alive at the deadline
     */
    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        rememberProcesses();
        client.close();
        if (process == null) {
            return;
        }
        ProcessHandle root = process.process().orElseThrow().toHandle();
        List<Long> survivors = ProcessTree.end(root, Set.copyOf(seenProcesses), options.stopTimeout());
        if (!survivors.isEmpty()) {
            throw new McpException(name(), spec + ": processes " + survivors + " were still alive "
                    + options.stopTimeout() + " after the stop began", null);
        }
    }

    private void rememberProcesses() {
        if (process != null) {
            process.process().ifPresent(p -> seenProcesses.addAll(ProcessTree.snapshot(p.toHandle())));
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return spec + pid().stream().mapToObj(p -> " pid " + p).findFirst().orElse("");
    }
}
