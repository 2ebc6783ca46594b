package dev.flowgentic4j.workflows;

/** The body of a function task: takes the call's arguments, returns its result. */
@FunctionalInterface
public interface TaskFunction<A, R> {
    R apply(A args) throws Exception;
}
