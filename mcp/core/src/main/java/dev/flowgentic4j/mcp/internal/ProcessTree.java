package dev.flowgentic4j.mcp.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a server's whole process tree: the process it started and every descendant it has or was
 * seen to have (a child orphaned by its parent's death is no longer a descendant, so callers keep
 * the ones they saw). Descendants go first, while their parents can still reap them, then the root;
 * each group gets a polite termination (SIGTERM), then, for what is still there halfway through
 * its share of the deadline, a forced one (SIGKILL). Waits on the processes' exits, never by
 * polling. A zombie (killed, not yet reaped by a parent that will never reap it) counts as ended.
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
     * Ends {@code root} and every process in {@code seen} within {@code deadline}.
     *
     * @return the pids still running at the deadline (empty when all ended)
     */
    public static List<Long> end(ProcessHandle root, Set<ProcessHandle> seen, Duration deadline)
            throws InterruptedException {
        Set<ProcessHandle> descendants = new LinkedHashSet<>(seen);
        descendants.remove(root);
        Duration half = deadline.dividedBy(2);
        endGroup(descendants, half);
        endGroup(Set.of(root), half);
        List<Long> running = new ArrayList<>();
        for (ProcessHandle p : seen) {
            if (isRunning(p)) {
                running.add(p.pid());
            }
        }
        if (isRunning(root) && !running.contains(root.pid())) {
            running.add(root.pid());
        }
        return running;
    }

    /** Whether {@code p} is alive and not a zombie. */
    public static boolean isRunning(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return p.isAlive(); // no /proc (not Linux), or the process just went
        }
    }

    private static void endGroup(Set<ProcessHandle> group, Duration budget) throws InterruptedException {
        if (group.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        group.forEach(ProcessHandle::destroy);
        if (awaitEnd(group, budget.dividedBy(2))) {
            return;
        }
        for (ProcessHandle p : group) {
            if (isRunning(p)) {
                p.destroyForcibly();
            }
        }
        Duration left = budget.minusNanos(System.nanoTime() - start);
        awaitEnd(group, left.isNegative() ? Duration.ZERO : left);
    }

    private static boolean awaitEnd(Set<ProcessHandle> group, Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] exits = group.stream().filter(ProcessTree::isRunning).map(ProcessHandle::onExit)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return group.stream().noneMatch(ProcessTree::isRunning); // zombies never report their exit
        }
    }
}
