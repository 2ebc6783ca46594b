package dev.flowgentic4j.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flowgentic4j.tools.internal.ArgumentBinder;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of one tool call, already parsed and bound to the declared {@link ToolParameter}
 * types. An optional argument the model left out is {@code null} from {@link #get} and empty from
 * {@link #optional}; asking for a name that is not a declared parameter is a programming error and
 * throws. Immutable.
 *
 * <pre>{@code
 * String city = args.get("city", String.class);                  // required: never null
 * int days = args.optional("days", Integer.class).orElse(1);     // optional: a default when left out
 * Integer limit = args.get("limit", Integer.class);              // optional: null when left out
 * }</pre>
 */
public final class ToolArguments {
    private final Map<String, Object> values;
    private final Set<String> parameterNames;
    private final String json;          // as the model sent them, or null for arguments built in code
    private final Object memoryId;

    /**
     * Arguments whose declared parameters are exactly the keys of {@code values}.
     *
     * @throws NullPointerException if {@code values} is null
     */
    public ToolArguments(Map<String, ?> values) {
        this(values, Objects.requireNonNull(values, "values").keySet());
    }

    /**
     * Arguments of a tool declaring {@code parameterNames}; optional ones the model left out are
     * missing from {@code values}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code values} has a name that is not among {@code parameterNames}
     */
    public ToolArguments(Map<String, ?> values, Collection<String> parameterNames) {
        this(values, parameterNames, null, null);
    }

    /** Arguments of one call, with the JSON text the model sent and the conversation's memory id. */
    ToolArguments(Map<String, ?> values, Collection<String> parameterNames, String json, Object memoryId) {
        this.json = json;
        this.memoryId = memoryId;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
        this.parameterNames = Set.copyOf(Objects.requireNonNull(parameterNames, "parameterNames"));
        for (String name : this.values.keySet()) {
            if (!this.parameterNames.contains(name)) {
                throw new IllegalArgumentException("argument '" + name + "' is not a declared parameter; declared: "
                        + declared());
            }
        }
    }

    /**
     * The argument {@code name}, as its declared type, or {@code null} if it is an optional parameter
     * the model left out.
     *
     * @throws IllegalArgumentException if {@code name} is not a declared parameter
     * @throws ClassCastException if it is not a {@code type}
     */
    public <T> T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value == null && !parameterNames.contains(name)) {
            throw new IllegalArgumentException("no parameter '" + name + "'; declared: " + declared());
        }
        return type.cast(value);
    }

    /**
     * The argument {@code name} if the model supplied it.
     *
     * @throws IllegalArgumentException if {@code name} is not a declared parameter
     * @throws ClassCastException if it is not a {@code type}
     */
    public <T> Optional<T> optional(String name, Class<T> type) {
        return Optional.ofNullable(get(name, type));
    }

    private Set<String> declared() {
        return new TreeSet<>(parameterNames);
    }

    /**
     * The arguments as the model sent them: one JSON object, checked and at most
     * {@link AgentTools#MAX_ARGUMENT_CHARS} long; for arguments built in code, {@link #asMap()} as JSON.
     */
    public String json() {
        if (json != null) {
            return json;
        }
        try {
            return ArgumentBinder.JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("arguments cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The chat memory id of the conversation that made the call (what langchain4j passes to a
     * {@code @ToolMemoryId} parameter), if there is one.
     */
    public Optional<Object> memoryId() {
        return Optional.ofNullable(memoryId);
    }

    /** The arguments the model supplied, by name, in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolArguments other && other.values.equals(values)
                && other.parameterNames.equals(parameterNames);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ToolArguments" + values;
    }
}
