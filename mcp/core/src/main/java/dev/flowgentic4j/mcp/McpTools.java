package dev.flowgentic4j.mcp;

import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.mcp.client.McpToolMetadataKeys;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An MCP server's tools as AGENT_TOOL_AS_SERVICE tools: the {@link ToolSpecification}s the server
 * listed, each with an executor that resolves the live server behind the {@link ServiceFuture} at
 * every call (so after a restart calls reach the new process), for {@code AiServices.tools(...)},
 * LangGraph4j's {@code AgentExecutor} or {@code reactAgent}. Each call goes through the one tool path
 * ({@link ToolCallExecutor}): the model's arguments are checked to be one JSON object of bounded size
 * and passed to the server as sent; every failure (an error the server reports, bad arguments, a
 * timeout, a dead server, content other than text, a service that is not RUNNING) is a result text
 * beginning with {@code Error:} that the model reads, nothing throws; and every call is recorded as a
 * TOOL event (AGENT_TOOL_AS_SERVICE, with the server's instance and generation) in the engine's
 * telemetry. Names are made valid for model APIs ({@link #validName}), results are cut to
 * {@link McpOptions#maxResultChars()} with a note of their size, and a call that finds the server
 * gone before anything was sent waits for the next generation within the ready timeout.
 *
 * <pre>{@code
 * Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(files)
 *     .filter(name -> !name.startsWith("write"))
 *     .prefix("files_")
 *     .build();
 * }</pre>
 */
public final class McpTools {
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    private McpTools() {}

    /** A builder for the tools of the server behind {@code server}. */
    public static Builder builder(ServiceFuture<McpServer> server) {
        return new Builder(Objects.requireNonNull(server, "server"));
    }

    /** All the server's tools under their own names. See {@link Builder#build()}. */
    public static Map<ToolSpecification, ToolExecutor> of(ServiceFuture<McpServer> server) {
        return builder(server).build();
    }

    /** Chooses and names the tools offered. */
    public static final class Builder {
        private final ServiceFuture<McpServer> server;
        private Predicate<String> filter = name -> true;
        private UnaryOperator<String> rename = UnaryOperator.identity();
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private Integer maxResultChars; // null: the server's McpOptions.maxResultChars

        private Builder(ServiceFuture<McpServer> server) {
            this.server = server;
        }

        /** Offers only the tools whose server-side name passes {@code filter}. */
        public Builder filter(Predicate<String> filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** Offers each tool as {@code rename.apply(serverName)}; the server is still called by its own name. */
        public Builder rename(UnaryOperator<String> rename) {
            this.rename = Objects.requireNonNull(rename, "rename");
            return this;
        }

        /** Offers each tool as {@code prefix + serverName}, for agents that use several servers. */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            return rename(name -> prefix + name);
        }

        /** How long a call (and {@link #build()}) waits for the service to be RUNNING. */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = Checks.requirePositive(readyTimeout, "readyTimeout");
            return this;
        }

        /**
         * The most characters of one result given to the model (a longer one is cut and ends with a
         * note of its size); by default the server's {@link McpOptions#maxResultChars()}.
         *
         * @throws IllegalArgumentException if less than 100
         */
        public Builder maxResultChars(int maxResultChars) {
            if (maxResultChars < 100) {
                throw new IllegalArgumentException("maxResultChars must be >= 100, was " + maxResultChars);
            }
            this.maxResultChars = maxResultChars;
            return this;
        }

        /**
         * Waits up to the ready timeout for the server's tool list and returns the chosen tools, in
         * the server's order. Each is offered under a name a model API accepts
         * ({@code ^[a-zA-Z0-9_-]{1,64}$}): after the rename or prefix, every other character becomes
         * {@code _}, and a name longer than 64 is cut to 55 characters plus {@code _} and 8 hex digits
         * of a hash of the whole name; the server is still called by its own name.
         *
         * @throws McpException if the service is not RUNNING in time, or two tools end up with one name
         * @throws dev.flowgentic4j.workflows.ServiceFailedException if the server failed to start
         * @throws java.util.concurrent.CancellationException if the service was stopped
         */
        public Map<ToolSpecification, ToolExecutor> build() {
            McpServer live;
            try {
                live = server.awaitRunning(readyTimeout);
            } catch (TimeoutException e) {
                throw new McpException(server.name(), "MCP server '" + server.name() + "' did not list its tools within "
                        + readyTimeout + ": " + e.getMessage(), e);
            }
            Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
            Map<String, String> offeredNames = new LinkedHashMap<>();
            int cap = maxResultChars != null ? maxResultChars : live.options().maxResultChars();
            Changes changes = Changes.of(server);
            ServiceFuture<McpServer> replacing = replacing(server, changes, false);
            ServiceFuture<McpServer> replacingIdempotent = replacing(server, changes, true);
            for (ToolSpecification spec : live.tools()) {
                if (!filter.test(spec.name())) {
                    continue;
                }
                String offered = validName(Objects.requireNonNull(rename.apply(spec.name()), "renamed tool name"));
                String clash = offeredNames.putIfAbsent(offered, spec.name());
                if (clash != null) {
                    throw new McpException(server.name(), "tools " + quote(clash) + " and " + quote(spec.name())
                            + " of MCP server '" + server.name() + "' would both be offered as '" + offered
                            + "' (tool names must match " + VALID_NAME + "): filter one out or rename them", null);
                }
                String serverName = spec.name();
                boolean idempotent = live.options().trustIdempotentHints() && hintsIdempotent(spec);
                tools.put(spec.toBuilder().name(offered).build(), ToolCallExecutor.builder(offered).unboundArguments()
                        .service(idempotent ? replacingIdempotent : replacing, readyTimeout,
                                (running, arguments) -> cut(running.callTool(serverName, arguments.json()), cap)));
            }
            return Collections.unmodifiableMap(tools);
        }
    }

    /**
     * Whether the server annotated {@code tool} {@code readOnlyHint: true} or {@code idempotentHint:
     * true} (langchain4j's client keeps the MCP tool annotations in the specification's metadata).
     */
    static boolean hintsIdempotent(ToolSpecification tool) {
        Map<String, Object> metadata = tool.metadata();
        return metadata != null && (Boolean.TRUE.equals(metadata.get(McpToolMetadataKeys.READ_ONLY_HINT))
                || Boolean.TRUE.equals(metadata.get(McpToolMetadataKeys.IDEMPOTENT_HINT)));
    }

    /** The names model APIs accept (OpenAI's rule). */
    public static final String VALID_NAME = "^[a-zA-Z0-9_-]{1,64}$";
    private static final int MAX_NAME = 64;

    /**
     * {@code name} as a name model APIs accept: characters other than letters, digits, {@code _} and
     * {@code -} become {@code _}; a name longer than 64 characters is cut to 55 plus {@code _} and 8
     * hex digits of a hash of the whole name (so two long names that differ only at the end stay
     * apart); an empty name becomes {@code tool}. A valid name is returned unchanged.
     */
    public static String validName(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), 200));
        name.codePoints().limit(1000).forEach(c -> out.append(
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                        ? (char) c : '_'));
        if (out.length() == 0) {
            return "tool";
        }
        if (out.length() <= MAX_NAME && name.codePoints().count() <= 1000) {
            return out.toString();
        }
        int hash = 0;
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) { // FNV-1a: stable across runs
            hash = (hash ^ (b & 0xff)) * 16777619;
        }
        return out.substring(0, MAX_NAME - 9) + "_" + String.format("%08x", hash);
    }

    /** A server-given name, quoted for a message: control characters escaped, cut at 100 characters. */
    private static String quote(String name) {
        StringBuilder out = new StringBuilder("'");
        name.codePoints().limit(100).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(name.codePoints().count() > 100 ? "...'" : "'").toString();
    }

    /** Completes a future at each restart, stop or failure of the service, for calls that wait for one. */
    private static final class Changes implements ServiceListener {
        /** One listener per service, however many tool maps are built for it (weak: forgotten with the service). */
        private static final Map<ServiceFuture<?>, Changes> BY_SERVICE =
                Collections.synchronizedMap(new java.util.WeakHashMap<>());

        private final AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>(new CompletableFuture<>());

        static Changes of(ServiceFuture<McpServer> server) {
            return BY_SERVICE.computeIfAbsent(server, s -> {
                Changes changes = new Changes();
                s.addListener(changes, Runnable::run);
                return changes;
            });
        }

        CompletableFuture<Void> next() {
            return next.get();
        }

        private void changed() {
            next.getAndSet(new CompletableFuture<>()).complete(null);
        }

        @Override
        public void restarting(ServiceFuture<?> service, int generation, Throwable cause) {
            changed();
        }

        @Override
        public void restarted(ServiceFuture<?> service, int generation) {
            changed();
        }

        @Override
        public void stopping(ServiceFuture<?> service, ServiceState from) {
            changed();
        }

        @Override
        public void terminated(ServiceFuture<?> service, ServiceState from) {
            changed();
        }

        @Override
        public void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {
            changed();
        }
    }

    /**
     * {@code server} as seen by the tool path, except that a call which finds the server gone before
     * anything was sent ({@link McpServerGoneException}: it died a moment ago and the health check has
     * not noticed yet, or it is being replaced) leaves the old instance (so a restart does not wait
     * for it to drain), waits for the engine to begin the replacement and is made again, within the
     * call's ready timeout. Every other method is the service's own (a proxy, so that methods the
     * engine adds later are passed on too).
     */
    @SuppressWarnings("unchecked")
    private static ServiceFuture<McpServer> replacing(ServiceFuture<McpServer> server, Changes changes,
                                                      boolean idempotent) {
        return (ServiceFuture<McpServer>) java.lang.reflect.Proxy.newProxyInstance(McpTools.class.getClassLoader(),
                new Class<?>[] {ServiceFuture.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    int arity = args == null ? 0 : args.length;
                    if (name.equals("call") && arity == 2) {
                        return callReplacing(server, (Duration) args[0],
                                marked((ServiceCall<McpServer, Object>) args[1], idempotent), changes);
                    }
                    if (name.equals("callAsync") && arity == 2) {
                        return callAsyncReplacing(server, (Duration) args[0],
                                marked((ServiceCall<McpServer, Object>) args[1], idempotent), changes);
                    }
                    if (name.equals("equals") && arity == 1) {
                        return proxy == args[0];
                    }
                    if (name.equals("hashCode") && arity == 0) {
                        return System.identityHashCode(proxy);
                    }
                    try {
                        return method.invoke(server, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static <R> ServiceCall<McpServer, R> marked(ServiceCall<McpServer, R> call, boolean idempotent) {
        return idempotent ? ServiceCall.idempotent(call) : call;
    }

    /**
     * The {@link McpServerGoneException} behind {@code error}: thrown by the call itself, or the cause
     * of the {@link InstanceDiedException} the engine made of it (the generation was marked dead).
     * Null for any other failure.
     */
    private static McpServerGoneException goneBeforeSent(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof McpServerGoneException gone) {
            return gone;
        }
        return cause instanceof InstanceDiedException && cause.getCause() instanceof McpServerGoneException gone
                ? gone : null;
    }

    private static <R> R callReplacing(ServiceFuture<McpServer> server, Duration readyTimeout,
                                       ServiceCall<? super McpServer, R> call, Changes changes) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (true) {
            CompletableFuture<Void> change = changes.next();
            try {
                return server.call(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), call);
            } catch (McpServerGoneException gone) {
                awaitChange(change, deadline, readyTimeout, gone);
            } catch (InstanceDiedException died) {
                // nothing was sent before the server was found gone, and the engine already marked its
                // generation dead: the next attempt waits for the next generation, within the deadline
                if (goneBeforeSent(died) == null || deadline - System.nanoTime() <= 0) {
                    throw died;
                }
            }
        }
    }

    private static <R> CompletableFuture<R> callAsyncReplacing(ServiceFuture<McpServer> server, Duration readyTimeout,
                                                               ServiceCall<? super McpServer, R> call, Changes changes) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        CompletableFuture<Void> change = changes.next();
        // the rare retry blocks the thread that completed the first attempt: the caller's, or the
        // backend thread that ran it after waiting for a slot (never the engine's timer or listener thread)
        return server.callAsync(readyTimeout, call).handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = error;
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            McpServerGoneException gone = goneBeforeSent(cause);
            if (gone == null) {
                return CompletableFuture.<R>failedFuture(cause);
            }
            try {
                if (!(cause instanceof InstanceDiedException)) {
                    awaitChange(change, deadline, readyTimeout, gone);
                }
                return CompletableFuture.completedFuture(callReplacing(server,
                        Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), call, changes));
            } catch (RuntimeException | Error e) {
                return CompletableFuture.<R>failedFuture(e);
            }
        }).thenCompose(f -> f);
    }

    /** Waits for the engine to begin replacing (or to stop) the server, within the deadline. */
    private static void awaitChange(CompletableFuture<Void> change, long deadline, Duration readyTimeout,
                                    McpServerGoneException gone) {
        try {
            change.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException notReplaced) {
            throw new McpException(gone.serverName(), gone.getMessage() + "; no replacement was running within "
                    + readyTimeout, gone);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw gone;
        }
    }

    /** {@code text} cut to {@code max} characters, with a note of its size. */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "\n[flowgentic4j: the result was cut to its first " + end + " of "
                + text.length() + " characters (maxResultChars)]";
    }
}
