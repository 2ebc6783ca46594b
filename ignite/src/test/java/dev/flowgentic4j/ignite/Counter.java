package dev.flowgentic4j.ignite;

/** The counter service of the tests: the interface callers see. */
public interface Counter {

    /** Adds one to the cluster-wide count and returns it. */
    long increment();

    /** Calls this instance has served since it was built. */
    long callsHere();

    /** Which instance answers (a new one after a failover). */
    String instanceId();
}
