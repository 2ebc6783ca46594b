package dev.flowgentic4j.workflows;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * A backend chosen by name at run time: modules that bring a backend (such as flowgentic4j-ignite,
 * name {@code ignite}) register a provider in {@code META-INF/services}, so a program selects it by
 * configuration without depending on it at compile time. Implementations must have a public
 * no-argument constructor.
 *
 * <pre>{@code
 * Backend backend = BackendProvider.byName(args.length > 0 ? args[0] : "local");
 * FlowEngine engine = FlowEngine.create(EngineConfig.builder().backend(backend).build());
 * }</pre>
 */
public interface BackendProvider {

    /** The name programs select this backend by. */
    String name();

    /** A new backend, started and ready for work; the engine that receives it closes it. */
    Backend create();

    /**
     * A new backend of the given name: {@code local} (always there), or one whose provider is on the
     * classpath.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if no backend of that name is on the classpath, naming those that are
     */
    static Backend byName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.equals("local")) {
            return Backend.local();
        }
        List<String> found = new ArrayList<>(List.of("local"));
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (provider.name().equals(name)) {
                return provider.create();
            }
            found.add(provider.name());
        }
        throw new IllegalArgumentException("no backend named '" + name + "' on the classpath (found: "
                + String.join(", ", found) + "); a backend comes with its module, e.g. flowgentic4j-ignite for 'ignite'");
    }
}
