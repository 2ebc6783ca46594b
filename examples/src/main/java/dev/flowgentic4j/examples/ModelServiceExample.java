package dev.flowgentic4j.examples;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.patterns.EmbeddingModelService;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pattern 2, "ML Model Server": a SERVICE_TASK loads the all-MiniLM-L6-v2 embedding model once;
 * every {@code predict} call after that reuses it. Prints the load time once and the time of each
 * call, then cancels the handle, which releases the model's native memory.
 */
public final class ModelServiceExample {
    private static final Duration READY = Duration.ofSeconds(60);

    /** What the example saw, for tests. */
    public record Report(Duration loadTime, List<Duration> callTimes, List<float[]> vectors, long loads,
                         boolean closedAfterCancel) {}

    private ModelServiceExample() {}

    public static void main(String[] args) {
        Unreachable.exitOnFailure("ModelServiceExample", () -> run(System.out, List.of("sample input", "another input", "How do I reset my password?",
                "I forgot my password", "What is the price of the monitor?")));
    }

    /** Loads the model once and embeds each text, printing to {@code out}. */
    public static Report run(PrintStream out, List<String> texts) {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<EmbeddingModelService> future =
                    integration.executionWrappers().serviceTask(PatternServices.embeddingModel()).start(null);   // at once
            EmbeddingModelService model = future.join();                                         // the one load
            Duration load = future.startupDuration().orElseThrow();
            out.printf("Model %s loaded once in %d ms%n", EmbeddingModelService.MODEL_NAME, load.toMillis());

            List<Duration> times = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (String text : texts) {
                long start = System.nanoTime();
                float[] vector = future.call(READY, m -> m.predict(text));    // no reload
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                times.add(took);
                vectors.add(vector);
                out.printf("  predict(\"%s\") -> %d dims in %.2f ms (no reload)%n", text, vector.length,
                        took.toNanos() / 1e6);
            }
            long loads = integration.services().stream().filter(s -> s.name().equals(PatternServices.EMBEDDING_MODEL))
                    .count();
            future.cancel(true);
            out.println("  model service " + future.state() + ", session closed: " + model.isClosed());
            return new Report(load, times, vectors, loads, model.isClosed());
        }
    }
}
