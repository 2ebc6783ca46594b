package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.TaskFunction;
import java.time.Duration;
import org.apache.ignite.Ignition;

/** A compute job: on whichever server node runs it, calls the counter service named by its argument. */
public class IncrementFromNode implements TaskFunction<String, long[]> {

    /** Returns the count after the increment and the pid of the JVM that called. */
    @Override
    public long[] apply(String serviceName) {
        Counter counter = IgniteBackend.proxy(Ignition.localIgnite(), serviceName, Counter.class,
                RetryConfig.builder().maxAttempts(3).build(), Duration.ofSeconds(10));
        return new long[] {counter.increment(), ProcessHandle.current().pid()};
    }
}
