package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.util.concurrent.CompletableFuture;

/**
 * A FUNCTION_TASK: every call runs the function on the backend, with the task's retry policy, and
 * completes with its result. Nothing is kept between calls. Thread-safe.
 *
 * <pre>{@code
 * FunctionTask<String, Integer> length = wrappers.functionTask("length", String::length);
 * int n = length.call("hello");                       // blocks
 * CompletableFuture<Integer> later = length.submit("hi");
 * }</pre>
 */
public interface FunctionTask<A, R> {

    /** The registered name. */
    String name();

    /** The retry and timeout policy of each call. */
    RetryConfig retry();

    /**
     * The telemetry of the engine that runs this task: what is built on the task (a tool, a node)
     * records its calls there.
     */
    Telemetry telemetry();

    /**
     * Runs the function on the backend. The future fails with {@link TaskFailedException} once the
     * retries are spent; cancelling it interrupts the running attempt and stops further ones.
     *
     * @throws IllegalStateException if the integration is closed
     */
    CompletableFuture<R> submit(A args);

    /**
     * Runs the function on the backend and waits for its result.
     *
     * @throws TaskFailedException if every attempt failed; the cause is the last failure
     * @throws IllegalStateException if the integration is closed
     */
    R call(A args);
}
