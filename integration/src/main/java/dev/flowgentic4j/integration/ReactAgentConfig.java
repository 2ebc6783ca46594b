package dev.flowgentic4j.integration;

import dev.langchain4j.model.chat.request.ResponseFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.serializer.StateSerializer;

/**
 * Settings of the ReAct agent graph made by {@link ExecutionWrappers#reactAgent}: its system message
 * and response format, how many tool rounds it may take, whether the tool calls of one turn run
 * concurrently, and the state serializer. Immutable.
 *
 * <pre>{@code
 * ReactAgentConfig config = ReactAgentConfig.builder()
 *     .systemMessage("Answer with the tools you have. Be brief.")
 *     .maxIterations(5)
 *     .executeToolsConcurrently()          // on the integration's backend (or pass an Executor)
 *     .build();
 * }</pre>
 */
public final class ReactAgentConfig {
    /**
     * Tool rounds per user message by default. Each round is two graph steps, so the default stays
     * below LangGraph4j's default recursion limit (25 steps).
     */
    public static final int DEFAULT_MAX_ITERATIONS = 10;

    private final int maxIterations;
    private final boolean executeToolsConcurrently;
    private final Executor toolExecutor;
    private final boolean asyncCallSlots;
    private final StateSerializer<AgentExecutor.State> stateSerializer;
    private final String systemMessage;
    private final ResponseFormat responseFormat;

    private ReactAgentConfig(Builder b) {
        this.systemMessage = b.systemMessage;
        this.responseFormat = b.responseFormat;
        this.maxIterations = b.maxIterations;
        this.executeToolsConcurrently = b.executeToolsConcurrently;
        this.toolExecutor = b.toolExecutor;
        this.stateSerializer = b.stateSerializer;
        this.asyncCallSlots = b.asyncCallSlots;
    }

    public static ReactAgentConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The most model turns asking for tools that the agent answers per user message (counted from
     * the last {@code UserMessage}); after that many rounds it ends with a final response that says so.
     */
    public int maxIterations() {
        return maxIterations;
    }

    /** Whether the tool calls of one model turn run concurrently (results still in request order). */
    public boolean executeToolsConcurrently() {
        return executeToolsConcurrently;
    }

    /** The system message the model gets before the conversation, if set. */
    public Optional<String> systemMessage() {
        return Optional.ofNullable(systemMessage);
    }

    /** The response format asked of the model (e.g. JSON), if set. */
    public Optional<ResponseFormat> responseFormat() {
        return Optional.ofNullable(responseFormat);
    }

    /**
     * Whether a service-backed tool waits for its service's call slot asynchronously (the tools step
     * returns an incomplete future; the call then runs on the backend); false by default: the call
     * waits on the graph's thread. LangGraph4j 1.8.17 parks the graph's thread on the node's future
     * anyway, so the asynchronous wait saves no thread there and adds a hand-off per waiting call
     * (measured: {@code benchmarks/RESULTS.md}, "async tools step"). For graph runtimes that do not
     * block, or to keep the gate's queue free of parked threads.
     */
    public boolean asyncCallSlots() {
        return asyncCallSlots;
    }

    /** Where concurrent tool calls run, if one was given; else the integration's backend. */
    public Optional<Executor> toolExecutor() {
        return Optional.ofNullable(toolExecutor);
    }

    /**
     * The graph's state serializer: unless set, {@link CopyingStateSerializer#forAgentState()}, which
     * persists as {@code AgentExecutor}'s own default (JSON) but clones the state at each step by
     * copying it instead of a JSON round trip (1,024 agents x 4 calls: see {@code benchmarks/RESULTS.md}).
     */
    public StateSerializer<AgentExecutor.State> stateSerializer() {
        return stateSerializer;
    }

    /** Builds a {@link ReactAgentConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private int maxIterations = DEFAULT_MAX_ITERATIONS;
        private boolean executeToolsConcurrently;
        private Executor toolExecutor;
        private StateSerializer<AgentExecutor.State> stateSerializer = CopyingStateSerializer.forAgentState();
        private String systemMessage;
        private ResponseFormat responseFormat;
        private boolean asyncCallSlots;

        private Builder() {}

        /** See {@link ReactAgentConfig#asyncCallSlots()}. */
        public Builder asyncCallSlots(boolean asyncCallSlots) {
            this.asyncCallSlots = asyncCallSlots;
            return this;
        }

        /**
         * The system message the model gets before the conversation.
         *
         * @throws NullPointerException if {@code systemMessage} is null
         * @throws IllegalArgumentException if it is blank
         */
        public Builder systemMessage(String systemMessage) {
            if (Objects.requireNonNull(systemMessage, "systemMessage").isBlank()) {
                throw new IllegalArgumentException("systemMessage must not be blank");
            }
            this.systemMessage = systemMessage;
            return this;
        }

        /** e.g. {@code ResponseFormat.JSON}; the model's own default if not set. */
        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = Objects.requireNonNull(responseFormat, "responseFormat");
            return this;
        }

        /**
         * Raising it past 11 needs a higher {@code CompileConfig.recursionLimit} (two steps per round).
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be at least 1, was " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /** Runs the tool calls of one model turn concurrently on the integration's backend. */
        public Builder executeToolsConcurrently() {
            this.executeToolsConcurrently = true;
            return this;
        }

        /** Runs the tool calls of one model turn concurrently on {@code executor}. */
        public Builder executeToolsConcurrently(Executor executor) {
            this.toolExecutor = Objects.requireNonNull(executor, "executor");
            this.executeToolsConcurrently = true;
            return this;
        }

        /**
         * e.g. {@code AgentExecutor.Serializers.STD.object()}, or
         * {@code CopyingStateSerializer.of(AgentExecutor.Serializers.STD.object())} to persist as STD and
         * clone by copying.
         */
        public Builder stateSerializer(StateSerializer<AgentExecutor.State> serializer) {
            this.stateSerializer = Objects.requireNonNull(serializer, "stateSerializer");
            return this;
        }

        public ReactAgentConfig build() {
            return new ReactAgentConfig(this);
        }
    }
}
