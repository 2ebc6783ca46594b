package dev.flowgentic4j.integration;

import java.util.Map;
import org.bsc.langgraph4j.state.AgentState;

/**
 * The body of a SERVICE_TASK graph node: uses the live service instance and the graph state, and
 * returns the state update. The instance itself must never be put into the state.
 *
 * @param <S> the service instance type
 * @param <St> the graph state type
 */
@FunctionalInterface
public interface ServiceNodeAction<S, St extends AgentState> {
    Map<String, Object> apply(S service, St state) throws Exception;
}
