package dev.flowgentic4j.patterns;

/**
 * How the embedding-model service runs the model: the threads ONNX Runtime may use inside one
 * embedding (0: ONNX Runtime's default, one per core). Fewer threads leave cores to the rest of the
 * application; more make one embedding faster. Immutable.
 *
 * <pre>{@code
 * ServiceDefinition<Void, EmbeddingModelService> model =
 *     PatternServices.embeddingModel(EmbeddingModelSettings.defaults().withIntraOpThreads(1));
 * }</pre>
 */
public record EmbeddingModelSettings(int intraOpThreads) {
    public static final int DEFAULT_INTRA_OP_THREADS = 0;

    /** @throws IllegalArgumentException if {@code intraOpThreads} is negative */
    public EmbeddingModelSettings {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 (0: ONNX Runtime's default), was "
                    + intraOpThreads);
        }
    }

    /** ONNX Runtime's own thread default. */
    public static EmbeddingModelSettings defaults() {
        return new EmbeddingModelSettings(DEFAULT_INTRA_OP_THREADS);
    }

    public EmbeddingModelSettings withIntraOpThreads(int threads) {
        return new EmbeddingModelSettings(threads);
    }
}
