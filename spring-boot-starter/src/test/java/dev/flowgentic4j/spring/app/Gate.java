package dev.flowgentic4j.spring.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A latch the test opens; waits are bounded. */
public final class Gate {
    private final CountDownLatch latch = new CountDownLatch(1);

    public void open() {
        latch.countDown();
    }

    public boolean await(Duration max) throws InterruptedException {
        return latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }
}
