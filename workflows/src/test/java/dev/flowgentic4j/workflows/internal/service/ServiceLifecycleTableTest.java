package dev.flowgentic4j.workflows.internal.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link ServiceLifecycle} as a table: every state and flag combination against every event, driven
 * without threads. Each row is a state with its flags ({@code restarting}, {@code stop} requested,
 * {@code cancel}led); each cell says what the event does there: the snapshot that follows (state,
 * flags, generation), the listener events delivered, and the futures it settles ({@code ready} is
 * the future of the next instance, {@code end} the termination future, {@code calls-end} the end of
 * the calls waiting for a slot, {@code switch} the future of a blue/green replacement), and what
 * the engine is told to do ({@code stops-instance}, {@code cancels-start}, {@code awaits-replaced}
 * for a stop; {@code drains g1} for a switch; {@code orphan} for an instance nobody can use).
 * "ISE" means the event is refused with an IllegalStateException; a cell without events or
 * effects changed nothing observable but the snapshot shown. {@code replacing} is a blue/green
 * replacement under way: RUNNING, the live instance serving, the next one starting beside it.
 * {@code DIE} is the death of the live generation with a restart allowed, {@code DIE_NO_RESTART}
 * without ({@code RestartPolicy.never()} or the budget spent); {@code died g} is the listener event,
 * {@code stops-dead} the stop of the dead instance and {@code cold-starts} the next generation's
 * cold start the engine is told to run. A death during a replacement leaves the replacement to
 * bring the next generation ({@code RUNNING+restarting+replacing}).
 *
 * <p>The rows are found, not assumed: a search from NEW applies every event to every combination it
 * reaches; of the 96 combinations of state and flags, exactly those the invariants allow are
 * reached. A change that makes a new combination reachable, or changes one cell, fails here and
 * shows the new line ({@code -Dlifecycle.table.print=true} in the test JVM prints the table).
 */
class ServiceLifecycleTableTest {

    /** The events of the state machine, as the pieces that act call them. */
    enum Event { START, STARTED, FAIL, STOP, CANCEL, STOPPED, STOP_FAILED, RESTART, HEALTH, REPLACE, SWITCH,
        REPLACE_FAILED, DIE, DIE_NO_RESTART }

    private static final String TABLE = """
            NEW                          | START          -> STARTING g0 | starting |
            NEW                          | STARTED        -> NEW g0 | | orphan
            NEW                          | FAIL           -> FAILED g0 | failed from NEW | ready:failed end:failed calls-end
            NEW                          | STOP           -> TERMINATED+stop g0 | terminated from NEW | ready:cancelled end calls-end
            NEW                          | CANCEL         -> TERMINATED+stop+cancel g0 | terminated from NEW | ready:cancelled end calls-end
            NEW                          | STOPPED        -> NEW g0 | |
            NEW                          | STOP_FAILED    -> NEW g0 | |
            NEW                          | RESTART        -> NEW g0 | | ignored
            NEW                          | HEALTH         -> NEW g0 | health UNHEALTHY |
            NEW                          | REPLACE        -> NEW g0 | | refused
            NEW                          | SWITCH         -> NEW g0 | | orphan
            NEW                          | REPLACE_FAILED -> NEW g0 | |
            NEW                          | DIE            -> NEW g0 | | ignored
            NEW                          | DIE_NO_RESTART -> NEW g0 | | ignored
            STARTING                     | START          -> ISE
            STARTING                     | STARTED        -> RUNNING g1 | running | ready:value
            STARTING                     | FAIL           -> FAILED g0 | failed from STARTING | ready:failed end:failed calls-end
            STARTING                     | STOP           -> STOPPING+stop g0 | stopping from STARTING | ready:cancelled calls-end
            STARTING                     | CANCEL         -> STOPPING+stop+cancel g0 | stopping from STARTING | ready:cancelled calls-end
            STARTING                     | STOPPED        -> STARTING g0 | |
            STARTING                     | STOP_FAILED    -> STARTING g0 | |
            STARTING                     | RESTART        -> STARTING g0 | | ignored
            STARTING                     | HEALTH         -> STARTING g0 | health UNHEALTHY |
            STARTING                     | REPLACE        -> STARTING g0 | | refused
            STARTING                     | SWITCH         -> STARTING g0 | | orphan
            STARTING                     | REPLACE_FAILED -> STARTING g0 | |
            STARTING                     | DIE            -> STARTING g0 | | ignored
            STARTING                     | DIE_NO_RESTART -> STARTING g0 | | ignored
            FAILED                       | START          -> ISE
            FAILED                       | STARTED        -> FAILED g0 | | orphan
            FAILED                       | FAIL           -> FAILED g0 | |
            FAILED                       | STOP           -> FAILED g0 | | was-over
            FAILED                       | CANCEL         -> FAILED g0 | | was-over
            FAILED                       | STOPPED        -> FAILED g0 | |
            FAILED                       | STOP_FAILED    -> FAILED g0 | |
            FAILED                       | RESTART        -> FAILED g0 | | ignored
            FAILED                       | HEALTH         -> FAILED g0 | health UNHEALTHY |
            FAILED                       | REPLACE        -> FAILED g0 | | refused
            FAILED                       | SWITCH         -> FAILED g0 | | orphan
            FAILED                       | REPLACE_FAILED -> FAILED g0 | |
            FAILED                       | DIE            -> FAILED g0 | | ignored
            FAILED                       | DIE_NO_RESTART -> FAILED g0 | | ignored
            TERMINATED+stop              | START          -> ISE
            TERMINATED+stop              | STARTED        -> TERMINATED+stop g0 | | orphan
            TERMINATED+stop              | FAIL           -> TERMINATED+stop g0 | |
            TERMINATED+stop              | STOP           -> TERMINATED+stop g0 | | was-over
            TERMINATED+stop              | CANCEL         -> TERMINATED+stop g0 | | was-over
            TERMINATED+stop              | STOPPED        -> TERMINATED+stop g0 | |
            TERMINATED+stop              | STOP_FAILED    -> TERMINATED+stop g0 | |
            TERMINATED+stop              | RESTART        -> TERMINATED+stop g0 | | ignored
            TERMINATED+stop              | HEALTH         -> TERMINATED+stop g0 | health UNHEALTHY |
            TERMINATED+stop              | REPLACE        -> TERMINATED+stop g0 | | refused
            TERMINATED+stop              | SWITCH         -> TERMINATED+stop g0 | | orphan
            TERMINATED+stop              | REPLACE_FAILED -> TERMINATED+stop g0 | |
            TERMINATED+stop              | DIE            -> TERMINATED+stop g0 | | ignored
            TERMINATED+stop              | DIE_NO_RESTART -> TERMINATED+stop g0 | | ignored
            TERMINATED+stop+cancel       | START          -> ISE
            TERMINATED+stop+cancel       | STARTED        -> TERMINATED+stop+cancel g0 | | orphan
            TERMINATED+stop+cancel       | FAIL           -> TERMINATED+stop+cancel g0 | |
            TERMINATED+stop+cancel       | STOP           -> TERMINATED+stop+cancel g0 | | was-over
            TERMINATED+stop+cancel       | CANCEL         -> TERMINATED+stop+cancel g0 | | was-over
            TERMINATED+stop+cancel       | STOPPED        -> TERMINATED+stop+cancel g0 | |
            TERMINATED+stop+cancel       | STOP_FAILED    -> TERMINATED+stop+cancel g0 | |
            TERMINATED+stop+cancel       | RESTART        -> TERMINATED+stop+cancel g0 | | ignored
            TERMINATED+stop+cancel       | HEALTH         -> TERMINATED+stop+cancel g0 | health UNHEALTHY |
            TERMINATED+stop+cancel       | REPLACE        -> TERMINATED+stop+cancel g0 | | refused
            TERMINATED+stop+cancel       | SWITCH         -> TERMINATED+stop+cancel g0 | | orphan
            TERMINATED+stop+cancel       | REPLACE_FAILED -> TERMINATED+stop+cancel g0 | |
            TERMINATED+stop+cancel       | DIE            -> TERMINATED+stop+cancel g0 | | ignored
            TERMINATED+stop+cancel       | DIE_NO_RESTART -> TERMINATED+stop+cancel g0 | | ignored
            RUNNING                      | START          -> ISE
            RUNNING                      | STARTED        -> RUNNING g1 | | orphan
            RUNNING                      | FAIL           -> FAILED g1 | failed from RUNNING | end:failed calls-end
            RUNNING                      | STOP           -> STOPPING+stop g1 | stopping from RUNNING | calls-end stops-instance
            RUNNING                      | CANCEL         -> STOPPING+stop+cancel g1 | stopping from RUNNING | calls-end stops-instance
            RUNNING                      | STOPPED        -> RUNNING g1 | |
            RUNNING                      | STOP_FAILED    -> RUNNING g1 | |
            RUNNING                      | RESTART        -> RUNNING+restarting g1 | restarting 1 |
            RUNNING                      | HEALTH         -> RUNNING g1 | health UNHEALTHY |
            RUNNING                      | REPLACE        -> RUNNING+replacing g1 | restarting 1 |
            RUNNING                      | SWITCH         -> RUNNING g1 | | orphan
            RUNNING                      | REPLACE_FAILED -> RUNNING g1 | |
            RUNNING                      | DIE            -> RUNNING+restarting g1 | died 1, restarting 1 | stops-dead cold-starts
            RUNNING                      | DIE_NO_RESTART -> FAILED g1 | died 1, failed from RUNNING | end:failed calls-end stops-dead
            STOPPING+stop                | START          -> ISE
            STOPPING+stop                | STARTED        -> STOPPING+stop g0 | | orphan
            STOPPING+stop                | FAIL           -> STOPPING+stop g0 | |
            STOPPING+stop                | STOP           -> STOPPING+stop g0 | |
            STOPPING+stop                | CANCEL         -> STOPPING+stop+cancel g0 | |
            STOPPING+stop                | STOPPED        -> TERMINATED+stop g0 | terminated from STOPPING | end
            STOPPING+stop                | STOP_FAILED    -> FAILED+stop g0 | failed from STOPPING | end:failed
            STOPPING+stop                | RESTART        -> STOPPING+stop g0 | | ignored
            STOPPING+stop                | HEALTH         -> STOPPING+stop g0 | health UNHEALTHY |
            STOPPING+stop                | REPLACE        -> STOPPING+stop g0 | | refused
            STOPPING+stop                | SWITCH         -> STOPPING+stop g0 | | orphan
            STOPPING+stop                | REPLACE_FAILED -> STOPPING+stop g0 | |
            STOPPING+stop                | DIE            -> STOPPING+stop g0 | | ignored
            STOPPING+stop                | DIE_NO_RESTART -> STOPPING+stop g0 | | ignored
            STOPPING+stop+cancel         | START          -> ISE
            STOPPING+stop+cancel         | STARTED        -> STOPPING+stop+cancel g0 | | orphan
            STOPPING+stop+cancel         | FAIL           -> STOPPING+stop+cancel g0 | |
            STOPPING+stop+cancel         | STOP           -> STOPPING+stop+cancel g0 | |
            STOPPING+stop+cancel         | CANCEL         -> STOPPING+stop+cancel g0 | |
            STOPPING+stop+cancel         | STOPPED        -> TERMINATED+stop+cancel g0 | terminated from STOPPING | end
            STOPPING+stop+cancel         | STOP_FAILED    -> FAILED+stop+cancel g0 | failed from STOPPING | end:failed
            STOPPING+stop+cancel         | RESTART        -> STOPPING+stop+cancel g0 | | ignored
            STOPPING+stop+cancel         | HEALTH         -> STOPPING+stop+cancel g0 | health UNHEALTHY |
            STOPPING+stop+cancel         | REPLACE        -> STOPPING+stop+cancel g0 | | refused
            STOPPING+stop+cancel         | SWITCH         -> STOPPING+stop+cancel g0 | | orphan
            STOPPING+stop+cancel         | REPLACE_FAILED -> STOPPING+stop+cancel g0 | |
            STOPPING+stop+cancel         | DIE            -> STOPPING+stop+cancel g0 | | ignored
            STOPPING+stop+cancel         | DIE_NO_RESTART -> STOPPING+stop+cancel g0 | | ignored
            RUNNING+restarting           | START          -> ISE
            RUNNING+restarting           | STARTED        -> RUNNING g2 | restarted 2 | ready:value
            RUNNING+restarting           | FAIL           -> FAILED g1 | failed from RUNNING | ready:failed end:failed calls-end
            RUNNING+restarting           | STOP           -> STOPPING+stop g1 | stopping from RUNNING | ready:cancelled calls-end awaits-replaced
            RUNNING+restarting           | CANCEL         -> STOPPING+stop+cancel g1 | stopping from RUNNING | ready:cancelled calls-end awaits-replaced
            RUNNING+restarting           | STOPPED        -> RUNNING+restarting g1 | |
            RUNNING+restarting           | STOP_FAILED    -> RUNNING+restarting g1 | |
            RUNNING+restarting           | RESTART        -> RUNNING+restarting g1 | | ignored
            RUNNING+restarting           | HEALTH         -> RUNNING+restarting g1 | health UNHEALTHY |
            RUNNING+restarting           | REPLACE        -> RUNNING+restarting g1 | | refused
            RUNNING+restarting           | SWITCH         -> RUNNING+restarting g1 | | orphan
            RUNNING+restarting           | REPLACE_FAILED -> RUNNING+restarting g1 | |
            RUNNING+restarting           | DIE            -> RUNNING+restarting g1 | | ignored
            RUNNING+restarting           | DIE_NO_RESTART -> RUNNING+restarting g1 | | ignored
            RUNNING+replacing            | START          -> ISE
            RUNNING+replacing            | STARTED        -> RUNNING+replacing g1 | | orphan
            RUNNING+replacing            | FAIL           -> FAILED g1 | failed from RUNNING | end:failed calls-end switch:failed
            RUNNING+replacing            | STOP           -> STOPPING+stop g1 | stopping from RUNNING | calls-end switch:cancelled stops-instance cancels-start
            RUNNING+replacing            | CANCEL         -> STOPPING+stop+cancel g1 | stopping from RUNNING | calls-end switch:cancelled stops-instance cancels-start
            RUNNING+replacing            | STOPPED        -> RUNNING+replacing g1 | |
            RUNNING+replacing            | STOP_FAILED    -> RUNNING+replacing g1 | |
            RUNNING+replacing            | RESTART        -> RUNNING+replacing g1 | | ignored
            RUNNING+replacing            | HEALTH         -> RUNNING+replacing g1 | health UNHEALTHY |
            RUNNING+replacing            | REPLACE        -> RUNNING+replacing g1 | | joined
            RUNNING+replacing            | SWITCH         -> RUNNING g2 | restarted 2 | switch:value drains g1
            RUNNING+replacing            | REPLACE_FAILED -> RUNNING g1 | | switch:failed
            RUNNING+replacing            | DIE            -> RUNNING+restarting+replacing g1 | died 1 | stops-dead
            RUNNING+replacing            | DIE_NO_RESTART -> RUNNING+restarting+replacing g1 | died 1 | stops-dead
            FAILED+stop                  | START          -> ISE
            FAILED+stop                  | STARTED        -> FAILED+stop g0 | | orphan
            FAILED+stop                  | FAIL           -> FAILED+stop g0 | |
            FAILED+stop                  | STOP           -> FAILED+stop g0 | | was-over
            FAILED+stop                  | CANCEL         -> FAILED+stop g0 | | was-over
            FAILED+stop                  | STOPPED        -> FAILED+stop g0 | |
            FAILED+stop                  | STOP_FAILED    -> FAILED+stop g0 | |
            FAILED+stop                  | RESTART        -> FAILED+stop g0 | | ignored
            FAILED+stop                  | HEALTH         -> FAILED+stop g0 | health UNHEALTHY |
            FAILED+stop                  | REPLACE        -> FAILED+stop g0 | | refused
            FAILED+stop                  | SWITCH         -> FAILED+stop g0 | | orphan
            FAILED+stop                  | REPLACE_FAILED -> FAILED+stop g0 | |
            FAILED+stop                  | DIE            -> FAILED+stop g0 | | ignored
            FAILED+stop                  | DIE_NO_RESTART -> FAILED+stop g0 | | ignored
            FAILED+stop+cancel           | START          -> ISE
            FAILED+stop+cancel           | STARTED        -> FAILED+stop+cancel g0 | | orphan
            FAILED+stop+cancel           | FAIL           -> FAILED+stop+cancel g0 | |
            FAILED+stop+cancel           | STOP           -> FAILED+stop+cancel g0 | | was-over
            FAILED+stop+cancel           | CANCEL         -> FAILED+stop+cancel g0 | | was-over
            FAILED+stop+cancel           | STOPPED        -> FAILED+stop+cancel g0 | |
            FAILED+stop+cancel           | STOP_FAILED    -> FAILED+stop+cancel g0 | |
            FAILED+stop+cancel           | RESTART        -> FAILED+stop+cancel g0 | | ignored
            FAILED+stop+cancel           | HEALTH         -> FAILED+stop+cancel g0 | health UNHEALTHY |
            FAILED+stop+cancel           | REPLACE        -> FAILED+stop+cancel g0 | | refused
            FAILED+stop+cancel           | SWITCH         -> FAILED+stop+cancel g0 | | orphan
            FAILED+stop+cancel           | REPLACE_FAILED -> FAILED+stop+cancel g0 | |
            FAILED+stop+cancel           | DIE            -> FAILED+stop+cancel g0 | | ignored
            FAILED+stop+cancel           | DIE_NO_RESTART -> FAILED+stop+cancel g0 | | ignored
            RUNNING+restarting+replacing | START          -> ISE
            RUNNING+restarting+replacing | STARTED        -> RUNNING+restarting+replacing g1 | | orphan
            RUNNING+restarting+replacing | FAIL           -> FAILED g1 | failed from RUNNING | ready:failed end:failed calls-end switch:failed
            RUNNING+restarting+replacing | STOP           -> STOPPING+stop g1 | stopping from RUNNING | ready:cancelled calls-end switch:cancelled cancels-start awaits-replaced
            RUNNING+restarting+replacing | CANCEL         -> STOPPING+stop+cancel g1 | stopping from RUNNING | ready:cancelled calls-end switch:cancelled cancels-start awaits-replaced
            RUNNING+restarting+replacing | STOPPED        -> RUNNING+restarting+replacing g1 | |
            RUNNING+restarting+replacing | STOP_FAILED    -> RUNNING+restarting+replacing g1 | |
            RUNNING+restarting+replacing | RESTART        -> RUNNING+restarting+replacing g1 | | ignored
            RUNNING+restarting+replacing | HEALTH         -> RUNNING+restarting+replacing g1 | health UNHEALTHY |
            RUNNING+restarting+replacing | REPLACE        -> RUNNING+restarting+replacing g1 | | joined
            RUNNING+restarting+replacing | SWITCH         -> RUNNING g2 | restarted 2 | ready:value switch:value
            RUNNING+restarting+replacing | REPLACE_FAILED -> RUNNING+restarting g1 | | switch:failed cold-starts
            RUNNING+restarting+replacing | DIE            -> RUNNING+restarting+replacing g1 | | ignored
            RUNNING+restarting+replacing | DIE_NO_RESTART -> RUNNING+restarting+replacing g1 | | ignored
            """;

    /** What an event did to one lifecycle: the next snapshot, the listener events, the futures settled. */
    private record Cell(String row, String outcome) {}

    /** A lifecycle driven by hand, with what it delivered. */
    private static final class Driven {
        final List<String> heard = new ArrayList<>();
        final AtomicInteger callsEnded = new AtomicInteger();
        final ServiceListeners listeners = new ServiceListeners("t#1");
        final AtomicLong clock = new AtomicLong(1);
        final ServiceLifecycle<Object> lifecycle = new ServiceLifecycle<>("t#1", () -> clock.incrementAndGet(),
                listeners, callsEnded::incrementAndGet);
        ServiceLifecycle.Replacement<Object> replacement; // the last blue/green replacement begun, if any

        Driven() {
            lifecycle.bind(null);
            listeners.add(new ServiceListener() {
                @Override
                public void starting(ServiceFuture<?> service) {
                    heard.add("starting");
                }

                @Override
                public void running(ServiceFuture<?> service) {
                    heard.add("running");
                }

                @Override
                public void stopping(ServiceFuture<?> service, ServiceState from) {
                    heard.add("stopping from " + from);
                }

                @Override
                public void terminated(ServiceFuture<?> service, ServiceState from) {
                    heard.add("terminated from " + from);
                }

                @Override
                public void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {
                    heard.add("failed from " + from);
                }

                @Override
                public void healthChanged(ServiceFuture<?> service, HealthStatus health) {
                    heard.add("health " + health.state());
                }

                @Override
                public void restarting(ServiceFuture<?> service, int generation, Throwable cause) {
                    heard.add("restarting " + generation);
                }

                @Override
                public void restarted(ServiceFuture<?> service, int generation) {
                    heard.add("restarted " + generation);
                }

                @Override
                public void instanceDied(ServiceFuture<?> service, int generation, Throwable cause) {
                    heard.add("died " + generation);
                }
            }, Runnable::run);
        }

        /** Applies {@code event}, delivers what it caused and says what else it returned. */
        String apply(Event event) {
            ServiceLifecycle.Snapshot<Object> s = lifecycle.snapshot();
            return switch (event) {
                case START -> deliver(lifecycle.start(), "");
                case STARTED -> {
                    ServiceLifecycle.Started started = lifecycle.started(new Object());
                    yield deliver(started.events(), started.orphan() ? "orphan" : "");
                }
                case FAIL -> deliver(lifecycle.fail(new IOException("boom")), "");
                case STOP, CANCEL -> {
                    ServiceLifecycle.StopPlan<Object> plan = lifecycle.requestStop(event == Event.CANCEL);
                    String what = plan.wasOver() ? "was-over"
                            : !plan.began() ? ""
                            : String.join(" ", java.util.stream.Stream.of(
                                    plan.instance() != null ? "stops-instance" : "",
                                    plan.coldStarts().isEmpty() ? "" : "cancels-start",
                                    plan.retiring().isEmpty() ? "" : "awaits-replaced")
                                    .filter(w -> !w.isEmpty()).toList());
                    yield deliver(plan.events(), what);
                }
                case STOPPED -> deliver(lifecycle.stopped(null), "");
                case STOP_FAILED -> deliver(lifecycle.stopped(new IOException("stop failed")), "");
                case RESTART -> {
                    ServiceLifecycle.Restart<Object> restart = lifecycle.beginRestart(s.generation(),
                            new IOException("unhealthy"), true);
                    yield restart == null ? "ignored" : deliver(restart.events(), "");
                }
                case REPLACE -> {
                    ServiceLifecycle.Replacement<Object> r = lifecycle.beginReplacement(true);
                    if (r == null) {
                        yield "refused";
                    }
                    if (r.began()) {
                        replacement = r;
                    }
                    listeners.dispatch();
                    yield r.began() ? "" : "joined";
                }
                case SWITCH -> {
                    ServiceLifecycle.Switch<Object> sw = lifecycle.switchTo(replacementOrNone(), new Object());
                    yield deliver(sw.events(), sw.orphan() ? "orphan"
                            : sw.replaced() != null ? "drains g" + (sw.generation() - 1) : "");
                }
                case REPLACE_FAILED -> {
                    ServiceLifecycle.ReplacementFailed failed = lifecycle.replacementFailed(replacementOrNone(),
                            new IOException("next generation failed"));
                    yield deliver(failed.events(), failed.restart() ? "cold-starts" : "");
                }
                case DIE, DIE_NO_RESTART -> {
                    ServiceLifecycle.Death<Object> death = lifecycle.died(s.inFlight(), new IOException("died"),
                            () -> event == Event.DIE);
                    String what = switch (death.kind()) {
                        case IGNORED -> "ignored";
                        case DRAINING -> "ends-drain";
                        case RESTART -> "stops-dead cold-starts";
                        case REPLACEMENT -> "stops-dead";
                        case FAILED -> "stops-dead";
                    };
                    yield deliver(death.events(), what);
                }
                case HEALTH -> deliver(lifecycle.healthChanged(new HealthStatus(HealthStatus.State.UNHEALTHY, 1,
                        new IOException("unhealthy"), Instant.EPOCH, Instant.EPOCH)), "");
            };
        }

        /** The replacement begun on the way here, or one that was never begun. */
        ServiceLifecycle.Replacement<Object> replacementOrNone() {
            return replacement != null ? replacement
                    : new ServiceLifecycle.Replacement<>(new ColdStart<>(), new CompletableFuture<>(), true);
        }

        private String deliver(ServiceLifecycle.Events events, String what) {
            events.deliver();
            return what;
        }
    }

    private static String key(ServiceLifecycle<?> lifecycle) {
        ServiceLifecycle.Snapshot<?> s = lifecycle.snapshot();
        return s.state() + (s.restarting() ? "+restarting" : "") + (lifecycle.replacing() ? "+replacing" : "")
                + (s.stopRequested() ? "+stop" : "") + (s.cancelled() ? "+cancel" : "");
    }

    private static String status(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return "pending";
        }
        if (f.isCancelled()) {
            return "cancelled";
        }
        try {
            f.getNow(null);
            return "value";
        } catch (java.util.concurrent.CancellationException e) {
            return "cancelled";
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof java.util.concurrent.CancellationException ? "cancelled" : "failed";
        }
    }

    /** A lifecycle brought to a row by {@code path} from NEW, with what it heard on the way forgotten. */
    private static Driven reach(List<Event> path) {
        Driven d = new Driven();
        for (Event e : path) {
            try {
                d.apply(e);
            } catch (IllegalStateException ignored) {
                // not on a reaching path
            }
        }
        d.heard.clear();
        return d;
    }

    /** What {@code event} does on a lifecycle brought to a row by {@code path}, as a table line. */
    private static Cell cell(List<Event> path, Event event) {
        Driven d = reach(path);
        ServiceLifecycle.Snapshot<Object> before = d.lifecycle.snapshot();
        String readyBefore = status(before.ready());
        String endBefore = status(d.lifecycle.termination());
        int callsEndBefore = d.callsEnded.get();
        String row = key(d.lifecycle);
        CompletableFuture<Integer> replaced = d.replacement == null ? null : d.replacement.done();
        String doneBefore = replaced == null ? null : status(replaced);
        String what;
        try {
            what = d.apply(event);
        } catch (IllegalStateException e) {
            return new Cell(row, "ISE");
        }
        ServiceLifecycle.Snapshot<Object> after = d.lifecycle.snapshot();
        List<String> effects = new ArrayList<>();
        String readyAfter = status(before.ready());
        if (!readyAfter.equals(readyBefore)) {
            effects.add("ready:" + readyAfter);
        }
        String endAfter = status(d.lifecycle.termination());
        if (!endAfter.equals(endBefore)) {
            effects.add(endAfter.equals("value") ? "end" : "end:" + endAfter);
        }
        if (d.callsEnded.get() != callsEndBefore) {
            effects.add("calls-end");
        }
        if (replaced != null && !status(replaced).equals(doneBefore)) {
            effects.add("switch:" + status(replaced));
        }
        if (!what.isEmpty()) {
            effects.add(what);
        }
        return new Cell(row, key(d.lifecycle) + " g" + after.generation() + " | " + String.join(", ", d.heard) + " | "
                + String.join(" ", effects));
    }

    /** Every combination reachable from NEW, each with the shortest path that reaches it. */
    private static Map<String, List<Event>> reachable() {
        Map<String, List<Event>> paths = new LinkedHashMap<>();
        Deque<List<Event>> todo = new ArrayDeque<>();
        paths.put("NEW", List.of());
        todo.add(List.of());
        while (!todo.isEmpty()) {
            List<Event> path = todo.poll();
            for (Event event : Event.values()) {
                List<Event> next = new ArrayList<>(path);
                next.add(event);
                Driven d = reach(next);
                String key = key(d.lifecycle);
                if (!paths.containsKey(key)) {
                    paths.put(key, List.copyOf(next));
                    todo.add(next);
                }
            }
        }
        return paths;
    }

    private static String normalize(String line) {
        return line.trim().replaceAll("\\s+", " ").replaceAll(" \\|$", " |");
    }

    @Test
    void every_reachable_state_and_flag_combination_against_every_event() {
        Map<String, List<Event>> rows = reachable();
        List<String> actual = new ArrayList<>();
        for (Map.Entry<String, List<Event>> row : rows.entrySet()) {
            for (Event event : Event.values()) {
                Cell c = cell(row.getValue(), event);
                assertThat(c.row()).isEqualTo(row.getKey());
                actual.add(normalize(row.getKey() + " | " + event + " -> " + c.outcome()));
            }
        }
        List<String> expected = TABLE.lines().map(ServiceLifecycleTableTest::normalize).filter(l -> !l.isEmpty())
                .toList();
        if (Boolean.getBoolean("lifecycle.table.print")) {
            actual.forEach(System.out::println);
        }
        assertThat(actual).as("the table, in the order the search reaches the rows")
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void the_reachable_combinations_are_exactly_those_the_invariants_allow() {
        Map<String, List<Event>> rows = reachable();
        int all = 0;
        for (ServiceState state : ServiceState.values()) {
            for (int flags = 0; flags < 16; flags++) {
                boolean restarting = (flags & 1) != 0;
                boolean replacing = (flags & 2) != 0;
                boolean stop = (flags & 4) != 0;
                boolean cancel = (flags & 8) != 0;
                String key = state + (restarting ? "+restarting" : "") + (replacing ? "+replacing" : "")
                        + (stop ? "+stop" : "") + (cancel ? "+cancel" : "");
                all++;
                boolean allowed =
                        // a restart or a replacement only while RUNNING, and never once a stop is asked for; both at
                        // once only when the live generation died during a replacement (which then brings the next)
                        (!restarting || state == ServiceState.RUNNING && !stop)
                        && (!replacing || state == ServiceState.RUNNING && !stop)
                        // a cancel is a stop; a stop request leaves STARTING and RUNNING behind
                        && (!cancel || stop)
                        && (!stop || state == ServiceState.STOPPING || state.isTerminal())
                        // STOPPING and TERMINATED come only from a stop request (FAILED may not)
                        && (stop || state != ServiceState.STOPPING && state != ServiceState.TERMINATED);
                assertThat(rows.containsKey(key)).as(key).isEqualTo(allowed);
            }
        }
        assertThat(all).isEqualTo(96);
        assertThat(rows).hasSize(13);
    }

    @Test
    void states_only_move_forward_and_terminal_states_stay_terminal_on_any_path() {
        Map<String, List<Event>> rows = reachable();
        for (List<Event> path : rows.values()) {
            for (Event event : Event.values()) {
                Driven d = reach(path);
                ServiceState before = d.lifecycle.snapshot().state();
                try {
                    d.apply(event);
                } catch (IllegalStateException e) {
                    continue;
                }
                ServiceState after = d.lifecycle.snapshot().state();
                assertThat(after.compareTo(before)).as(before + " then " + event).isGreaterThanOrEqualTo(0);
                if (before.isTerminal()) {
                    assertThat(after).isEqualTo(before);
                }
            }
        }
        assertThat(rows.keySet().stream().collect(Collectors.toSet())).hasSize(13);
    }
}
