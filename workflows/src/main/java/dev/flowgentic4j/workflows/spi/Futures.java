package dev.flowgentic4j.workflows.spi;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Future and exception helpers for modules built on the engine: strip the wrappers that futures and
 * reflection put around a failure, hand out copies of futures that callers cannot complete, and
 * build an already-cancelled future. Part of the SPI; stateless and thread-safe.
 *
 * <pre>{@code
 * Throwable cause = Futures.unwrap(error);   // what the user's code threw
 * }</pre>
 */
public final class Futures {
    private Futures() {}

    /**
     * Strips the wrappers that futures and reflection put around a failure
     * ({@link CompletionException}, {@link ExecutionException}, {@link InvocationTargetException})
     * down to what the code itself threw.
     */
    public static Throwable unwrap(Throwable error) {
        return unwrap(error, List.of());
    }

    /**
     * {@link #unwrap(Throwable)} that also strips the caller's own carrier exceptions (for example
     * {@link dev.flowgentic4j.workflows.ServiceCallException} when only the root matters).
     */
    @SafeVarargs
    public static Throwable unwrap(Throwable error, Class<? extends Throwable>... carriers) {
        return unwrap(error, List.of(carriers));
    }

    private static Throwable unwrap(Throwable error, List<Class<? extends Throwable>> carriers) {
        Throwable t = error;
        while (t.getCause() != null && (t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof InvocationTargetException || isCarrier(t, carriers))) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isCarrier(Throwable t, List<Class<? extends Throwable>> carriers) {
        for (Class<? extends Throwable> carrier : carriers) {
            if (carrier.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A copy of {@code source} that callers may complete without effect on it; a cancellation of
     * the source reaches the copy as a {@link CancellationException}, not wrapped.
     */
    public static <T> CompletableFuture<T> copyOf(CompletableFuture<T> source) {
        CompletableFuture<T> copy = new CompletableFuture<>();
        source.whenComplete((value, error) -> {
            if (error == null) {
                copy.complete(value);
            } else {
                copy.completeExceptionally(unwrap(error));
            }
        });
        return copy;
    }

    /** A future already cancelled with {@code message}: every await of it throws {@link CancellationException}. */
    public static <T> CompletableFuture<T> cancelled(String message) {
        CompletableFuture<T> future = new CompletableFuture<>();
        future.completeExceptionally(new CancellationException(message));
        return future;
    }
}
