package dev.flowgentic4j.mcp.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a server's whole process tree: the process it started and every descendant it has or was
 * seen to have (a child orphaned by its parent's death is no longer a descendant, so callers keep
 * the ones they saw). First a polite termination (SIGTERM), then, for what is still alive at half
 * the deadline, a forced one (SIGKILL); waits on the processes' exits, never by polling.
 */
public final class ProcessTree {
    private ProcessTree() {}

    /** The process and its current descendants. */
    public static List<ProcessHandle> snapshot(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        return all;
    }

    /**
     * Ends every process in {@code processes} within {@code deadline}.
     *
     * @return the pids still alive at the deadline (empty when all ended)
     */
    public static List<Long> end(Set<ProcessHandle> processes, Duration deadline) throws InterruptedException {
        long start = System.nanoTime();
        for (ProcessHandle p : processes) {
            p.destroy();
        }
        if (!awaitExit(processes, deadline.dividedBy(2))) {
            for (ProcessHandle p : processes) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            Duration left = deadline.minusNanos(System.nanoTime() - start);
            awaitExit(processes, left.isNegative() ? Duration.ZERO : left);
        }
        List<Long> alive = new ArrayList<>();
        for (ProcessHandle p : processes) {
            if (p.isAlive()) {
                alive.add(p.pid());
            }
        }
        return alive;
    }

    private static boolean awaitExit(Set<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }
}
