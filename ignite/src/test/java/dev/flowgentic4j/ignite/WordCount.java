package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.TaskFunction;

/** A function for Ignite Compute: counts words, or throws on an empty text. */
public class WordCount implements TaskFunction<String, Integer> {
    @Override
    public Integer apply(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("nothing to count");
        }
        return text.trim().split("\\s+").length;
    }
}
