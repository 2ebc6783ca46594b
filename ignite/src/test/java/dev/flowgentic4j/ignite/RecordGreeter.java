package dev.flowgentic4j.ignite;

import java.io.Serializable;

/** A greeter whose start argument is a record (refused: Ignite 2.x cannot marshal records). */
public class RecordGreeter implements Greeter {
    /** The start argument. */
    public record Name(String value) implements Serializable {}

    private final Name name;

    public RecordGreeter(Name name) {
        this.name = name;
    }

    @Override
    public String greet(String who) {
        return name.value() + " greets " + who;
    }

    @Override
    public void fail(String message) {
    }
}
