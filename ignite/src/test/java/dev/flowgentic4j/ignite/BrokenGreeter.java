package dev.flowgentic4j.ignite;

/** A greeter whose construction on the hosting node always fails. */
public class BrokenGreeter implements Greeter {
    public BrokenGreeter() {
        throw new IllegalStateException("no greetings today");
    }

    @Override
    public String greet(String who) {
        return who;
    }

    @Override
    public void fail(String message) {
    }
}
