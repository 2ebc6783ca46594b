package dev.flowgentic4j.quickstart;

import dev.flowgentic4j.integration.IntegrationConfig;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.BackendProvider;
import dev.flowgentic4j.workflows.EngineConfig;
import java.io.PrintStream;
import java.util.List;

/**
 * The {@code --backend NAME} option of the quickstart programs: the backend is chosen by name at run
 * time ({@link BackendProvider}), so the quickstart does not depend on any distributed backend.
 */
final class Backends {
    private Backends() {}

    /** Removes {@code --backend NAME} from {@code args} and returns NAME, or {@code local}; exits 2 without NAME. */
    static String takeBackendOption(List<String> args, String program) {
        int at = args.indexOf("--backend");
        if (at < 0) {
            return "local";
        }
        if (at + 1 >= args.size()) {
            System.err.println(program + ": --backend needs a name (local, or ignite with flowgentic4j-ignite on the "
                    + "classpath)");
            System.exit(2);
        }
        String name = args.get(at + 1);
        args.subList(at, at + 2).clear();
        return name;
    }

    /** An integration on the named backend ({@code local}: the default one), saying which on {@code out}. */
    static LangGraphIntegration integration(String backend, PrintStream out) {
        if (backend.equals("local")) {
            return LangGraphIntegration.create();
        }
        LangGraphIntegration integration = LangGraphIntegration.create(IntegrationConfig.builder()
                .engine(EngineConfig.builder().backend(BackendProvider.byName(backend)).build()).build());
        out.println("Backend: " + backend);
        return integration;
    }
}
