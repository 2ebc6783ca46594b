package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Pattern 2 with the real all-MiniLM-L6-v2 model, loaded once for the class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddingModelServiceTest {
    private static final Duration READY = Duration.ofSeconds(60);

    private static FlowEngine engine;
    private static ServiceFuture<EmbeddingModelService> model;

    @BeforeAll
    static void loadTheModelOnce() {
        engine = FlowEngine.create();
        // one ONNX thread: the settings reach the session, and the test leaves a core to the rest
        model = engine
                .serviceTask(PatternServices.embeddingModel(EmbeddingModelSettings.defaults().withIntraOpThreads(1)))
                .start(null);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    @Order(1)
    void every_call_reuses_the_one_loaded_model() {
        EmbeddingModelService first = model.join();
        long before = first.embeddingCount();
        long callsBefore = model.callCount();

        float[] a = model.call(READY, m -> m.predict("sample input"));
        float[] b = model.call(READY, m -> m.predict("another input"));
        float[] again = model.call(READY, m -> m.embed("sample input"));

        assertThat(model.join()).isSameAs(first);
        assertThat(first.embeddingCount() - before).isEqualTo(3);
        assertThat(model.callCount() - callsBefore).isEqualTo(3);
        assertThat(engine.services()).filteredOn(s -> s.name().equals(PatternServices.EMBEDDING_MODEL)).hasSize(1);
        assertThat(a).hasSize(EmbeddingModelService.DIMENSIONS).isEqualTo(again);
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    @Order(2)
    void similar_questions_embed_closer_than_unrelated_ones() {
        float[] reset = model.call(READY, m -> m.embed("How do I reset my password?"));
        float[] forgot = model.call(READY, m -> m.embed("I forgot my password"));
        float[] shipping = model.call(READY, m -> m.embed("When will my order be shipped?"));

        assertThat(cosine(reset, forgot))
                .isGreaterThan(cosine(reset, shipping) + 0.2);
        assertThat(cosine(reset, reset)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    @Order(3)
    void closing_the_engine_releases_the_model_and_later_calls_fail() {
        EmbeddingModelService instance = model.join();

        engine.close();

        assertThat(model.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(instance.isClosed()).isTrue();
        assertThatThrownBy(() -> instance.embed("too late")).isInstanceOf(IllegalStateException.class);
    }

    private static double cosine(float[] a, float[] b) {
        return CosineSimilarity.between(Embedding.from(a), Embedding.from(b));
    }
}
