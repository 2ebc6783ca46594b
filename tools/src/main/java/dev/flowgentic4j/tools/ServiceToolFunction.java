package dev.flowgentic4j.tools;

/**
 * The body of a service-backed tool: uses the live service instance with the call's arguments.
 * Its return value becomes the tool result (a {@code String} as is, anything else as JSON).
 *
 * @param <S> the service instance type
 */
@FunctionalInterface
public interface ServiceToolFunction<S> {
    Object apply(S service, ToolArguments arguments) throws Exception;
}
