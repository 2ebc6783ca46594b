package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import java.time.Duration;

/**
 * Engine use: the telemetry's observer of one service ({@link ManagedService#observe}). Besides the
 * listener callbacks it hears what only the event stream tells: a blue/green replacement is told
 * as {@link #replacing} and {@link #switched} (listeners hear {@code restarting} and
 * {@code restarted} for it, as for a stop-then-start restart), and the end of a replaced
 * generation's drain as {@link #drained}. Called on the transition's thread; must be quick.
 */
public interface ServiceObserver extends ServiceListener {

    /**
     * How the drain of a generation replaced blue/green ended.
     *
     * @param generation the generation that was drained and stopped
     * @param took from the switch to the end of its stop action
     * @param deadline the drain deadline (half the stop timeout)
     * @param deadlineReached whether the drain was cut short by its deadline
     * @param callsLeft the calls still on the generation when its stop action began
     * @param stopFailure why its stop action failed or overran, or null
     */
    record Drain(int generation, Duration took, Duration deadline, boolean deadlineReached, int callsLeft,
                 Throwable stopFailure) {}

    /** A blue/green replacement of {@code generation} began: the next one cold-starts beside it. */
    default void replacing(ServiceFuture<?> service, int generation, Throwable cause) {
        restarting(service, generation, cause);
    }

    /** New calls go to {@code generation} from now on; the one before it drains. */
    default void switched(ServiceFuture<?> service, int generation) {
        restarted(service, generation);
    }

    /** A generation replaced blue/green was drained and stopped. */
    default void drained(ServiceFuture<?> service, Drain drain) {}
}
