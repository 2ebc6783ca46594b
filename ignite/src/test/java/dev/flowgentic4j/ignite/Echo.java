package dev.flowgentic4j.ignite;

/** The benchmark's service: the cheapest call there is, so the figures are the call path's cost. */
public interface Echo {
    long echo(long value);
}
