package dev.flowgentic4j.integration;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.serializer.StateSerializer;
import org.bsc.langgraph4j.state.AgentState;

/**
 * A LangGraph4j state serializer whose <em>clone</em> (which LangGraph4j runs at every step of every
 * graph run, checkpoint saver or not) copies the state instead of writing it to bytes and reading it
 * back: lists, sets and maps are copied (recursively), immutable values are shared. Persisting
 * ({@link #writeData}, {@link #readData}, used by checkpoint savers) is the delegate's, byte for byte.
 *
 * <p>Shared as they are: {@code String}, boxed primitives, {@code BigInteger}, {@code BigDecimal},
 * {@code UUID}, enums, {@code java.time} values, and langchain4j's {@link SystemMessage},
 * {@link UserMessage}, {@link AiMessage}, {@link ToolExecutionResultMessage} and
 * {@link ToolExecutionRequest} (immutable: final fields, unmodifiable lists). A state holding any
 * other value is cloned by the delegate, as without this class, so the clone is never less
 * independent than LangGraph4j's own. Measured on the agent benchmark ({@code AgentScaleBenchmark}):
 * see {@code benchmarks/RESULTS.md}. Thread-safe if the delegate is.
 *
 * <pre>{@code
 * ReactAgentConfig config = ReactAgentConfig.builder()
 *     .stateSerializer(CopyingStateSerializer.forAgentState())   // the default of ReactAgentConfig
 *     .build();
 * }</pre>
 *
 * @param <S> the state type
 */
public final class CopyingStateSerializer<S extends AgentState> extends StateSerializer<S> {
    private static final Object NOT_COPIED = new Object();
    private static final Set<Class<?>> SHARED = Set.of(String.class, Integer.class, Long.class, Short.class,
            Byte.class, Double.class, Float.class, Boolean.class, Character.class, BigInteger.class,
            BigDecimal.class, UUID.class, SystemMessage.class, UserMessage.class, AiMessage.class,
            ToolExecutionResultMessage.class, ToolExecutionRequest.class);

    private final StateSerializer<S> delegate;

    private CopyingStateSerializer(StateSerializer<S> delegate) {
        super(delegate.stateFactory());
        this.delegate = delegate;
    }

    /**
     * Copies on clone, persists through {@code delegate} (and clones through it a state that holds a
     * value this class does not know to be immutable).
     *
     * @throws NullPointerException if {@code delegate} is null
     */
    public static <S extends AgentState> CopyingStateSerializer<S> of(StateSerializer<S> delegate) {
        return new CopyingStateSerializer<>(Objects.requireNonNull(delegate, "delegate"));
    }

    /** For {@link AgentExecutor.State}, persisting as LangGraph4j's {@code AgentExecutor.Serializers.JSON}. */
    public static CopyingStateSerializer<AgentExecutor.State> forAgentState() {
        return of(AgentExecutor.Serializers.JSON.object());
    }

    /** The serializer that persists, and clones what this one does not copy. */
    public StateSerializer<S> delegate() {
        return delegate;
    }

    @Override
    public S cloneObject(S state) throws IOException, ClassNotFoundException {
        Objects.requireNonNull(state, "state");
        Map<String, Object> data = state.data();
        Map<String, Object> copy = new HashMap<>(Math.max(4, data.size() * 2));
        for (Map.Entry<String, Object> entry : data.entrySet()) {
            Object value = copy(entry.getValue());
            if (value == NOT_COPIED) {
                return delegate.cloneObject(state);
            }
            copy.put(entry.getKey(), value);
        }
        return stateFactory().apply(copy);
    }

    /** A copy as independent as a round trip through bytes, or {@link #NOT_COPIED}. */
    private static Object copy(Object value) {
        if (value == null || isShared(value)) {
            return value;
        }
        if (value instanceof List<?> list) {
            return copyAll(list, new ArrayList<>(list.size()));
        }
        if (value instanceof Set<?> set) {
            return copyAll(set, new LinkedHashSet<>(Math.max(4, set.size() * 2)));
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object key = entry.getKey();
                Object element = copy(entry.getValue());
                if (!(key == null || isShared(key)) || element == NOT_COPIED) {
                    return NOT_COPIED;
                }
                copy.put(key, element);
            }
            return copy;
        }
        return NOT_COPIED;
    }

    private static Object copyAll(Collection<?> source, Collection<Object> target) {
        for (Object element : source) {
            Object copy = copy(element);
            if (copy == NOT_COPIED) {
                return NOT_COPIED;
            }
            target.add(copy);
        }
        return target;
    }

    private static boolean isShared(Object value) {
        Class<?> type = value.getClass();
        return SHARED.contains(type) || type.isEnum() || value instanceof Enum<?>
                || (type.getPackageName().equals("java.time") && value instanceof java.io.Serializable
                    && !(value instanceof java.time.Clock));
    }

    @Override
    public void writeData(Map<String, Object> data, ObjectOutput out) throws IOException {
        delegate.writeData(data, out);
    }

    @Override
    public Map<String, Object> readData(ObjectInput in) throws IOException, ClassNotFoundException {
        return delegate.readData(in);
    }

    @Override
    public String contentType() {
        return delegate.contentType();
    }

    @Override
    public String toString() {
        return "CopyingStateSerializer[" + delegate.getClass().getSimpleName() + "]";
    }
}
