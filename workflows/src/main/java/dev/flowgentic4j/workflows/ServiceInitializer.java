package dev.flowgentic4j.workflows;

/** The cold start of a service: builds the live instance from the start arguments. */
@FunctionalInterface
public interface ServiceInitializer<A, S> {
    S start(A args) throws Exception;
}
