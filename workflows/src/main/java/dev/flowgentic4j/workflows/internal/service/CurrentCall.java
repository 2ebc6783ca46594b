package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.CallContext;

/**
 * Engine use: the {@link CallContext} of the service call running on this thread, set by
 * {@link ServiceCalls} around the user's call and restored after it (calls nest).
 */
public final class CurrentCall {
    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();

    private CurrentCall() {}

    /** The context of the call running on this thread, or null. */
    public static CallContext get() {
        return CURRENT.get();
    }

    /** Sets {@code context} for this thread; returns the one it replaces (to restore). */
    static CallContext enter(CallContext context) {
        CallContext outer = CURRENT.get();
        CURRENT.set(context);
        return outer;
    }

    /** Restores {@code outer} (the value {@link #enter} returned). */
    static void exit(CallContext outer) {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }
}
