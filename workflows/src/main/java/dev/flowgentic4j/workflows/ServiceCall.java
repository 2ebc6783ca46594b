package dev.flowgentic4j.workflows;

import java.util.Objects;

/** One use of a live service instance (see {@link ServiceFuture#call(java.time.Duration, ServiceCall)}). */
@FunctionalInterface
public interface ServiceCall<S, R> {
    R apply(S instance) throws Exception;

    /**
     * Marks {@code call} as safe to run twice: if the instance it runs on dies while it is in flight
     * (see {@link ServiceDefinition.Builder#diesWhen} and {@link ServiceDefinition.Builder#deadOn}),
     * the engine runs it once more on the next generation (or another live replica) instead of
     * failing it with {@link InstanceDiedException}. Works for {@code call} and {@code callAsync};
     * {@link ServiceDefinition.Builder#idempotentCalls()} marks every call of a service at once.
     *
     * <pre>{@code
     * int rows = db.call(Duration.ofSeconds(5), ServiceCall.idempotent(pool -> pool.count("users")));
     * }</pre>
     *
     * @throws NullPointerException if {@code call} is null
     */
    static <S, R> ServiceCall<S, R> idempotent(ServiceCall<S, R> call) {
        Objects.requireNonNull(call, "call");
        return call instanceof Idempotent<S, R> already ? already : new Idempotent<>(call);
    }

    /**
     * A call marked by {@link ServiceCall#idempotent}: it runs {@code call}, and the engine may run
     * it a second time on another instance if the first one died under it.
     *
     * @param call the call itself
     */
    record Idempotent<S, R>(ServiceCall<S, R> call) implements ServiceCall<S, R> {
        public Idempotent {
            Objects.requireNonNull(call, "call");
        }

        @Override
        public R apply(S instance) throws Exception {
            return call.apply(instance);
        }
    }
}
