package dev.flowgentic4j.ignite;

/** {@link Echo} that returns its argument. */
public class EchoService implements Echo {
    @Override
    public long echo(long value) {
        return value;
    }
}
