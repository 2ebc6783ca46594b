package dev.flowgentic4j.examples.supportdesk;

import java.util.Map;
import java.util.Optional;
import org.bsc.langgraph4j.state.AgentState;

/**
 * The state of one SupportDesk run. LangGraph4j copies state through Java serialization at every
 * step, so it holds only serializable values: strings, numbers, flags and the embedding as a
 * {@code float[]}; never a service. Nodes reach the services through their handles.
 */
public final class SupportDeskState extends AgentState {
    public static final String QUESTION = "question";
    public static final String EMBEDDING = "embedding";
    public static final String ANSWER = "answer";
    public static final String MATCHED_QUESTION = "matchedQuestion";
    public static final String SCORE = "score";
    public static final String CACHED = "cached";
    public static final String REPHRASED = "rephrased";

    public SupportDeskState(Map<String, Object> data) {
        super(data);
    }

    public String question() {
        return this.<String>value(QUESTION).orElseThrow(() -> new IllegalStateException("no question in state"));
    }

    public Optional<float[]> embedding() {
        return value(EMBEDDING);
    }

    public Optional<String> answer() {
        return value(ANSWER);
    }

    public Optional<String> matchedQuestion() {
        return value(MATCHED_QUESTION);
    }

    public Optional<Double> score() {
        return value(SCORE);
    }

    public boolean cached() {
        return this.<Boolean>value(CACHED).orElse(false);
    }

    public boolean rephrased() {
        return this.<Boolean>value(REPHRASED).orElse(false);
    }
}
