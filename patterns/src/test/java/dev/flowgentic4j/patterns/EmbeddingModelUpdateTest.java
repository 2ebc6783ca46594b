package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.CallLoad;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedding model swapped for another under load (issue 19): 8 threads embed without pause
 * through the model's {@code ServiceFuture} while {@code update(settings.withModel(...))} swaps
 * all-MiniLM-L6-v2 for its quantized variant and back, three times. Each call's vector says which
 * model computed it (the two give measurably different vectors for the same text).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EmbeddingModelUpdateTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int THREADS = 8;
    private static final String TEXT = "How do I reset my password?";
    private static final String FULL = EmbeddingModelSettings.ALL_MINILM_L6_V2;
    private static final String QUANTIZED = EmbeddingModelSettings.ALL_MINILM_L6_V2_QUANTIZED;

    /** One call: when it began (System.nanoTime), the instance that served it and the vector it got. */
    private record Call(long began, EmbeddingModelService instance, float[] vector) {}

    /** A switch: from {@code at} on, new calls reach {@code instance}, and never an older one. */
    private record Switch(long at, EmbeddingModelService instance) {}

    @Test
    void swaps_under_load_fail_no_call_and_release_each_old_session_after_its_last_call() throws Exception {
        float[] fullReference;
        float[] quantizedReference;
        EmbeddingModelSettings one = EmbeddingModelSettings.defaults().withIntraOpThreads(1);
        try (EmbeddingModelService full = EmbeddingModelService.load(one);
             EmbeddingModelService quantized = EmbeddingModelService.load(one.withModel(QUANTIZED))) {
            fullReference = full.embed(TEXT);
            quantizedReference = quantized.embed(TEXT);
            assertThat(quantized.model()).isEqualTo(QUANTIZED);
        }
        double between = cosine(fullReference, quantizedReference);
        assertThat(between).as("the variants embed the same text alike, but not identically")
                .isGreaterThan(0.9).isLessThan(0.9999);

        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().stopTimeout(Duration.ofSeconds(20)).build())) {
            ServiceFuture<EmbeddingModelService> model = engine.serviceTask(PatternServices.embeddingModel()).start(one);
            List<EmbeddingModelService> generations = new ArrayList<>(List.of(model.awaitRunning(WAIT)));
            Queue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicInteger closedUnderACall = new AtomicInteger();
            CallLoad load = CallLoad.start(THREADS, () -> {
                long began = System.nanoTime();
                return calls.add(model.call(WAIT, m -> {
                    float[] vector = m.embed(TEXT);
                    if (m.isClosed()) {
                        closedUnderACall.incrementAndGet(); // the engine closed it while this call was on it
                    }
                    return new Call(began, m, vector);
                }));
            });
            List<Switch> switches = new ArrayList<>();
            try {
                String next = QUANTIZED;
                for (int i = 1; i <= 3; i++) {
                    assertThat(load.awaitMore(50, WAIT)).as("calls keep returning before swap %d", i).isTrue();
                    EmbeddingModelService live = model.join();
                    int generation = model.update(live.settings().withModel(next)).get(120, TimeUnit.SECONDS);
                    long at = System.nanoTime();
                    EmbeddingModelService now = model.join();
                    switches.add(new Switch(at, now));
                    generations.add(now);
                    assertThat(generation).isEqualTo(i + 1);
                    assertThat(now.model()).isEqualTo(next);
                    assertThat(now.settings().intraOpThreads()).as("the update's settings, whole").isEqualTo(1);
                    assertThat(Probes.eventually(WAIT, live::isClosed)).as("the old session is released").isTrue();
                    assertThat(load.awaitMore(50, WAIT)).as("calls keep returning after swap %d", i).isTrue();
                    next = next.equals(QUANTIZED) ? FULL : QUANTIZED;
                }
            } finally {
                load.stop(WAIT);
            }

            assertThat(load.failures()).as("no call failed").isEmpty();
            assertThat(closedUnderACall.get()).as("no session released while a call was on it").isZero();
            assertThat(model.failedCallCount()).isZero();
            assertThat(generations).extracting(EmbeddingModelService::model)
                    .containsExactly(FULL, QUANTIZED, FULL, QUANTIZED);
            assertThat(generations.subList(0, 3)).allSatisfy(m -> assertThat(m.isClosed()).isTrue());

            Map<EmbeddingModelService, Integer> generationOf = new IdentityHashMap<>();
            for (int g = 0; g < generations.size(); g++) {
                generationOf.put(generations.get(g), g + 1);
            }
            Map<Integer, Integer> callsPerGeneration = new java.util.TreeMap<>();
            int olderAfterSwitch = 0;
            int wrongVector = 0;
            for (Call call : calls) {
                int generation = generationOf.get(call.instance());
                callsPerGeneration.merge(generation, 1, Integer::sum);
                for (int s = 0; s < switches.size(); s++) {
                    if (call.began() > switches.get(s).at() && generation < s + 2) {
                        olderAfterSwitch++; // began after the switch to generation s + 2, served by an older one
                    }
                }
                float[] expected = call.instance().model().equals(FULL) ? fullReference : quantizedReference;
                if (cosine(call.vector(), expected) < 0.99999) {
                    wrongVector++;
                }
            }
            System.out.printf("model-update | %d embeddings from %d threads through 3 model swaps, failed: %d,"
                    + " calls per generation: %s (full, quantized, full, quantized)%n", load.ok(), THREADS,
                    load.failures().size(), callsPerGeneration);
            assertThat(calls).hasSize((int) load.ok());
            assertThat(olderAfterSwitch).as("no call begun after a switch reached an older model").isZero();
            assertThat(wrongVector).as("each vector is the one its instance's model computes").isZero();
            assertThat(callsPerGeneration.keySet()).as("every generation served calls").containsExactly(1, 2, 3, 4);

            EmbeddingModelService last = model.join();
            model.cancel(true);
            assertThat(last.isClosed()).isTrue();
        }
    }

    @Test
    void an_update_to_a_model_that_cannot_load_leaves_the_live_one_serving() throws Exception {
        assertThatThrownBy(() -> EmbeddingModelSettings.defaults().withModel("all-MiniLM-L12-v2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model must be one of [all-MiniLM-L6-v2, all-MiniLM-L6-v2-q]")
                .hasMessageContaining("all-MiniLM-L12-v2");
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<EmbeddingModelService> model = engine.serviceTask(PatternServices.embeddingModel())
                    .start(null);
            EmbeddingModelService live = model.awaitRunning(WAIT);
            assertThat(live.model()).as("start(null): the definition's defaults").isEqualTo(FULL);

            // not settings at all: the next generation's cold start fails, the live model serves on
            assertThatThrownBy(() -> model.update("all-MiniLM-L6-v2-q").get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("could not start its next generation");
            assertThat(model.generation()).isEqualTo(1);
            float[] vector = model.call(WAIT, m -> m.embed(TEXT));
            assertThat(vector).hasSize(EmbeddingModelService.DIMENSIONS);
            assertThat(live.isClosed()).isFalse();
        }
    }

    private static double cosine(float[] a, float[] b) {
        return CosineSimilarity.between(Embedding.from(a), Embedding.from(b));
    }
}
