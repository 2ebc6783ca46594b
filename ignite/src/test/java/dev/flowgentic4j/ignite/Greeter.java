package dev.flowgentic4j.ignite;

import java.io.IOException;

/** A service of the single-node tests. */
public interface Greeter {
    String greet(String who);

    /** Throws what it is asked to, to show failures come back as thrown. */
    void fail(String message) throws IOException;
}
