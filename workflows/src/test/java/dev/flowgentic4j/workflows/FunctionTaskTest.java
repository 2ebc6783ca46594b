package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FunctionTaskTest {
    private final FlowEngine engine = FlowEngine.create(fastConfig());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void each_call_runs_the_function_on_the_backend_and_completes_with_its_result() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        FunctionTask<String, Integer> length = engine.functionTask("length", s -> {
            thread.set(Thread.currentThread().getName());
            return s.length();
        });

        assertThat(length.call("hello")).isEqualTo(5);
        assertThat(length.submit("hi").get(5, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(thread.get()).startsWith("flowgentic4j-");
        assertThat(length.name()).isEqualTo("length");
    }

    @Test
    void a_failing_call_is_retried_and_then_fails_naming_the_task_with_the_last_cause() {
        AtomicInteger attempts = new AtomicInteger();
        FunctionTask<String, String> task = engine.functionTask("flaky", s -> {
            throw new IOException("attempt " + attempts.incrementAndGet());
        }, fastRetry(4));

        assertThatThrownBy(() -> task.call("x"))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("task 'flaky' failed after 4 attempts")
                .hasMessageContaining("attempt 4")
                .hasCauseInstanceOf(IOException.class);
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void only_the_configured_exceptions_are_retried() {
        AtomicInteger attempts = new AtomicInteger();
        RetryConfig retry = fastRetry(5).toBuilder().retryOn(IOException.class).build();
        FunctionTask<String, String> task = engine.functionTask("picky", s -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("bad input " + s);
        }, retry);

        assertThatThrownBy(() -> task.call("x")).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("after 1 attempt").hasMessageContaining("bad input x");
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void a_timed_out_attempt_is_really_cancelled_so_no_second_copy_runs_beside_the_retry() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        AtomicBoolean firstSawInterrupt = new AtomicBoolean();
        RetryConfig retry = fastRetry(3).toBuilder().attemptTimeout(Duration.ofMillis(100)).build();
        FunctionTask<String, String> task = engine.functionTask("slow-once", s -> {
            int n = attempts.incrementAndGet();
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (n == 1) {
                    try {
                        Fakes.hang();
                    } catch (InterruptedException e) {
                        firstSawInterrupt.set(true);
                        // still busy cleaning up for a moment: the retry must wait for this
                        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        throw e;
                    }
                }
                return s + " on attempt " + n;
            } finally {
                running.decrementAndGet();
            }
        }, retry);

        assertThat(task.call("done")).isEqualTo("done on attempt 2");
        assertThat(firstSawInterrupt).isTrue();
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void an_attempt_that_ignores_its_interrupt_is_not_retried_beside_itself() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        RetryConfig retry = fastRetry(3).toBuilder().attemptTimeout(Duration.ofMillis(50))
                .cancelGrace(Duration.ofMillis(100)).build();
        FunctionTask<String, String> task = engine.functionTask("deaf", s -> {
            attempts.incrementAndGet();
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // deliberately deaf
                }
            }
            return s;
        }, retry);

        assertThatThrownBy(() -> task.call("x")).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("ignored its interrupt");
        assertThat(attempts.get()).isEqualTo(1);
        release.countDown();
    }

    @Test
    void cancelling_a_submitted_call_interrupts_it_and_stops_further_attempts() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger attempts = new AtomicInteger();
        FunctionTask<String, String> task = engine.functionTask("cancellable", s -> {
            attempts.incrementAndGet();
            entered.countDown();
            try {
                Fakes.hang();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return s;
        });
        CompletableFuture<String> future = task.submit("x");
        entered.await();

        future.cancel(true);

        assertThat(Fakes.eventually(Duration.ofSeconds(5), interrupted::get)).isTrue();
        assertThat(future).isCancelled();
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void backoff_grows_exponentially_up_to_the_cap_with_bounded_jitter() {
        RetryConfig retry = RetryConfig.builder().baseDelay(Duration.ofMillis(500)).maxDelay(Duration.ofSeconds(8))
                .jitter(0.25).build();
        for (int i = 0; i < 50; i++) {
            assertThat(retry.delayAfter(1).toMillis()).isBetween(375L, 625L);
            assertThat(retry.delayAfter(3).toMillis()).isBetween(1500L, 2500L);
            assertThat(retry.delayAfter(10).toMillis()).isBetween(6000L, 10000L);
        }
        RetryConfig exact = retry.toBuilder().jitter(0).build();
        assertThat(List.of(exact.delayAfter(1), exact.delayAfter(2), exact.delayAfter(5), exact.delayAfter(6)))
                .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(8));
    }

    @Test
    void defaults_match_the_documented_values() {
        RetryConfig retry = RetryConfig.ofDefaults();
        assertThat(retry.maxAttempts()).isEqualTo(3);
        assertThat(retry.baseDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(retry.maxDelay()).isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.jitter()).isEqualTo(0.25);
        assertThat(retry.attemptTimeout()).isEmpty();
    }
}
