package dev.flowgentic4j.ignite;

import java.util.ArrayList;

/** A greeter whose start argument is a list (serializable as a type, not always as a value). */
public class ListGreeter implements Greeter {
    private final ArrayList<?> names;

    public ListGreeter(ArrayList<?> names) {
        this.names = names;
    }

    @Override
    public String greet(String who) {
        return names + " greet " + who;
    }

    @Override
    public void fail(String message) {
    }
}
