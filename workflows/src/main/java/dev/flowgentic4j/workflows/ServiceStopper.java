package dev.flowgentic4j.workflows;

/** Releases what a service instance holds. Runs once per instance. */
@FunctionalInterface
public interface ServiceStopper<S> {
    void stop(S instance) throws Exception;
}
