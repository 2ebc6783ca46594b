package dev.flowgentic4j.integration;

import dev.langchain4j.agent.tool.Tool;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** A tiny persistent service: an instance id and an exact counter. */
public class Counter {
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong hits = new AtomicLong();

    @Tool("Increments the shared counter and returns its new value")
    public long increment(String who) {
        return hits.incrementAndGet();
    }

    public long hits() {
        return hits.get();
    }

    public String id() {
        return id;
    }
}
