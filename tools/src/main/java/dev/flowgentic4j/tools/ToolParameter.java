package dev.flowgentic4j.tools;

import dev.flowgentic4j.workflows.spi.Checks;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * One typed parameter of a function-backed tool. Its JSON schema in the {@code ToolSpecification} is
 * derived from {@code type} the way langchain4j derives it for {@code @Tool} method parameters, and
 * the model's argument is bound to {@code type} with Jackson.
 *
 * <pre>{@code
 * List<ToolParameter> params = List.of(
 *     ToolParameter.required("city", String.class, "the city to look up"),
 *     ToolParameter.optional("days", Integer.class, "forecast length, default 1"));
 * }</pre>
 *
 * @param name the argument name the model uses
 * @param type the Java type the argument is bound to (a {@code Class} or a parameterized type such as {@code List<String>})
 * @param description what the argument means, for the model; may be null
 * @param required whether a call without it (or with {@code null}) is rejected with an error result
 */
public record ToolParameter(String name, Type type, String description, boolean required) {

    /**
     * @throws NullPointerException if {@code name} or {@code type} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public ToolParameter {
        Checks.requireName(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** A parameter the model must supply. */
    public static ToolParameter required(String name, Type type, String description) {
        return new ToolParameter(name, type, description, true);
    }

    /**
     * A parameter the model may leave out; the function then gets {@code null} from
     * {@link ToolArguments#get} and an empty {@link ToolArguments#optional}.
     */
    public static ToolParameter optional(String name, Type type, String description) {
        return new ToolParameter(name, type, description, false);
    }
}
