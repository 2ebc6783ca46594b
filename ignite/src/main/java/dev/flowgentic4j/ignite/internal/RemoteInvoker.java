package dev.flowgentic4j.ignite.internal;

/** What Ignite's proxy exposes of a {@link HostedService}: reflective calls into the hosted instance. */
public interface RemoteInvoker {

    /** Calls {@code method} on the hosted instance; throws exactly what the method threw. */
    Object invoke(String method, Class<?>[] parameterTypes, Object[] args) throws Exception;

    /**
     * Where the instance runs, as {@code nodeId/pid} (a string: Ignite 2.x cannot marshal records);
     * the readiness probe.
     */
    String host();
}
