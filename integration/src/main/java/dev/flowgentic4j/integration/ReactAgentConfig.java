package dev.flowgentic4j.integration;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.serializer.StateSerializer;

/**
 * Settings of a ReAct agent graph made by {@link AgentGraphs} or
 * {@link ExecutionWrappers#reactAgent}: how many tool rounds it may take, whether the tool calls of
 * one turn run concurrently, and the state serializer. Immutable.
 *
 * <pre>{@code
 * ReactAgentConfig config = ReactAgentConfig.builder()
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
    private final StateSerializer<AgentExecutor.State> stateSerializer;

    private ReactAgentConfig(Builder b) {
        this.maxIterations = b.maxIterations;
        this.executeToolsConcurrently = b.executeToolsConcurrently;
        this.toolExecutor = b.toolExecutor;
        this.stateSerializer = b.stateSerializer;
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

    /** Where concurrent tool calls run, if one was given; else the integration's backend. */
    public Optional<Executor> toolExecutor() {
        return Optional.ofNullable(toolExecutor);
    }

    /** The graph's state serializer: {@code AgentExecutor}'s own default, JSON, unless set. */
    public StateSerializer<AgentExecutor.State> stateSerializer() {
        return stateSerializer;
    }

    /** Builds a {@link ReactAgentConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private int maxIterations = DEFAULT_MAX_ITERATIONS;
        private boolean executeToolsConcurrently;
        private Executor toolExecutor;
        private StateSerializer<AgentExecutor.State> stateSerializer = AgentExecutor.Serializers.JSON.object();

        private Builder() {}

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

        /**
         * Runs the tool calls of one model turn concurrently on the integration's backend (through
         * {@link ExecutionWrappers#reactAgent}); {@link AgentGraphs} needs an executor instead.
         */
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

        /** e.g. {@code AgentExecutor.Serializers.STD.object()}. */
        public Builder stateSerializer(StateSerializer<AgentExecutor.State> serializer) {
            this.stateSerializer = Objects.requireNonNull(serializer, "stateSerializer");
            return this;
        }

        public ReactAgentConfig build() {
            return new ReactAgentConfig(this);
        }
    }
}
