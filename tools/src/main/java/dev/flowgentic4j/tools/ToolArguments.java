package dev.flowgentic4j.tools;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The arguments of one tool call, already parsed and bound to the declared {@link ToolParameter}
 * types; optional arguments the model left out are absent. Immutable.
 *
 * <pre>{@code
 * String city = args.get("city", String.class);
 * int days = args.optional("days", Integer.class).orElse(1);
 * }</pre>
 */
public final class ToolArguments {
    private final Map<String, Object> values;

    /** @throws NullPointerException if {@code values} is null */
    public ToolArguments(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
    }

    /**
     * The argument {@code name}, as its declared type.
     *
     * @throws IllegalArgumentException if there is no such argument (an optional one that was left out)
     * @throws ClassCastException if it is not a {@code type}
     */
    public <T> T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no argument '" + name + "'; present: " + values.keySet());
        }
        return type.cast(value);
    }

    /** The argument {@code name} if the model supplied it. */
    public <T> Optional<T> optional(String name, Class<T> type) {
        return Optional.ofNullable(values.get(name)).map(type::cast);
    }

    /** Every argument by name, in declaration order. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolArguments && ((ToolArguments) o).values.equals(values);
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
