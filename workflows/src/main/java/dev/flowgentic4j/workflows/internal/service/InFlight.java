package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.CallAbandonedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation of a service as its calls see it: the calls on it, so that a blue/green switch can
 * wait for the calls still on the replaced generation without waiting for those on the new one, and
 * its fate: live, draining (replaced blue/green, its calls finishing), stopping (we stop it), or dead
 * (it died under us: the first death signal wins, once, and none counts once we began to stop it).
 * Lock-free: a call enters, re-reads the snapshot, and leaves if its generation was replaced
 * meanwhile; the switch publishes the new snapshot and only then retires the old count. Thread-safe.
 */
final class InFlight {
    private static final int LIVE = 0;
    private static final int DRAINING = 1;
    private static final int STOPPING = 2;
    private static final int DEAD = 3;

    private final int generation;
    private final AtomicInteger count = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile int fate = LIVE;          // written under this (rarely); read without a lock
    private volatile boolean retired;
    private volatile int lastOutcome; // 0 no call yet, 1 the last call returned, 2 it threw
    private volatile Throwable deathCause;
    private volatile Duration abandonedAt; // the drain deadline past which the generation was stopped, or null

    /** @param generation the number of the generation these calls are on (0 before the first) */
    InFlight(int generation) {
        this.generation = generation;
    }

    int generation() {
        return generation;
    }

    void enter() {
        count.incrementAndGet();
    }

    /**
     * Leaves. Once retired, a zero read <em>after</em> reading {@code retired} is final: the calls
     * still to come are only stale ones that re-read the snapshot and leave. (The zero this very
     * decrement produced is not enough: a thread that decremented to zero before the switch and
     * reads {@code retired} after it would end the drain while a call that entered meanwhile runs.)
     */
    void exit() {
        count.decrementAndGet();
        if (retired && count.get() == 0) {
            drained.complete(null);
        }
    }

    /**
     * No call enters from now on (the generation was replaced); completes once the last one left, or
     * at once if the generation is dead (nothing to wait for: its calls fail).
     */
    CompletableFuture<Void> retire() {
        synchronized (this) {
            if (fate == LIVE) {
                fate = DRAINING;
            }
        }
        retired = true;
        if (count.get() == 0 || fate == DEAD) {
            drained.complete(null);
        }
        return drained;
    }

    /**
     * We are stopping this generation ourselves (a stop, a stop-then-start replacement, the end of
     * its drain): a death signal from now on is the stop's doing and is ignored.
     */
    synchronized void stopping() {
        if (fate == LIVE || fate == DRAINING) {
            fate = STOPPING;
        }
    }

    /**
     * This generation died, if it was live or draining and no death was recorded before: the first
     * signal wins. Calls on it from now on are calls in flight at the death; a drain ends at once.
     *
     * @return whether this call recorded the death (false: already dead, or we are stopping it)
     */
    boolean markDead(Throwable cause) {
        synchronized (this) {
            if (fate != LIVE && fate != DRAINING) {
                return false;
            }
            deathCause = cause; // written before the fate: a call that sees DEAD reads the cause
            fate = DEAD;
        }
        drained.complete(null);
        return true;
    }

    /** Whether a death would still count: live or draining, not dead already, not stopped by us. */
    boolean mayDie() {
        int now = fate;
        return now == LIVE || now == DRAINING;
    }

    /** Why this generation died, or null while it has not (or we stop it ourselves). */
    Throwable deathCause() {
        return fate == DEAD ? deathCause : null;
    }

    /** Whether this generation was replaced blue/green and its calls are draining (or it died while they did). */
    boolean retired() {
        return retired;
    }

    /** Records how the last call on this generation ended (racy by design: the latest writer wins). */
    void outcome(boolean returned) {
        lastOutcome = returned ? 1 : 2;
    }

    /** Whether the instance still answers: the last call on it returned normally. */
    boolean answering() {
        return lastOutcome == 1;
    }

    /**
     * The replaced generation is stopped at its drain deadline with calls still on it: each of them
     * ends with {@link #abandoned} whatever it returns. Only calls inside now can see it: a call that
     * enters after the switch re-reads the snapshot and leaves before it reaches the instance.
     */
    void abandon(Duration drainDeadline) {
        abandonedAt = drainDeadline;
    }

    /**
     * Null unless this generation was stopped at its drain deadline while the calling call was still
     * on it; then the exception the call ends with, {@code outcome} (what it threw, or null) as cause.
     */
    CallAbandonedException abandoned(String serviceId, Throwable outcome) {
        Duration deadline = abandonedAt;
        if (deadline == null || outcome instanceof CallAbandonedException) {
            return null;
        }
        return new CallAbandonedException(serviceId, deadline, outcome);
    }

    int count() {
        return count.get();
    }
}
