package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.internal.service.CurrentCall;
import java.util.Optional;

/**
 * Which service instance is serving the call running on this thread: the engine sets it around
 * the {@link ServiceCall} it runs on the live instance ({@link ServiceFuture#call},
 * {@link ServiceFuture#callAsync}, and so every service-backed graph node and agent tool), and
 * restores the outer one when the call returns (a call inside a call sees its own). It is the
 * instance that actually served the call: a blue/green switch or a replica chosen by the router
 * between the caller reading {@code service.generation()} and the call reaching the service cannot
 * make it wrong. Instrumentation reads it from inside the call:
 *
 * <pre>{@code
 * embedder.call(Duration.ofSeconds(5), model -> {
 *     CallContext served = CallContext.current().orElseThrow();
 *     log.debug("served by {} replica {} generation {}", served.serviceId(), served.replica(), served.generation());
 *     return model.embed(text);
 * });
 * }</pre>
 *
 * @param serviceId the id of the handle the call went through ({@code name#n})
 * @param replica the id of the replica that served it ({@code name#n-rK}, the id under which that
 *     replica publishes its own service events and metrics), or null for a service without replicas
 * @param generation the generation of the instance that served it (of the replica, if replicated)
 */
public record CallContext(String serviceId, String replica, int generation) {

    /**
     * @throws NullPointerException if {@code serviceId} is null
     * @throws IllegalArgumentException if {@code generation} is not positive
     */
    public CallContext {
        java.util.Objects.requireNonNull(serviceId, "serviceId");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be >= 1, was " + generation);
        }
    }

    /** The instance serving the call this thread is running, or empty outside a service call. */
    public static Optional<CallContext> current() {
        return Optional.ofNullable(CurrentCall.get());
    }

    /** The instance id that served the call: the replica's id if replicated, else the service's. */
    public String instanceId() {
        return replica != null ? replica : serviceId;
    }
}
