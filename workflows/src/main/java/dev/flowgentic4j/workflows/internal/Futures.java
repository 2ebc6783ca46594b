package dev.flowgentic4j.workflows.internal;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Future and exception helpers shared by the modules. Internal: not part of the public API. */
public final class Futures {
    private Futures() {}

    /**
     * Strips the wrappers that futures and reflection put around a failure
     * ({@link CompletionException}, {@link ExecutionException}, {@link InvocationTargetException})
     * down to what the code itself threw.
     */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
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
