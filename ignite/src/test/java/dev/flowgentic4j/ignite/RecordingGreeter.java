package dev.flowgentic4j.ignite;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A greeter built with a start argument (its greeting) that records its close in this JVM. */
public class RecordingGreeter implements Greeter, AutoCloseable {
    static final List<String> CLOSED = new CopyOnWriteArrayList<>();

    private final String greeting;

    public RecordingGreeter(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public String greet(String who) {
        return greeting + ", " + who;
    }

    @Override
    public void fail(String message) throws IOException {
        throw new IOException(message);
    }

    @Override
    public void close() {
        CLOSED.add(greeting);
    }
}
