package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.CallContext;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task, node or tool call being observed: its START is published when it is created by
 * {@link Telemetry#beginCall}, its END by {@link #end}. Instrumentation code only; thread-safe.
 */
public final class CallSpan {
    private final Telemetry telemetry;
    private final CallEvent.Kind kind;
    private final String name;
    private final long callId;
    private final long startNanos;
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile FlowType flowType;
    private volatile String serviceId;
    private volatile String replica;
    private volatile boolean served;           // servedBy() recorded the instance that served the call
    private volatile int generation;

    CallSpan(Telemetry telemetry, CallEvent.Kind kind, String name, FlowType flowType, String serviceId,
             int generation) {
        this.telemetry = telemetry;
        this.kind = kind;
        this.name = name;
        this.flowType = flowType;
        this.serviceId = serviceId;
        this.generation = generation;
        this.callId = telemetry.nextCallId();
        this.startNanos = telemetry.ticker().read();
        telemetry.publish(new CallEvent(CallEvent.Phase.START, kind, name, flowType, callId, 1, serviceId, null,
                generation, startNanos, Instant.now(), null, null, null));
    }

    public String name() {
        return name;
    }

    /**
     * The call used (or will use) service {@code id} at generation {@code gen}, as the caller saw it
     * before the call; also sets the call's flow type. {@link #servedBy} records what actually served
     * it and wins over this.
     */
    public void usedService(FlowType type, String id, int gen) {
        this.flowType = type;
        if (!served) {
            this.serviceId = id;
            this.generation = gen;
        }
    }

    /**
     * The call was served by the instance {@code context} names: its handle, replica and generation;
     * also sets the call's flow type. Call it from inside the service call, with
     * {@code CallContext.current()}; an empty context (outside a service call) changes only the flow type.
     *
     * <pre>{@code
     * service.callAsync(timeout, instance -> {
     *     span.servedBy(FlowType.SERVICE_TASK, CallContext.current());
     *     return work(instance);
     * });
     * }</pre>
     */
    public void servedBy(FlowType type, java.util.Optional<CallContext> context) {
        this.flowType = type;
        context.ifPresent(c -> {
            this.serviceId = c.serviceId();
            this.generation = c.generation();
            this.replica = c.replica();
            this.served = true;
        });
    }

    /** Sets the flow type (a node learns it from what it runs). */
    public void flowType(FlowType type) {
        this.flowType = type;
    }

    /** One more attempt began. */
    public void attempt() {
        attempts.incrementAndGet();
    }

    /** Publishes the END (once; later calls do nothing). */
    public void end(Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long now = telemetry.ticker().read();
        telemetry.publish(new CallEvent(CallEvent.Phase.END, kind, name, flowType, callId,
                Math.max(1, attempts.get()), serviceId, replica, generation, now, Instant.now(),
                Duration.ofNanos(Math.max(0, now - startNanos)),
                error == null ? CallEvent.Outcome.SUCCESS
                        : refusal(error) ? CallEvent.Outcome.REFUSED : CallEvent.Outcome.FAILURE,
                error == null ? null : describe(error)));
    }

    /** Whether {@code error} (or a cause of it) says the call was refused before it reached a service. */
    private static boolean refusal(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof ServiceBusyException || t instanceof ServiceUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }
}
