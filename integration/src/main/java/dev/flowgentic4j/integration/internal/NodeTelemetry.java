package dev.flowgentic4j.integration.internal;

import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.hook.NodeHook;
import org.bsc.langgraph4j.state.AgentState;

/**
 * A LangGraph4j wrap-call node hook that publishes a NODE {@link CallEvent} pair for every node run
 * of a graph, named by the node. While a node's action is being invoked, {@link #current()} is its
 * span, so our own nodes tag it with their flow type and the service they use. With no subscriber it
 * only calls the node.
 */
public final class NodeTelemetry<St extends AgentState> implements NodeHook.WrapCall<St> {
    private static final ThreadLocal<CallSpan> CURRENT = new ThreadLocal<>();

    private final Telemetry telemetry;

    public NodeTelemetry(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    /** The span of the node whose action this thread is invoking, or null. */
    public static CallSpan current() {
        return CURRENT.get();
    }

    @Override
    public CompletableFuture<Map<String, Object>> applyWrap(String nodeId, St state, RunnableConfig config,
            AsyncNodeActionWithConfig<St> action) {
        CallSpan span = telemetry.beginCall(CallEvent.Kind.NODE, nodeId, FlowType.GRAPH_NODE, null, 0);
        if (span == null) {
            return action.apply(state, config);
        }
        CallSpan outer = CURRENT.get();
        CURRENT.set(span);
        CompletableFuture<Map<String, Object>> result;
        try {
            result = action.apply(state, config);
        } catch (RuntimeException | Error e) {
            span.end(e);
            throw e;
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
        return result.whenComplete((update, error) -> span.end(error == null ? null : Futures.unwrap(error)));
    }
}
