package dev.flowgentic4j.mcp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgentic4j.mcp.McpException;
import dev.flowgentic4j.mcp.McpOptions;
import dev.flowgentic4j.mcp.McpServerSpec;
import dev.langchain4j.mcp.client.McpCallContext;
import dev.langchain4j.mcp.client.transport.McpOperationHandler;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.protocol.McpCancellationNotification;
import dev.langchain4j.mcp.protocol.McpClientMessage;
import dev.langchain4j.mcp.protocol.McpInitializationNotification;
import dev.langchain4j.mcp.protocol.McpInitializeRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stdio transport of an MCP service: launches the server's command (with its environment and
 * working directory) under the {@link ProcessGuard}, exchanges JSON-RPC lines over its stdin and
 * stdout, and knows at once when the server is gone (its process exited, its output closed, or it
 * wrote a line longer than {@link McpOptions#maxMessageBytes()}, after which its output cannot be
 * trusted). From then on every pending and every new request fails immediately with the reason.
 *
 * <p>Every read is bounded: a line over the limit is never held whole; a line that is not JSON is
 * logged as a short escaped excerpt (rate-limited), and fails its call at once when its request id
 * can be read; stderr is read in bounded lines, its last lines kept for error messages and logged
 * at DEBUG, rate-limited. Thread-safe.
 */
public final class ProcessTransport implements McpTransport {
    private static final Logger log = LoggerFactory.getLogger(ProcessTransport.class);
    private static final ObjectMapper WRITER = new ObjectMapper();
    private static final int STDERR_LINES = 20;
    private static final int STDERR_LINE_CHARS = 500;
    private static final int LOG_NOTIFICATION_BYTES = 16 * 1024;
    private static final Set<String> NOTIFICATIONS = Set.of("notifications/message", "notifications/tools/list_changed",
            "notifications/resources/list_changed", "notifications/prompts/list_changed",
            "notifications/resources/updated", "notifications/progress", "notifications/cancelled");

    private final McpServerSpec.Stdio spec;
    private final McpOptions options;
    private final ObjectMapper reader;
    private final String token = ProcessGuard.newToken();
    private final CompletableFuture<String> gone = new CompletableFuture<>(); // completes with why the server is gone
    private final Deque<String> stderrTail = new ArrayDeque<>();              // guarded by itself
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong lastHeardNanos = new AtomicLong(System.nanoTime());
    private final BoundedText.RateLimit outputLog = new BoundedText.RateLimit(5, TimeUnit.SECONDS.toNanos(10));
    private final BoundedText.RateLimit stderrLog = new BoundedText.RateLimit(20, TimeUnit.SECONDS.toNanos(10));
    private volatile Process process;
    private volatile long serverPid = -1; // the guard's child, once known
    private volatile boolean outputEnded; // the server's stdout reached its end
    private final CompletableFuture<Void> stderrRead = new CompletableFuture<>(); // its end was read
    private volatile OutputStream stdin;
    private volatile McpOperationHandler handler;

    public ProcessTransport(McpServerSpec.Stdio spec, McpOptions options) {
        this.spec = spec;
        this.options = options;
        int limit = (int) Math.min(Integer.MAX_VALUE - 16, options.maxMessageBytes());
        this.reader = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(limit).build()).build());
    }

    @Override
    public void start(McpOperationHandler messageHandler) {
        this.handler = messageHandler;
        ProcessBuilder builder = new ProcessBuilder(spec.command());
        builder.environment().putAll(spec.environment());
        spec.workingDirectoryIfSet().ifPresent(dir -> builder.directory(dir.toFile()));
        Process started;
        try {
            started = ProcessGuard.start(builder, token, options.stopTimeout().dividedBy(4));
        } catch (IOException e) {
            throw new McpException(spec.name(), spec + " could not be started: " + e.getMessage(), e);
        }
        process = started;
        stdin = started.getOutputStream();
        daemon("mcp-" + spec.name() + "-" + started.pid() + "-out", () -> readOutput(started));
        daemon("mcp-" + spec.name() + "-" + started.pid() + "-err", () -> readStderr(started));
        started.onExit().thenRun(() -> serverGone(describeExit(started)));
    }

    /** The server's process (on Linux, the guard in front of the server's command), once started. */
    public Optional<Process> process() {
        return Optional.ofNullable(process);
    }

    /**
     * The pid of the server's own command: the guard's child where the guard runs (looked up once
     * the server answered), else the process started.
     */
    public long serverPid() {
        Process started = process;
        if (started == null) {
            return -1;
        }
        if (serverPid < 0) {
            if (!ProcessGuard.capabilities().guard()) {
                serverPid = started.pid();
            } else {
                started.toHandle().children().findFirst().ifPresent(child -> serverPid = child.pid());
            }
        }
        return serverPid < 0 ? started.pid() : serverPid;
    }

    /** The token in the environment of every process of this server's tree. */
    public String token() {
        return token;
    }

    /** Completes with why the server is gone (its process exited or its output closed). */
    public CompletableFuture<String> gone() {
        return gone.copy();
    }

    /** Why the server is gone, or null while it is there. */
    public String goneReason() {
        return gone.getNow(null);
    }

    /** {@link System#nanoTime()} when the server last wrote a message. */
    public long lastHeardNanos() {
        return lastHeardNanos.get();
    }

    /** The last lines the server wrote to stderr (each cut short), joined, or "" if none. */
    public String stderrTail() {
        String tail;
        synchronized (stderrTail) {
            tail = String.join("\n", stderrTail);
        }
        return redact(tail);
    }

    /**
     * {@link #stderrTail()} once the server is gone: waits (up to half a second) for the rest of its
     * stderr to be read first, so that its last words are in the message.
     */
    public String stderrTailAfterExit() {
        if (goneReason() != null) {
            try {
                stderrRead.get(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // a descendant still holds stderr open: what was read so far
            }
        }
        return stderrTail();
    }

    /** {@code text} without the server's argument and environment values (they may hold credentials). */
    private String redact(String text) {
        java.util.List<String> secrets = new java.util.ArrayList<>(spec.command().subList(1, spec.command().size()));
        secrets.addAll(spec.environment().values());
        for (String secret : secrets) {
            int eq = secret.indexOf('=');
            for (String value : eq > 0 ? java.util.List.of(secret, secret.substring(eq + 1)) : java.util.List.of(secret)) {
                if (value.length() >= 6) {
                    text = text.replace(value, "***");
                }
            }
        }
        return text;
    }

    /** Declares the server gone for {@code reason}: pending and later requests fail with it. */
    public void markGone(String reason) {
        serverGone(reason);
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
        Process current = process;
        if (current != null) {
            try {
                current.getOutputStream().close();
            } finally {
                current.getInputStream().close();
            }
        }
    }

    private CompletableFuture<JsonNode> send(McpClientMessage message) {
        if (message instanceof McpCancellationNotification) {
            // the client gave up on that request (its timeout): forget it, a late answer is ignored
            JsonNode requestId = WRITER.valueToTree(message).path("params").path("requestId");
            if (requestId.canConvertToLong()) {
                CompletableFuture<JsonNode> abandoned = pending.remove(requestId.asLong());
                if (abandoned != null) {
                    abandoned.cancel(false);
                }
            }
        }
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        Long id = message.getId();
        if (id != null) {
            pending.put(id, response);
            response.whenComplete((r, e) -> pending.remove(id, response));
            handler.startOperation(id, response);
        }
        String reason = goneReason();
        if (reason == null && outputEnded) {
            reason = awaitGone(); // the exit is told a moment after the output ends: say which exit it was
        }
        boolean sent = false;
        if (reason == null) {
            try {
                byte[] line = (WRITER.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                OutputStream out = stdin;
                synchronized (out) {
                    out.write(line);
                    out.flush();
                }
                sent = true;
            } catch (JsonProcessingException e) {
                response.completeExceptionally(e);
                return response;
            } catch (IOException e) {
                // the pipe broke or was closed: the process is exiting, and its exit says more than "Stream closed"
                reason = awaitGone();
                if (reason == null) {
                    response.completeExceptionally(e);
                }
            }
            if (reason == null) {
                reason = goneReason(); // gone while we wrote: the cancellation may have missed this request
            }
        }
        if (reason != null) {
            response.completeExceptionally(new IllegalStateException(reason));
        } else if (id == null) {
            response.complete(null);
        }
        if (sent) {
            return response;
        }
        // never written (the server was gone before, or the pipe broke): whatever failed it, it failed unsent,
        // so the caller may send it to the next server; one the server may have read cannot tell that
        CompletableFuture<JsonNode> unsent = new CompletableFuture<>();
        response.whenComplete((answer, error) -> {
            if (error == null) {
                unsent.complete(answer);
            } else {
                String why = goneReason();
                unsent.completeExceptionally(why == null ? error : new NotSentException(why));
            }
        });
        return unsent;
    }

    // ---- reading stdout, bounded

    private void readOutput(Process started) {
        long max = options.maxMessageBytes();
        byte[] chunk = new byte[64 * 1024];
        SegmentedLine line = new SegmentedLine();
        try (InputStream in = started.getInputStream()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    if (line.length() + (i - from) > max) {
                        oversized(started, line);
                        return;
                    }
                    line.append(chunk, from, i - from);
                    line.stripCarriageReturn();
                    dispatch(line);
                    line.clear();
                    from = i + 1;
                }
                if (line.length() + (n - from) > max) {
                    oversized(started, line);
                    return;
                }
                line.append(chunk, from, n - from);
            }
        } catch (IOException | RuntimeException e) {
            // a read error ends the output like an end of stream does
        }
        outputClosed(started);
    }

    private void oversized(Process started, SegmentedLine line) {
        String reason = "the server process " + serverPid() + " wrote a message longer than the limit of "
                + options.maxMessageBytes() + " bytes (McpOptions.maxMessageBytes), so its output cannot be trusted"
                + " any more; it begins: " + line.excerpt();
        line.clear();
        log.warn("MCP server '{}': {}", spec.name(), reason);
        serverGone(reason);
    }

    private void dispatch(SegmentedLine line) {
        if (line.length() == 0) {
            return;
        }
        lastHeardNanos.set(System.nanoTime());
        JsonNode message;
        try {
            message = line.parse(reader);
        } catch (IOException | RuntimeException e) {
            unreadable(line, e);
            return;
        }
        if (message == null || !message.isObject()) {
            ignored("is not a JSON-RPC message", line);
            return;
        }
        JsonNode id = message.get("id");
        JsonNode method = message.get("method");
        if (id != null && method == null) {
            if (!id.canConvertToLong() || !pending.containsKey(id.asLong())) {
                ignored("answers no pending request", line);
                return;
            }
        } else if (id != null) {
            String name = method.asText();
            if (!name.equals("ping") && !name.equals("roots/list")) {
                ignored("is a request this client does not serve", line);
                return;
            }
        } else if (method == null || !NOTIFICATIONS.contains(method.asText())) {
            ignored("is not a notification this client knows", line);
            return;
        } else if (method.asText().equals("notifications/message") && line.length() > LOG_NOTIFICATION_BYTES) {
            ignored("is a log message longer than " + LOG_NOTIFICATION_BYTES + " bytes", line);
            return;
        }
        handler.handle(message);
    }

    /** A line that is not JSON: fails its call at once if its id can be read, else is logged. */
    private void unreadable(SegmentedLine line, Exception e) {
        String why = BoundedText.excerpt(String.valueOf(e.getMessage()).lines().findFirst().orElse(""), 0);
        Long id = topLevelId(line);
        CompletableFuture<JsonNode> call = id == null ? null : pending.get(id);
        if (call != null) {
            call.completeExceptionally(new ServerMessageException("its answer (" + line.length()
                    + " bytes) could not be read as JSON: " + why));
            return;
        }
        ignored("is not valid JSON (" + why + ")", line);
    }

    private Long topLevelId(SegmentedLine line) {
        try (JsonParser parser = reader.getFactory().createParser(line.open())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                token = parser.nextToken();
                if ("id".equals(field) && token == JsonToken.VALUE_NUMBER_INT) {
                    return parser.getLongValue();
                }
                parser.skipChildren();
            }
        } catch (IOException | RuntimeException ignored) {
            // the id, if any, came after the damage
        }
        return null;
    }

    private void ignored(String why, SegmentedLine line) {
        outputLog.log(m -> log.warn("{}", m), "MCP server '" + spec.name() + "' wrote a line that " + why
                + "; ignored: " + line.excerpt());
    }

    /**
     * One line read from the server, held in segments of at most 1 MiB so that it grows without
     * copying (the largest line costs its own size, not twice). Not thread-safe: the reader's own.
     */
    static final class SegmentedLine {
        private static final int SEGMENT = 1 << 20;
        private static final int FIRST = 8 * 1024;
        private final java.util.List<byte[]> full = new java.util.ArrayList<>();
        private byte[] current = new byte[FIRST];
        private int used;
        private long length;

        long length() {
            return length;
        }

        void append(byte[] source, int from, int count) {
            while (count > 0) {
                if (used == current.length) {
                    if (current.length < SEGMENT) {
                        current = java.util.Arrays.copyOf(current, Math.min(SEGMENT, current.length * 2));
                    } else {
                        full.add(current);
                        current = new byte[SEGMENT];
                        used = 0;
                    }
                }
                int n = Math.min(count, current.length - used);
                System.arraycopy(source, from, current, used, n);
                used += n;
                from += n;
                count -= n;
                length += n;
            }
        }

        void stripCarriageReturn() {
            if (used > 0 && current[used - 1] == '\r') {
                used--;
                length--;
            }
        }

        void clear() {
            full.clear();
            if (current.length > 64 * 1024) {
                current = new byte[FIRST]; // give a large buffer back
            }
            used = 0;
            length = 0;
        }

        JsonNode parse(ObjectMapper mapper) throws IOException {
            return full.isEmpty() ? mapper.readTree(current, 0, used) : mapper.readTree(open());
        }

        InputStream open() {
            if (full.isEmpty()) {
                return new java.io.ByteArrayInputStream(current, 0, used);
            }
            java.util.List<InputStream> parts = new java.util.ArrayList<>();
            full.forEach(segment -> parts.add(new java.io.ByteArrayInputStream(segment)));
            parts.add(new java.io.ByteArrayInputStream(current, 0, used));
            return new java.io.SequenceInputStream(java.util.Collections.enumeration(parts));
        }

        String excerpt() {
            byte[] head = full.isEmpty() ? current : full.get(0);
            int headLength = full.isEmpty() ? used : head.length;
            return BoundedText.excerpt(head, Math.min(headLength, BoundedText.EXCERPT_CHARS * 4), length);
        }
    }

    /** Why the server is gone, waiting up to a second for it to be known; null if it is not. */
    private String awaitGone() {
        try {
            return gone.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notGone) {
            // not gone after all
        }
        return goneReason();
    }

    private void outputClosed(Process started) {
        outputEnded = true; // from now on nothing is written: the server cannot answer, and may be dead already
        try {
            // the output usually closes a moment before the exit is reported: say which exit it was
            if (started.waitFor(200, TimeUnit.MILLISECONDS)) {
                serverGone(describeExit(started));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serverGone("the server process " + serverPid() + " closed its output");
    }

    private void serverGone(String reason) {
        if (gone.complete(reason)) {
            McpOperationHandler current = handler;
            if (current != null) {
                current.cancelAllPendingOperations(reason);
            }
            pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException(reason)));
        }
    }

    private String describeExit(Process started) {
        int code = started.exitValue();
        return "the server process " + (serverPid > 0 ? serverPid : started.pid()) + " exited with code " + code
                + (code > 128 ? " (killed by signal " + (code - 128) + ")" : "");
    }

    // ---- reading stderr, bounded

    private void readStderr(Process started) {
        byte[] chunk = new byte[16 * 1024];
        StringBuilder line = new StringBuilder();
        long lineBytes = 0;
        try (InputStream in = started.getErrorStream()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                int from = 0;
                for (int i = 0; i <= n; i++) {
                    boolean end = i < n && chunk[i] == '\n';
                    if (!end && i < n) {
                        continue;
                    }
                    int count = i - from;
                    lineBytes += count;
                    int room = STDERR_LINE_CHARS * 4 - line.length();
                    if (room > 0) {
                        line.append(new String(chunk, from, Math.min(room, count), StandardCharsets.UTF_8));
                    }
                    if (end) {
                        stderrLine(BoundedText.excerpt(line.toString(), lineBytes));
                        line.setLength(0);
                        lineBytes = 0;
                    }
                    from = i + 1;
                }
            }
            if (lineBytes > 0) {
                stderrLine(BoundedText.excerpt(line.toString(), lineBytes));
            }
        } catch (IOException | RuntimeException e) {
            // the stream closed with the process
        } finally {
            stderrRead.complete(null);
        }
    }

    private void stderrLine(String line) {
        synchronized (stderrTail) {
            if (stderrTail.size() == STDERR_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(line);
        }
        if (log.isDebugEnabled()) {
            stderrLog.log(m -> log.debug("{}", m), "MCP server '" + spec.name() + "' stderr: " + line);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The server was gone before the request was written to it (or the write failed because it was):
     * the server never saw the request. The text says why it is gone.
     */
    public static final class NotSentException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public NotSentException(String reason) {
            super(reason);
        }
    }

    /** A message from the server that its call cannot use; the text says why. */
    public static final class ServerMessageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ServerMessageException(String message) {
            super(message);
        }
    }
}
