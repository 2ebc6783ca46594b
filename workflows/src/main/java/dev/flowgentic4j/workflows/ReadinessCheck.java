package dev.flowgentic4j.workflows;

/**
 * Runs once on a freshly started instance before it counts as RUNNING (for example a first
 * successful query). Throwing fails that start attempt: the instance is stopped and the retry
 * policy decides what follows. Runs within the attempt's timeout.
 */
@FunctionalInterface
public interface ReadinessCheck<S> {
    void check(S instance) throws Exception;
}
