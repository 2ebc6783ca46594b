package dev.flowgentic4j.workflows;

/** One use of a live service instance (see {@link ServiceFuture#call(java.time.Duration, ServiceCall)}). */
@FunctionalInterface
public interface ServiceCall<S, R> {
    R apply(S instance) throws Exception;
}
