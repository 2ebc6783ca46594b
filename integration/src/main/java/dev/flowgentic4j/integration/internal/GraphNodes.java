package dev.flowgentic4j.integration.internal;

import dev.flowgentic4j.integration.ServiceNodeAction;
import dev.flowgentic4j.workflows.CallContext;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.state.AgentState;

/** The LangGraph4j nodes the execution wrappers hand out. */
public final class GraphNodes {
    private GraphNodes() {}

    /**
     * A node bound to {@code service}: each run resolves the live instance (waiting up to
     * {@code readyTimeout}) and applies {@code action} on the graph's thread when a call slot is
     * free; under the service's concurrency limit the node returns at once with a future that the
     * release of a slot completes ({@link ServiceFuture#callAsync}), the action then running on the
     * backend. A service that is not RUNNING fails the node with
     * {@link dev.flowgentic4j.workflows.ServiceUnavailableException}.
     */
    public static <S, St extends AgentState> AsyncNodeAction<St> service(ServiceFuture<S> service,
            ServiceNodeAction<? super S, St> action, Duration readyTimeout) {
        return state -> {
            CallSpan node = NodeTelemetry.current(); // set while an observed graph invokes this node
            try {
                return service.callAsync(readyTimeout, instance -> {
                    if (node != null) { // the instance that serves this call: replica and generation included
                        node.servedBy(FlowType.SERVICE_TASK, CallContext.current());
                    }
                    Map<String, Object> update = action.apply(instance, state);
                    return update == null ? Map.<String, Object>of() : update;
                });
            } catch (RuntimeException | Error e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /**
     * An EXECUTION_BLOCK node: every run is a call of {@code task} (on the backend, with its retries)
     * on the state.
     */
    public static <St extends AgentState> AsyncNodeAction<St> block(FunctionTask<St, Map<String, Object>> task) {
        return state -> {
            tag(FlowType.EXECUTION_BLOCK);
            try {
                return task.submit(state).thenApply(update -> update == null ? Map.of() : update);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    private static void tag(FlowType type) {
        CallSpan node = NodeTelemetry.current();
        if (node != null) {
            node.flowType(type);
        }
    }
}
