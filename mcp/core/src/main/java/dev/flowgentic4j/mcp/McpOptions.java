package dev.flowgentic4j.mcp;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;

/**
 * How an MCP service talks to its server: time limits for start-up and tool calls, how often it
 * pings the server, how often it looks for a dead server process, and how long a stop may take.
 * Immutable.
 *
 * <pre>{@code
 * McpOptions options = McpOptions.builder()
 *     .toolTimeout(Duration.ofSeconds(20))
 *     .pingInterval(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class McpOptions {
    public static final Duration DEFAULT_INITIALIZATION_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TOOL_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_EXIT_CHECK_INTERVAL = Duration.ofMillis(200);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_PING_FAILURES_BEFORE_RESTART = 3;
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 32L * 1024 * 1024;
    public static final int DEFAULT_MAX_RESULT_CHARS = 100_000;

    private static final McpOptions DEFAULTS = builder().build();

    private final Duration initializationTimeout;
    private final Duration toolTimeout;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration exitCheckInterval;
    private final Duration stopTimeout;
    private final int pingFailuresBeforeRestart;
    private final long maxMessageBytes;
    private final int maxResultChars;
    private final boolean idempotentCalls;
    private final boolean trustIdempotentHints;

    private McpOptions(Builder b) {
        this.initializationTimeout = b.initializationTimeout;
        this.toolTimeout = b.toolTimeout;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.exitCheckInterval = b.exitCheckInterval;
        this.stopTimeout = b.stopTimeout;
        this.pingFailuresBeforeRestart = b.pingFailuresBeforeRestart;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxResultChars = b.maxResultChars;
        this.idempotentCalls = b.idempotentCalls;
        this.trustIdempotentHints = b.trustIdempotentHints;
    }

    public static McpOptions ofDefaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How long the server may take to answer {@code initialize} and list its tools. */
    public Duration initializationTimeout() {
        return initializationTimeout;
    }

    /** How long one tool call may take before it fails as timed out (and is cancelled on the server). */
    public Duration toolTimeout() {
        return toolTimeout;
    }

    /**
     * How often the health check sends an MCP ping to an idle server. No ping is sent while tool
     * calls are pending (a server busy answering calls is judged by their timeouts), and any message
     * from the server counts as an answer.
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How long a ping may take before it counts as failed. */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    /**
     * The health monitor's interval: how often it looks whether the server's process has exited
     * (noticed by {@code Process.onExit()}, which makes this look free). Bounds how late a dead
     * server is seen.
     */
    public Duration exitCheckInterval() {
        return exitCheckInterval;
    }

    /** How long a stop may take: closing the client, then ending the process tree, forcibly at the end. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /**
     * How many pings in a row must fail before the server counts as unhealthy and is replaced (a
     * ping that failed while a call was pending does not count). A server whose process is gone, or
     * that stays silent after a timed-out call was cancelled, is replaced at once.
     */
    public int pingFailuresBeforeRestart() {
        return pingFailuresBeforeRestart;
    }

    /**
     * The longest line (one JSON-RPC message) read from a stdio server's stdout, in bytes. A longer
     * line fails the pending calls at once and the server is replaced: its output cannot be trusted
     * after it. Also the largest JSON string a message may hold.
     */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * The most characters of one tool result that {@link McpTools} give a model; a longer result is
     * cut and ends with a note of its original size. {@link McpServer#callTool} is not cut.
     */
    public int maxResultChars() {
        return maxResultChars;
    }

    /**
     * Whether every call to the server may run twice: a call in flight when the server dies is then
     * run once more on the next generation instead of failing (the service's
     * {@code idempotentCalls()}). False by default: only the one who runs the server knows that all
     * its tools are safe to repeat.
     */
    public boolean idempotentCalls() {
        return idempotentCalls;
    }

    /**
     * Whether {@link McpTools} treat a tool the server annotates {@code readOnlyHint: true} or
     * {@code idempotentHint: true} as idempotent (each call to it is a
     * {@code ServiceCall.idempotent}), so that a call in flight when the server dies runs once more
     * on the next generation. False by default: the MCP specification calls annotations hints that a
     * client must not trust from an untrusted server, and a wrong one would run a side effect twice.
     */
    public boolean trustIdempotentHints() {
        return trustIdempotentHints;
    }

    /** Builds {@link McpOptions}; each setter checks its argument at once. */
    public static final class Builder {
        private Duration initializationTimeout = DEFAULT_INITIALIZATION_TIMEOUT;
        private Duration toolTimeout = DEFAULT_TOOL_TIMEOUT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
        private Duration exitCheckInterval = DEFAULT_EXIT_CHECK_INTERVAL;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        private int pingFailuresBeforeRestart = DEFAULT_PING_FAILURES_BEFORE_RESTART;
        private long maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxResultChars = DEFAULT_MAX_RESULT_CHARS;
        private boolean idempotentCalls;
        private boolean trustIdempotentHints;

        private Builder() {}

        /** @throws IllegalArgumentException if zero or negative */
        public Builder initializationTimeout(Duration timeout) {
            this.initializationTimeout = Checks.requirePositive(timeout, "initializationTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder toolTimeout(Duration timeout) {
            this.toolTimeout = Checks.requirePositive(timeout, "toolTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = Checks.requirePositive(interval, "pingInterval");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = Checks.requirePositive(timeout, "pingTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder exitCheckInterval(Duration interval) {
            this.exitCheckInterval = Checks.requirePositive(interval, "exitCheckInterval");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Checks.requirePositive(timeout, "stopTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if less than 1 */
        public Builder pingFailuresBeforeRestart(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("pingFailuresBeforeRestart must be >= 1, was " + failures);
            }
            this.pingFailuresBeforeRestart = failures;
            return this;
        }

        /** @throws IllegalArgumentException if less than 1024 or more than 1 GiB */
        public Builder maxMessageBytes(long bytes) {
            if (bytes < 1024 || bytes > (1L << 30)) {
                throw new IllegalArgumentException("maxMessageBytes must be between 1024 and 1073741824, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** @throws IllegalArgumentException if less than 100 */
        public Builder maxResultChars(int chars) {
            if (chars < 100) {
                throw new IllegalArgumentException("maxResultChars must be >= 100, was " + chars);
            }
            this.maxResultChars = chars;
            return this;
        }

        /** See {@link McpOptions#idempotentCalls()}. */
        public Builder idempotentCalls(boolean idempotent) {
            this.idempotentCalls = idempotent;
            return this;
        }

        /** See {@link McpOptions#trustIdempotentHints()}. */
        public Builder trustIdempotentHints(boolean trust) {
            this.trustIdempotentHints = trust;
            return this;
        }

        public McpOptions build() {
            return new McpOptions(this);
        }
    }
}
