package dev.flowgentic4j.spring.app;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A small in-memory store: a service whose @Tool methods become agent tools. */
public final class KvStore implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final StopLog stops;
    private final int instance = INSTANCES.incrementAndGet();

    public KvStore(StopLog stops) {
        this.stops = stops;
        values.put("capital", "Oslo");
    }

    @Tool("Stores a value under a key")
    public String remember(@P("the key") String key, @P("the value") String value) {
        values.put(key, value);
        return "stored " + key;
    }

    @Tool("Returns the value stored under a key")
    public String recall(@P("the key") String key) {
        String v = values.get(key);
        return v == null ? "nothing stored under " + key : v;
    }

    public int instance() {
        return instance;
    }

    @Override
    public void close() {
        stops.stopped("kv");
    }
}
