package dev.flowgentic4j.spring.app;

/** A service whose health check fails once the test breaks it; a new instance is healthy. */
public final class Probe {
    private volatile boolean broken;

    public void breakIt() {
        broken = true;
    }

    public void check() {
        if (broken) {
            throw new IllegalStateException("probe broken by the test");
        }
    }
}
