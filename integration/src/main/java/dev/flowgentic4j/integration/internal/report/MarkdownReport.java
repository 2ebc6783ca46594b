package dev.flowgentic4j.integration.internal.report;

import dev.flowgentic4j.integration.internal.report.ReportData.Call;
import dev.flowgentic4j.integration.internal.report.ReportData.ServiceLife;
import dev.flowgentic4j.integration.internal.report.ReportData.Stats;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code execution_summary.md}: tables, the graph as a Mermaid flowchart and a Mermaid Gantt timeline.
 * Every name is escaped for where it goes ({@link Escape}): the document has exactly our headings,
 * our two code fences and our table rows, whatever the names hold.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(String title, ReportData data, GraphShape graph, List<String> neverVisited,
                                Map<String, ?> finalState) {
        StringBuilder md = new StringBuilder();
        md.append("# Execution report: ").append(Escape.markdown(title)).append("\n\n");
        md.append(summaryLine(data)).append("\n\n");
        md.append("## Services\n\n");
        if (data.services.isEmpty()) {
            md.append("No service events were recorded.\n\n");
        } else {
            md.append("| instance | service | final state | cold starts | cold start | restarts | calls served | failed calls |\n");
            md.append("|---|---|---|---:|---:|---:|---:|---:|\n");
            for (ServiceLife s : data.services) {
                md.append("| ").append(cell(s.serviceId())).append(" | ").append(cell(s.service())).append(" | ")
                        .append(s.finalState()).append(s.failure() == null ? "" : " (" + cell(ReportData.shorten(s.failure(), 80)) + ")")
                        .append(" | ").append(s.coldStarts()).append(" | ").append(ReportData.duration(s.coldStartMs()))
                        .append(" | ").append(s.restarts()).append(" | ").append(s.callsServed()).append(" | ")
                        .append(s.failedCalls()).append(" |\n");
            }
            md.append('\n');
        }
        md.append("## Nodes, tools and tasks\n\n");
        if (data.stats.isEmpty()) {
            md.append("No calls were recorded.\n\n");
        } else {
            md.append("| kind | name | flow type | calls | failures | retries | total | mean | max |\n");
            md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Stats s : data.stats) {
                md.append("| ").append(s.kind().name().toLowerCase()).append(" | ").append(cell(s.name())).append(" | ")
                        .append(s.flowType()).append(" | ").append(s.calls()).append(" | ").append(s.failures())
                        .append(" | ").append(s.retries()).append(" | ").append(ReportData.duration(s.totalMs()))
                        .append(" | ").append(ReportData.duration(s.meanMs())).append(" | ")
                        .append(ReportData.duration(s.maxMs())).append(" |\n");
            }
            md.append('\n');
        }
        md.append("## Nodes never visited\n\n");
        md.append(neverVisited.isEmpty() ? "None: every node of the graph ran.\n\n"
                : "- " + String.join("\n- ", neverVisited.stream().map(Escape::markdown).toList()) + "\n\n");
        md.append("## Final state\n\n");
        if (finalState == null || finalState.isEmpty()) {
            md.append("(not given)\n\n");
        } else {
            md.append("| key | value |\n|---|---|\n");
            finalState.forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ")
                    .append(cell(ReportData.shorten(v, 100))).append(" |\n"));
            md.append('\n');
        }
        if (graph != null) {
            md.append("## Graph\n\n```mermaid\n").append(graph.mermaid(Set.copyOf(neverVisited))).append("```\n\n");
        }
        md.append("## Timeline\n\nEach service instance's life, one section per instance (each replica has its own): ")
                .append("every generation starting then running (two generations overlap while a blue/green ")
                .append("replacement drains the old one), with every node and tool call it served; ")
                .append("calls that used no service below.\n\n```mermaid\n").append(gantt(data)).append("```\n");
        return md.toString();
    }

    static String summaryLine(ReportData data) {
        long cold = data.services.stream().mapToInt(ServiceLife::coldStarts).sum();
        return "Recorded " + data.events.size() + " events over " + ReportData.duration(data.spanMs) + ": "
                + data.services.size() + " service instance(s), " + cold + " cold start(s), " + data.calls.size()
                + " call(s), " + data.calls.stream().filter(Call::failed).count() + " failed.";
    }

    /** The timeline as a Mermaid Gantt chart (times in ms from the first event). */
    public static String gantt(ReportData data) {
        StringBuilder g = new StringBuilder("gantt\n    title Timeline (ms from the first event)\n    dateFormat x\n    axisFormat %S.%L s\n");
        int[] id = {0};
        for (ServiceLife s : data.services) { // one section per instance: each replica has its own
            g.append("    section ").append(Escape.gantt(s.serviceId())).append('\n');
            for (ReportData.Generation life : s.generations()) { // generations overlap while one drains
                if (life.startingMs() >= 0) {
                    task(g, "starting g" + life.generation(), "crit", life.startingMs(),
                            life.startingEndMs(data.spanMs), id);
                }
                if (life.readyMs() >= 0) {
                    task(g, "running g" + life.generation(), "active", life.readyMs(), life.liveEndMs(data.spanMs), id);
                }
            }
            for (Call c : data.callsOn(s.serviceId())) {
                task(g, callLabel(c), c.failed() ? "crit" : null, c.startMs(), c.endMs(), id);
            }
        }
        List<Call> free = data.callsWithoutService();
        if (!free.isEmpty()) {
            g.append("    section without a service\n");
            for (Call c : free) {
                task(g, callLabel(c), c.failed() ? "crit" : null, c.startMs(), c.endMs(), id);
            }
        }
        return g.toString();
    }

    private static void task(StringBuilder g, String label, String tag, double from, double to, int[] id) {
        long start = Math.round(from);
        long end = Math.max(start + 1, Math.round(to));
        g.append("    ").append(label).append(" :").append(tag == null ? "" : tag + ", ").append("t").append(++id[0])
                .append(", ").append(start).append(", ").append(end).append('\n');
    }

    /** A task's name starts with its kind, so that no name can read as a Gantt keyword ({@code section ...}). */
    private static String callLabel(Call c) {
        return c.kind().name().toLowerCase() + " " + Escape.gantt(c.name());
    }

    private static String cell(Object text) {
        return Escape.markdown(String.valueOf(text));
    }
}
