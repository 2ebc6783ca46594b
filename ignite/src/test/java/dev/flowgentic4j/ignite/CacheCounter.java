package dev.flowgentic4j.ignite;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * A counter whose count lives in a replicated cache (a copy on every server node), so it survives
 * the loss of the node that hosts the service; its own call count is per instance.
 */
public class CacheCounter implements Counter {
    static final String CACHE = "flowgentic4j-test-counters";

    private final IgniteCache<String, Long> counts;
    private final AtomicLong calls = new AtomicLong();
    private final String id = UUID.randomUUID().toString().substring(0, 8);

    public CacheCounter(Ignite ignite) {
        this.counts = ignite.getOrCreateCache(new CacheConfiguration<String, Long>(CACHE)
                .setCacheMode(CacheMode.REPLICATED));
    }

    @Override
    public long increment() {
        calls.incrementAndGet();
        while (true) {
            Long current = counts.get("count");
            if (current == null) {
                if (counts.putIfAbsent("count", 1L)) {
                    return 1;
                }
            } else if (counts.replace("count", current, current + 1)) {
                return current + 1;
            }
        }
    }

    @Override
    public long callsHere() {
        return calls.get();
    }

    @Override
    public String instanceId() {
        return id;
    }
}
