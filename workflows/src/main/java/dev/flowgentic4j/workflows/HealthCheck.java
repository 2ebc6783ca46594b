package dev.flowgentic4j.workflows;

/** Tells whether a live instance is still healthy: return normally if so, throw to say why not. */
@FunctionalInterface
public interface HealthCheck<S> {
    void check(S instance) throws Exception;
}
