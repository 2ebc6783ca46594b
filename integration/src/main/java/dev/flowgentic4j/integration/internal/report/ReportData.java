package dev.flowgentic4j.integration.internal.report;

import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a report shows, computed from the events alone: calls (a START paired with its END), the
 * statistics per task, node and tool, each service's life, the graph's nodes never visited. Times
 * are milliseconds from the first event.
 */
public final class ReportData {

    /**
     * One call. {@code endMs} is the last event's time for a call that never ended. {@code replica}
     * is the replica that served it, or null.
     */
    public record Call(CallEvent.Kind kind, String name, FlowType flowType, String serviceId, String replica,
                       int generation, double startMs, double endMs, boolean ended, boolean failed, int attempts,
                       String error) {
        /** The instance that served it: the replica's id if any, else the service's; null without a service. */
        public String instanceId() {
            return replica != null ? replica : serviceId;
        }
    }

    /**
     * The life of one generation of a service instance: its cold start from {@code startingMs} to
     * {@code readyMs}, then live (taking calls, or draining after a blue/green switch) until
     * {@code endMs}; a phase that did not happen (or has not ended by the end of the recording) is -1.
     * Two generations of one instance overlap while a blue/green replacement drains the old one.
     */
    public record Generation(int generation, double startingMs, double readyMs, double endMs) {
        /** Where the live bar ends: its end, else the end of the recording. */
        public double liveEndMs(double spanMs) {
            return endMs >= 0 ? endMs : spanMs;
        }

        /** Where the starting bar ends: ready, else its end, else the end of the recording. */
        public double startingEndMs(double spanMs) {
            return readyMs >= 0 ? readyMs : liveEndMs(spanMs);
        }
    }

    /** Statistics of one task, node or tool. */
    public record Stats(CallEvent.Kind kind, String name, FlowType flowType, int calls, int failures, int retries,
                        double totalMs, double maxMs) {
        public double meanMs() {
            return calls == 0 ? 0 : totalMs / calls;
        }
    }

    /** The life of one service instance; a phase that did not happen is -1. */
    public record ServiceLife(String serviceId, String service, double startingMs, double runningMs, double stoppingMs,
                              double endMs, String finalState, int coldStarts, int restarts, double coldStartMs,
                              int callsServed, int failedCalls, String failure, List<Generation> generations) {
        /** Where the running phase ends: the stop, else the end, else the end of the recording. */
        public double runningEndMs(double spanMs) {
            return stoppingMs >= 0 ? stoppingMs : endMs >= 0 ? endMs : spanMs;
        }
    }

    public final List<FlowEvent> events;
    public final double spanMs;
    public final List<Call> calls = new ArrayList<>();
    public final List<Stats> stats = new ArrayList<>();
    public final List<ServiceLife> services = new ArrayList<>();
    public final Set<String> visitedNodes = new LinkedHashSet<>();

    public ReportData(List<FlowEvent> events) {
        this.events = List.copyOf(events);
        long t0 = events.stream().mapToLong(FlowEvent::nanos).min().orElse(0);
        long t1 = events.stream().mapToLong(FlowEvent::nanos).max().orElse(0);
        this.spanMs = ms(t1 - t0);
        Map<Long, CallEvent> open = new LinkedHashMap<>();
        Map<String, double[]> phases = new LinkedHashMap<>();     // id -> starting, running, stopping, end
        Map<String, String> names = new HashMap<>();
        Map<String, String> finals = new HashMap<>();
        Map<String, String> failures = new HashMap<>();
        Map<String, Integer> coldStarts = new HashMap<>();
        Map<String, Integer> restarts = new HashMap<>();
        Map<String, Double> coldStartMs = new HashMap<>();
        Map<String, Map<Integer, double[]>> generations = new LinkedHashMap<>(); // id -> generation -> starting, ready, end
        for (FlowEvent event : events) {
            double at = ms(event.nanos() - t0);
            if (event instanceof CallEvent e) {
                if (e.phase() == CallEvent.Phase.START) {
                    open.put(e.callId(), e);
                } else {
                    CallEvent start = open.remove(e.callId());
                    double startMs = start == null ? at - ms(e.duration().toNanos()) : ms(start.nanos() - t0);
                    calls.add(new Call(e.kind(), e.name(), e.flowType(), e.serviceId(), e.replica(), e.generation(),
                            startMs, at, true, e.failed(), e.attempt(), e.error()));
                }
            } else if (event instanceof ServiceEvent e) {
                names.put(e.serviceId(), e.service());
                double[] p = phases.computeIfAbsent(e.serviceId(), id -> new double[] {-1, -1, -1, -1});
                generation(generations, e, at);
                switch (e.type()) {
                    case STARTING -> p[0] = at;
                    case RUNNING, RESTARTED, SWITCHED -> {
                        if (p[1] < 0) {
                            p[1] = at;
                        }
                        coldStarts.merge(e.serviceId(), 1, Integer::sum);
                        if (e.duration() != null) {
                            coldStartMs.put(e.serviceId(), ms(e.duration().toNanos()));
                        } else if (e.type() == ServiceEvent.Type.SWITCHED) { // from REPLACING to SWITCHED
                            double began = generations.get(e.serviceId()).get(e.generation())[0];
                            if (began >= 0) {
                                coldStartMs.put(e.serviceId(), Math.max(0, at - began));
                            }
                        }
                        if (e.type() != ServiceEvent.Type.RUNNING) {
                            restarts.merge(e.serviceId(), 1, Integer::sum);
                        }
                    }
                    case STOPPING -> p[2] = at;
                    case TERMINATED, FAILED -> {
                        p[3] = at;
                        finals.put(e.serviceId(), e.type().name());
                        if (e.type() == ServiceEvent.Type.FAILED) {
                            failures.put(e.serviceId(), e.detail());
                        }
                    }
                    default -> { }
                }
            }
        }
        for (CallEvent e : open.values()) {
            calls.add(new Call(e.kind(), e.name(), e.flowType(), e.serviceId(), e.replica(), e.generation(),
                    ms(e.nanos() - t0),
                    spanMs, false, false, e.attempt(), null));
        }
        calls.sort((a, b) -> Double.compare(a.startMs(), b.startMs()));
        Map<String, Stats> byName = new LinkedHashMap<>();
        for (Call c : calls) {
            if (c.kind() == CallEvent.Kind.NODE) {
                visitedNodes.add(c.name());
            }
            if (!c.ended()) {
                continue;
            }
            double d = c.endMs() - c.startMs();
            byName.merge(c.kind() + "/" + c.name(),
                    new Stats(c.kind(), c.name(), c.flowType(), 1, c.failed() ? 1 : 0, c.attempts() - 1, d, d),
                    (a, b) -> new Stats(a.kind(), a.name(), a.flowType(), a.calls() + 1, a.failures() + b.failures(),
                            a.retries() + b.retries(), a.totalMs() + b.totalMs(), Math.max(a.maxMs(), b.maxMs())));
        }
        stats.addAll(byName.values());
        phases.forEach((id, p) -> {
            int served = (int) calls.stream().filter(c -> id.equals(c.instanceId())).count();
            int failed = (int) calls.stream().filter(c -> id.equals(c.instanceId()) && c.failed()).count();
            List<Generation> lives = new ArrayList<>();
            generations.getOrDefault(id, Map.of()).forEach((g, t) -> lives.add(new Generation(g, t[0], t[1], t[2])));
            lives.sort((a, b) -> Integer.compare(a.generation(), b.generation()));
            services.add(new ServiceLife(id, names.get(id), p[0], p[1], p[2], p[3],
                    finals.getOrDefault(id, p[1] >= 0 ? "RUNNING" : "STARTING"), coldStarts.getOrDefault(id, 0),
                    restarts.getOrDefault(id, 0), coldStartMs.getOrDefault(id, -1.0), served, failed,
                    failures.get(id), List.copyOf(lives)));
        });
    }

    /**
     * Follows the generations of {@code e}'s instance: each one's cold start (STARTING for the first,
     * REPLACING or RESTARTING for a next one), when it was ready (RUNNING, SWITCHED, RESTARTED) and
     * when it stopped taking or finishing calls (DRAINED after a blue/green switch, RESTARTING for a
     * stop-then-start, the stop of the instance for whatever is still live or starting).
     */
    private static void generation(Map<String, Map<Integer, double[]>> all, ServiceEvent e, double at) {
        Map<Integer, double[]> gens = all.computeIfAbsent(e.serviceId(), id -> new LinkedHashMap<>());
        java.util.function.IntFunction<double[]> gen = g -> gens.computeIfAbsent(g, k -> new double[] {-1, -1, -1});
        int g = e.generation();
        switch (e.type()) {
            case STARTING -> gen.apply(1)[0] = at;
            case RUNNING, SWITCHED, RESTARTED -> {
                double[] t = gen.apply(Math.max(1, g));
                if (t[1] < 0) {
                    t[1] = at;
                }
            }
            case REPLACING -> gen.apply(g + 1)[0] = at;
            case RESTARTING -> {
                double[] old = gen.apply(Math.max(1, g));
                if (old[2] < 0) {
                    old[2] = at;
                }
                gen.apply(g + 1)[0] = at;
            }
            case DRAINED -> gen.apply(Math.max(1, g))[2] = at;
            case STOPPING, TERMINATED, FAILED -> gens.values().forEach(t -> {
                if (t[2] < 0 && (t[0] >= 0 || t[1] >= 0)) {
                    t[2] = at;
                }
            });
            default -> { }
        }
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    /** The calls served by instance {@code instanceId} (a replica's own id for the calls it served). */
    public List<Call> callsOn(String instanceId) {
        return calls.stream().filter(c -> instanceId.equals(c.instanceId())).toList();
    }

    /** The calls that used no service. */
    public List<Call> callsWithoutService() {
        return calls.stream().filter(c -> c.serviceId() == null).toList();
    }

    /** {@code value} shortened to {@code max} characters (an ellipsis marks the cut). */
    public static String shorten(Object value, int max) {
        String text = String.valueOf(value).replace('\n', ' ');
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** {@code ms} as text: "12.3 ms", or "1.234 s". */
    public static String duration(double ms) {
        if (ms < 0) {
            return "-";
        }
        return ms >= 1000 ? String.format("%.3f s", ms / 1000) : String.format("%.1f ms", ms);
    }
}
