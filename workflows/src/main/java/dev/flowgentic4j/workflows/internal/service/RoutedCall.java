package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.ServiceCall;

/**
 * A call a replicated service routes to one of its replicas: if the replica's instance dies under
 * an idempotent call, the replica does not retry it on its own next generation but says so
 * ({@link #retryRequested()}), and the replicated service retries it once on a live replica, passing
 * {@code firstDeath} so that a second death is not retried again. One per attempt. Thread-safe.
 *
 * @param <S> the instance type
 * @param <R> the result type
 */
public final class RoutedCall<S, R> implements ServiceCall<S, R> {
    private final ServiceCall<? super S, R> call;
    private final InstanceDiedException firstDeath;
    private volatile boolean retryRequested;

    /**
     * @param call the caller's call (possibly {@link ServiceCall#idempotent} itself)
     * @param firstDeath the death that ended its first attempt, if this is its retry; else null
     */
    public RoutedCall(ServiceCall<? super S, R> call, InstanceDiedException firstDeath) {
        this.call = call;
        this.firstDeath = firstDeath;
    }

    @Override
    public R apply(S instance) throws Exception {
        return call.apply(instance);
    }

    /** The caller's call. */
    public ServiceCall<? super S, R> call() {
        return call;
    }

    /** The death that ended its first attempt, or null on the first attempt. */
    public InstanceDiedException firstDeath() {
        return firstDeath;
    }

    void retryElsewhere() {
        retryRequested = true;
    }

    /**
     * Whether the replica's instance died under this idempotent call on its first attempt: the
     * replicated service should retry it once on a live replica (the {@link InstanceDiedException}
     * the attempt threw is its {@code firstDeath}).
     */
    public boolean retryRequested() {
        return retryRequested;
    }
}
