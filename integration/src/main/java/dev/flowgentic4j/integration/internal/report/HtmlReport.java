package dev.flowgentic4j.integration.internal.report;

import dev.flowgentic4j.integration.internal.report.ReportData.Call;
import dev.flowgentic4j.integration.internal.report.ReportData.ServiceLife;
import dev.flowgentic4j.integration.internal.report.ReportData.Stats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code report.html}: one self-contained page (no script, no network): the tables of the Markdown
 * summary, the graph and the timeline drawn as inline SVG. Every name is escaped (text and
 * attribute values), so the page holds only the elements and attributes written here.
 */
public final class HtmlReport {
    private static final int BOX_W = 150;
    private static final int BOX_H = 40;
    private static final int GAP_X = 40;
    private static final int GAP_Y = 56;
    private static final int LABEL_W = 280;
    private static final int PLOT_W = 820;
    private static final int ROW_H = 22;

    private HtmlReport() {}

    public static String render(String title, ReportData data, GraphShape graph, List<String> neverVisited,
                                Map<String, ?> finalState) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Execution report: ").append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#222}\n")
                .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:4px}\n")
                .append("table{border-collapse:collapse;font-size:.9em;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}\n")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f5f5f5}\n")
                .append("svg{max-width:100%;height:auto;border:1px solid #eee;background:#fff}\n")
                .append("svg text{font-family:system-ui,sans-serif}code{background:#f5f5f5;padding:1px 3px}\n")
                .append(".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}\n")
                .append("</style></head><body>\n");
        h.append("<h1>Execution report: ").append(esc(title)).append("</h1>\n<p id=\"summary\">")
                .append(esc(MarkdownReport.summaryLine(data))).append("</p>\n");
        h.append("<h2>Graph</h2>\n");
        if (graph == null) {
            h.append("<p>(no graph given)</p>\n");
        } else {
            h.append(graphSvg(graph, data));
            h.append("<p class=\"legend\"><span style=\"background:#d4edda;border:1px solid #5cb85c\"></span>visited"
                    + "<span style=\"background:#f2f2f2;border:1px dashed #999\"></span>never visited"
                    + " &nbsp; dashed arrows: conditional edges</p>\n");
        }
        h.append("<h2>Timeline</h2>\n").append(timelineSvg(data));
        h.append("<p class=\"legend\"><span style=\"background:#f0ad4e\"></span>service starting"
                + "<span style=\"background:#5cb85c\"></span>service running"
                + "<span style=\"background:#337ab7\"></span>call<span style=\"background:#d9534f\"></span>failed call</p>\n");
        h.append("<h2>Services</h2>\n<table id=\"services\"><tr><th>instance</th><th>service</th><th>final state</th>"
                + "<th>cold starts</th><th>cold start</th><th>restarts</th><th>calls served</th><th>failed calls</th></tr>\n");
        for (ServiceLife s : data.services) {
            h.append("<tr><td>").append(esc(s.serviceId())).append("</td><td>").append(esc(s.service())).append("</td><td>")
                    .append(s.finalState()).append(s.failure() == null ? "" : " (" + esc(ReportData.shorten(s.failure(), 80)) + ")")
                    .append("</td><td class=\"n\">").append(s.coldStarts()).append("</td><td class=\"n\">")
                    .append(ReportData.duration(s.coldStartMs())).append("</td><td class=\"n\">").append(s.restarts())
                    .append("</td><td class=\"n\">").append(s.callsServed()).append("</td><td class=\"n\">")
                    .append(s.failedCalls()).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Nodes, tools and tasks</h2>\n<table id=\"calls\"><tr><th>kind</th><th>name</th>"
                + "<th>flow type</th><th>calls</th><th>failures</th><th>retries</th><th>total</th><th>mean</th><th>max</th></tr>\n");
        for (Stats s : data.stats) {
            h.append("<tr><td>").append(s.kind().name().toLowerCase()).append("</td><td>").append(esc(s.name()))
                    .append("</td><td>").append(s.flowType()).append("</td><td class=\"n\">").append(s.calls())
                    .append("</td><td class=\"n\">").append(s.failures()).append("</td><td class=\"n\">").append(s.retries())
                    .append("</td><td class=\"n\">").append(ReportData.duration(s.totalMs())).append("</td><td class=\"n\">")
                    .append(ReportData.duration(s.meanMs())).append("</td><td class=\"n\">")
                    .append(ReportData.duration(s.maxMs())).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Nodes never visited</h2>\n<p id=\"never-visited\">")
                .append(neverVisited.isEmpty() ? "None: every node of the graph ran." : esc(String.join(", ", neverVisited)))
                .append("</p>\n<h2>Final state</h2>\n");
        if (finalState == null || finalState.isEmpty()) {
            h.append("<p>(not given)</p>\n");
        } else {
            h.append("<table id=\"final-state\"><tr><th>key</th><th>value</th></tr>\n");
            finalState.forEach((k, v) -> h.append("<tr><td>").append(esc(String.valueOf(k))).append("</td><td><code>")
                    .append(esc(ReportData.shorten(v, 100))).append("</code></td></tr>\n"));
            h.append("</table>\n");
        }
        if (graph != null) {
            h.append("<details><summary>The graph in Mermaid</summary><pre>")
                    .append(esc(graph.mermaid(Set.copyOf(neverVisited)))).append("</pre></details>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    static String graphSvg(GraphShape graph, ReportData data) {
        Map<String, Integer> runs = new HashMap<>();
        for (Call c : data.calls) {
            if (c.kind() == dev.flowgentic4j.workflows.telemetry.CallEvent.Kind.NODE) {
                runs.merge(c.name(), 1, Integer::sum);
            }
        }
        List<List<String>> levels = graph.levels();
        int widest = levels.stream().mapToInt(List::size).max().orElse(1);
        int width = widest * (BOX_W + GAP_X) + GAP_X + 2 * GAP_X; // room at the sides for edges that skip a level
        int height = levels.size() * (BOX_H + GAP_Y) + GAP_Y / 2;
        Map<String, int[]> centre = new LinkedHashMap<>();
        for (int row = 0; row < levels.size(); row++) {
            List<String> ids = levels.get(row);
            int rowWidth = ids.size() * (BOX_W + GAP_X) - GAP_X;
            int x0 = (width - rowWidth) / 2 + BOX_W / 2;
            for (int i = 0; i < ids.size(); i++) {
                centre.put(ids.get(i), new int[] {x0 + i * (BOX_W + GAP_X), GAP_Y / 2 + row * (BOX_H + GAP_Y) + BOX_H / 2});
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"graph\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\""
                        + " markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        for (GraphShape.Edge e : graph.edges()) {
            int[] a = centre.get(e.from());
            int[] b = centre.get(e.to());
            if (a == null || b == null) {
                continue;
            }
            int ay = a[1] + half(e.from());
            int by = b[1] - half(e.to());
            String path;
            int levelsDown = (b[1] - a[1]) / (BOX_H + GAP_Y);
            if (levelsDown > 1) { // skips a level: around the left side, clear of the nodes in between
                int side = Math.min(a[0], b[0]) - BOX_W / 2 - GAP_X;
                path = "M" + (a[0] - halfWidth(e.from())) + "," + a[1] + " C" + side + "," + a[1] + " " + side + ","
                        + b[1] + " " + (b[0] - halfWidth(e.to())) + "," + b[1];
                ay = a[1];
                by = b[1];
            } else if (b[1] > a[1]) {
                path = "M" + a[0] + "," + ay + " C" + a[0] + "," + (ay + GAP_Y / 2) + " " + b[0] + "," + (by - GAP_Y / 2)
                        + " " + b[0] + "," + by;
            } else { // back or sideways edge: around the right side
                int side = Math.max(a[0], b[0]) + BOX_W / 2 + GAP_X / 2;
                path = "M" + (a[0] + BOX_W / 2) + "," + a[1] + " C" + side + "," + a[1] + " " + side + "," + b[1] + " "
                        + (b[0] + BOX_W / 2) + "," + b[1];
            }
            s.append("<path class=\"edge\" d=\"").append(path).append("\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\"")
                    .append(e.conditional() ? " stroke-dasharray=\"5,4\"" : "").append(" marker-end=\"url(#arrow)\"/>\n");
            if (e.label() != null && !e.label().isBlank()) {
                int labelX = levelsDown > 1 ? Math.min(a[0], b[0]) - BOX_W / 2 - GAP_X + 4 : (a[0] + b[0]) / 2 + 4;
                s.append("<text x=\"").append(labelX).append("\" y=\"").append((ay + by) / 2)
                        .append("\" font-size=\"11\" fill=\"#666\">").append(esc(e.label())).append("</text>\n");
            }
        }
        for (Map.Entry<String, int[]> node : centre.entrySet()) {
            String id = node.getKey();
            int[] c = node.getValue();
            if (id.equals(GraphShape.START) || id.equals(GraphShape.END)) {
                s.append("<g class=\"node terminal\"><circle cx=\"").append(c[0]).append("\" cy=\"").append(c[1])
                        .append("\" r=\"14\" fill=\"#222\"/><text x=\"").append(c[0] + 20).append("\" y=\"").append(c[1] + 4)
                        .append("\" font-size=\"11\" fill=\"#444\">").append(id.equals(GraphShape.START) ? "start" : "end")
                        .append("</text></g>\n");
                continue;
            }
            int n = runs.getOrDefault(id, 0);
            s.append("<g class=\"node ").append(n > 0 ? "visited" : "unvisited").append("\" data-node=\"").append(esc(id))
                    .append("\"><title>").append(esc(id)).append(": ").append(n).append(n == 1 ? " run" : " runs")
                    .append("</title><rect x=\"").append(c[0] - BOX_W / 2).append("\" y=\"").append(c[1] - BOX_H / 2)
                    .append("\" width=\"").append(BOX_W).append("\" height=\"").append(BOX_H)
                    .append("\" rx=\"8\" fill=\"").append(n > 0 ? "#d4edda" : "#f2f2f2").append("\" stroke=\"")
                    .append(n > 0 ? "#5cb85c" : "#999").append('"').append(n > 0 ? "" : " stroke-dasharray=\"4,3\"")
                    .append("/><text x=\"").append(c[0]).append("\" y=\"").append(c[1] - 3)
                    .append("\" font-size=\"13\" text-anchor=\"middle\">").append(esc(ReportData.shorten(id, 20)))
                    .append("</text><text x=\"").append(c[0]).append("\" y=\"").append(c[1] + 13)
                    .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">")
                    .append(n > 0 ? n + (n == 1 ? " run" : " runs") : "never visited").append("</text></g>\n");
        }
        return s.append("</svg>\n").toString();
    }

    private static int halfWidth(String id) {
        return id.equals(GraphShape.START) || id.equals(GraphShape.END) ? 14 : BOX_W / 2;
    }

    private static int half(String id) {
        return id.equals(GraphShape.START) || id.equals(GraphShape.END) ? 14 : BOX_H / 2;
    }

    /** One row: a label and its bars. */
    private record Row(String label, boolean header, List<String> bars) {}

    static String timelineSvg(ReportData data) {
        double span = Math.max(1, data.spanMs);
        List<Row> rows = new ArrayList<>();
        for (ServiceLife s : data.services) {
            List<String> bars = new ArrayList<>();
            List<Row> generationRows = new ArrayList<>();
            boolean several = s.generations().size() > 1;
            for (ReportData.Generation life : s.generations()) {
                // one generation: drawn on the instance's row; several: each on a row of its own, so that the
                // generations that overlap while a blue/green replacement drains the old one are both visible
                List<String> target = several ? new ArrayList<>() : bars;
                if (life.startingMs() >= 0) {
                    target.add(bar("life starting", life.startingMs(), life.startingEndMs(data.spanMs), span, "#f0ad4e",
                            s.serviceId() + " generation " + life.generation() + " starting (cold start "
                                    + ReportData.duration(life.startingEndMs(data.spanMs) - life.startingMs()) + ")"));
                }
                if (life.readyMs() >= 0) {
                    long served = data.callsOn(s.serviceId()).stream()
                            .filter(c -> c.generation() == life.generation()).count();
                    target.add(bar("life running", life.readyMs(), life.liveEndMs(data.spanMs), span, "#5cb85c",
                            s.serviceId() + " generation " + life.generation() + " running, " + served + " calls served"));
                }
                if (several) {
                    generationRows.add(new Row("generation " + life.generation(), false, target));
                }
            }
            rows.add(new Row(s.serviceId() + " (" + s.coldStarts() + " cold start" + (s.coldStarts() == 1 ? ")" : "s)"),
                    true, bars));
            rows.addAll(generationRows);
            addCallRows(rows, data.callsOn(s.serviceId()), span);
        }
        List<Call> free = data.callsWithoutService();
        if (!free.isEmpty()) {
            rows.add(new Row("without a service", true, List.of()));
            addCallRows(rows, free, span);
        }
        int height = 30 + rows.size() * ROW_H + 10;
        int width = LABEL_W + PLOT_W + 20;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"timeline\">\n");
        double step = niceStep(span / 8);
        for (double t = 0; t <= span + 1e-9; t += step) {
            double x = LABEL_W + t / span * PLOT_W;
            s.append("<line x1=\"").append(fmt(x)).append("\" y1=\"22\" x2=\"").append(fmt(x)).append("\" y2=\"")
                    .append(height - 8).append("\" stroke=\"#eee\"/><text x=\"").append(fmt(x))
                    .append("\" y=\"16\" font-size=\"10\" text-anchor=\"middle\" fill=\"#666\">")
                    .append(ReportData.duration(t)).append("</text>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            int y = 28 + i * ROW_H;
            s.append("<g transform=\"translate(0,").append(y).append(")\"><text x=\"").append(row.header() ? 6 : 18)
                    .append("\" y=\"14\" font-size=\"12\"").append(row.header() ? " font-weight=\"bold\"" : "").append('>')
                    .append(esc(ReportData.shorten(row.label(), 34))).append("</text>");
            row.bars().forEach(s::append);
            s.append("</g>\n");
        }
        return s.append("</svg>\n").toString();
    }

    private static void addCallRows(List<Row> rows, List<Call> calls, double span) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (Call c : calls) {
            byName.computeIfAbsent(c.name() + " (" + c.kind().name().toLowerCase() + ")", k -> new ArrayList<>())
                    .add(bar("call", c.startMs(), c.endMs(), span, c.failed() ? "#d9534f" : "#337ab7",
                            c.name() + " " + c.kind().name().toLowerCase() + ", " + c.flowType() + ", "
                                    + ReportData.duration(c.endMs() - c.startMs())
                                    + (c.attempts() > 1 ? ", " + c.attempts() + " attempts" : "")
                                    + (c.failed() ? ", failed: " + c.error() : "")));
        }
        byName.forEach((label, bars) -> rows.add(new Row(label, false, bars)));
    }

    private static String bar(String cls, double from, double to, double span, String colour, String tip) {
        double x = LABEL_W + from / span * PLOT_W;
        double w = Math.max(2, (to - from) / span * PLOT_W);
        return "<rect class=\"bar " + cls + "\" x=\"" + fmt(x) + "\" y=\"3\" width=\"" + fmt(w) + "\" height=\"" + (ROW_H - 6)
                + "\" rx=\"2\" fill=\"" + colour + "\"><title>" + esc(tip) + "</title></rect>";
    }

    static double niceStep(double rough) {
        double pow = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-3))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * pow >= rough) {
                return m * pow;
            }
        }
        return 10 * pow;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String text) {
        return Escape.html(text);
    }
}
