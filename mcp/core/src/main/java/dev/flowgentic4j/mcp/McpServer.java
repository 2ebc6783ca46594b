package dev.flowgentic4j.mcp;

import dev.flowgentic4j.mcp.internal.BoundedText;
import dev.flowgentic4j.mcp.internal.ProcessGuard;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private final AtomicInteger callsPending = new AtomicInteger();
    private volatile long lastPingNanos;
    private volatile boolean closed;
    /** After a call timed out: completes true once the server answers again, false if it stays silent. */
    private volatile CompletableFuture<Boolean> probe = CompletableFuture.completedFuture(true);
    private int pingFailures; // the health check's, one check at a time
    private final AtomicLong missedPings = new AtomicLong();

    private McpServer(McpServerSpec spec, McpOptions options, ProcessTransport process, DefaultMcpClient client,
                      List<ToolSpecification> tools) {
        this.spec = spec;
        this.options = options;
        this.process = process;
        this.client = client;
        this.tools = List.copyOf(tools);
        this.lastPingNanos = System.nanoTime();
        if (process != null) {
            process.serverPid(); // known from now on, also for the message when it exits
            process.gone().thenRun(() -> probe.complete(false)); // calls waiting for a verdict stop waiting
        }
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
        ProcessTransport process = spec instanceof McpServerSpec.Stdio stdio ? new ProcessTransport(stdio, options) : null;
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
                    Set<ProcessHandle> all = new LinkedHashSet<>(ProcessTree.snapshot(root));
                    all.addAll(ProcessGuard.carrying(process.token()));
                    ProcessTree.end(root, all, options.stopTimeout());
                    ProcessGuard.forget(process.token());
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
        String stderr = process == null ? "" : process.stderrTailAfterExit();
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

    /**
     * The pid of the server's command (a stdio server), if any. Where the process guard runs (Linux),
     * it is the guard's child; {@link #processIds()} holds both.
     */
    public OptionalLong pid() {
        return process == null || process.process().isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(process.serverPid());
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
     * Completes with why the server is gone, the moment it is: for a stdio server, the exit of the
     * process we started (where the process guard runs, it exits as soon as the
     * server's own process does, and the JVM hears its own child's exit at once, where a
     * grandchild's exit could only be polled), the end of the server's output, or this session
     * declaring it gone (it stopped answering after a timed-out call, wrote an oversized message, or
     * was closed). Never completes for an HTTP server. An MCP service's {@code diesWhen} is this.
     */
    public java.util.concurrent.CompletionStage<String> whenGone() {
        return process == null ? new CompletableFuture<>() : process.gone();
    }

    /** The options this session runs with. */
    public McpOptions options() {
        return options;
    }

    /** Tool calls sent to the server and not yet answered (nor timed out). */
    public int callsPending() {
        return callsPending.get();
    }

    /**
     * The health check: fails at once if the server's process is gone, or if it stays silent for a
     * ping after a call that timed out was cancelled; otherwise pings an idle server that was quiet
     * for the ping interval, and fails once {@link McpOptions#pingFailuresBeforeRestart()} pings in
     * a row went unanswered. Never pings while calls are pending: a server busy answering them (many
     * handle one message at a time) is judged by their timeouts, not by a ping it cannot answer yet.
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
        CompletableFuture<Boolean> currentProbe = probe;
        if (!currentProbe.isDone()) {
            if (callsPending.get() > 0) {
                return; // the calls sent before the timeout are answered (or time out) first
            }
            try {
                ping();
                currentProbe.complete(true);
                return;
            } catch (RuntimeException e) {
                String reason = "the server did not answer a ping within " + options.pingTimeout()
                        + " after a tool call that timed out was cancelled: it is hung";
                if (process != null) {
                    process.markGone(reason);
                }
                currentProbe.complete(false);
                throw new McpException(name(), spec + " is replaced: " + reason, e);
            }
        }
        if (callsPending.get() > 0) {
            return;
        }
        long now = System.nanoTime();
        long lastHeard = Math.max(lastPingNanos, process == null ? lastPingNanos : process.lastHeardNanos());
        if (now - lastHeard < options.pingInterval().toNanos()) {
            return;
        }
        rememberProcesses();
        try {
            ping();
            pingFailures = 0;
        } catch (RuntimeException e) {
            if (goneReason().isPresent()) {
                throw new McpException(name(), spec + " is gone: " + goneReason().get(), e);
            }
            if (callsPending.get() > 0) {
                return; // a call came in while the ping waited: the server may be busy with it
            }
            pingFailures++;
            missedPings.incrementAndGet();
            lastPingNanos = System.nanoTime();
            if (pingFailures >= options.pingFailuresBeforeRestart()) {
                throw new McpException(name(), spec + " did not answer " + pingFailures + " pings in a row within "
                        + options.pingTimeout() + " each: " + rootMessage(e), e);
            }
        }
    }

    /** How many pings went unanswered (failed) in this session, in all. */
    public long missedPings() {
        return missedPings.get();
    }

    private void ping() {
        client.checkHealth();
        lastPingNanos = System.nanoTime();
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
        awaitProbe(what);
        Optional<String> gone = goneReason();
        if (gone.isPresent()) {
            throw new McpServerGoneException(name(), what + " cannot be called: " + gone.get(), null);
        }
        if (closed) {
            throw new McpServerGoneException(name(), what + " cannot be called: this session is closed", null);
        }
        ToolExecutionResult result;
        callsPending.incrementAndGet();
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
            if (e.errorCode() == null && goneReason().isEmpty() && e.getMessage() != null
                    && !hasCause(e, ProcessTransport.ServerMessageException.class)
                    && !hasCause(e, IllegalStateException.class)) {
                // the server's own error text, for the model: cut like any result
                throw new McpException(name(), what + " returned an error: "
                        + McpTools.cut(e.getMessage(), options.maxResultChars()), e);
            }
            throw failure(what, e.errorCode() == null ? " failed: " : " failed (MCP error " + e.errorCode() + "): ", e);
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Unsupported content type")) {
                throw new McpException(name(), what + " returned content an agent cannot read as text ("
                        + e.getMessage() + ")", e);
            }
            throw failure(what, " failed: ", e);
        } finally {
            callsPending.decrementAndGet();
        }
        if (TIMEOUT_MARK.equals(result.resultText())) {
            if (probe.isDone()) {
                probe = new CompletableFuture<>(); // the next health check asks whether the server answers again
            }
            throw new McpException(name(), what + " timed out after " + options.toolTimeout()
                    + " (the call was cancelled on the server; its result is unknown)", null);
        }
        return result.resultText();
    }

    /** After a timed-out call, waits (within the tool timeout) until the server is known to answer again. */
    private void awaitProbe(String what) {
        CompletableFuture<Boolean> current = probe;
        if ((current.isDone() && current.getNow(true)) || closed || goneReason().isPresent()) {
            return; // nothing to wait for (a gone or closed server is refused right after this)
        }
        Boolean answers;
        try {
            answers = current.get(options.toolTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpException(name(), what + " was interrupted while the server was checked", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new McpException(name(), what + " timed out after " + options.toolTimeout()
                    + " waiting for the server to answer again after an earlier call timed out", null);
        }
        if (!answers) {
            throw new McpServerGoneException(name(), what + " cannot be called: " + goneReason()
                    .orElse("the server stopped answering after an earlier call timed out"), null);
        }
    }

    private McpException failure(String what, String kind, RuntimeException e) {
        Optional<String> gone = goneReason();
        if (gone.isPresent() && hasCause(e, ProcessTransport.NotSentException.class)) {
            return new McpServerGoneException(name(), what + " cannot be called: " + gone.get(), e);
        }
        if (gone.isPresent()) {
            return new McpServerDiedException(name(), what + " failed: " + gone.get() + " during the call", e);
        }
        if (hasCause(e, ProcessTransport.ServerMessageException.class)) {
            return new McpException(name(), what + " failed: " + rootMessage(e), e);
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
        probe.complete(false);
        rememberProcesses();
        if (process != null) {
            // calls in flight read this, not the exit code of the signal we are about to send
            process.markGone("the server was stopped by its service (a stop, or a restart replacing it)");
        }
        client.close();
        if (process == null) {
            return;
        }
        ProcessHandle root = process.process().orElseThrow().toHandle();
        Set<ProcessHandle> all = new LinkedHashSet<>(seenProcesses);
        all.addAll(ProcessGuard.carrying(process.token())); // also what detached itself (setsid, double fork)
        List<Long> survivors = ProcessTree.end(root, all, options.stopTimeout());
        for (ProcessHandle late : ProcessGuard.carrying(process.token())) { // forked while the stop ran
            late.destroyForcibly();
        }
        ProcessGuard.forget(process.token());
        if (!survivors.isEmpty()) {
            throw new McpException(name(), spec + ": processes " + survivors + " were still alive "
                    + options.stopTimeout() + " after the stop began", null);
        }
    }

    private void rememberProcesses() {
        if (process != null) {
            process.process().ifPresent(p -> seenProcesses.addAll(ProcessTree.snapshot(p.toHandle())));
            seenProcesses.addAll(ProcessGuard.carrying(process.token())); // also what detached itself
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

    /** The root cause's message, cut short and escaped: it may quote what the server sent. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : BoundedText.excerpt(message, 0);
    }

    @Override
    public String toString() {
        return spec + pid().stream().mapToObj(p -> " pid " + p).findFirst().orElse("");
    }
}
