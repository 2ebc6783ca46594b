package dev.flowgentic4j.spring.example;

import java.util.Map;
import java.util.Optional;
import org.bsc.langgraph4j.state.AgentState;

/** The state of one question's run: serializable values only; services stay behind their handles. */
public final class HelpDeskState extends AgentState {
    public static final String QUESTION = "question";
    public static final String ANSWER = "answer";
    public static final String SOURCE = "source";
    public static final String SCORE = "score";

    public HelpDeskState(Map<String, Object> data) {
        super(data);
    }

    public String question() {
        return this.<String>value(QUESTION).orElseThrow(() -> new IllegalStateException("no question in state"));
    }

    public Optional<String> answer() {
        return value(ANSWER);
    }

    /** Where the answer came from: cache, faq, agent or none. */
    public String source() {
        return this.<String>value(SOURCE).orElse("none");
    }

    public double score() {
        return this.<Double>value(SCORE).orElse(0.0);
    }
}
