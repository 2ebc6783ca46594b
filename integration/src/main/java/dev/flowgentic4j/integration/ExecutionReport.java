package dev.flowgentic4j.integration;

import dev.flowgentic4j.integration.internal.report.GraphShape;
import dev.flowgentic4j.integration.internal.report.HtmlReport;
import dev.flowgentic4j.integration.internal.report.MarkdownReport;
import dev.flowgentic4j.integration.internal.report.ReportData;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;

/**
 * Writes the report of a run into a folder: {@code execution_summary.md} (per node, tool, task and
 * service: calls, durations, cold starts, failures, retries; the final state with values shortened;
 * nodes never visited; the graph as a Mermaid flowchart; the timeline as a Mermaid Gantt chart), {@code report.html} (the same, self-contained: graph and timeline drawn as inline
 * SVG, no script, opens from disk without network) and {@code events.json} (the raw events).
 * Everything in it is computed from the recorded events and the graph's own nodes and edges; every
 * name (title, service, node, tool, task, state key) is escaped for each format it is written into.
 *
 * <pre>{@code
 * StateGraph<AgentState> graph = integration.observe(defineGraph());   // node events
 * try (EventRecorder recorder = integration.telemetry().record()) {
 *     AgentState state = Graphs.compile(graph).invoke(Map.of()).orElseThrow();
 *     ExecutionReport.builder("nightly run").graph(graph).events(recorder.events())
 *         .finalState(state.data()).write(Path.of("target/report"));
 * }
 * }</pre>
 */
public final class ExecutionReport {
    public static final String SUMMARY_FILE = "execution_summary.md";
    public static final String HTML_FILE = "report.html";
    public static final String EVENTS_FILE = "events.json";

    private final Path directory;

    private ExecutionReport(Path directory) {
        this.directory = directory;
    }

    /** @throws NullPointerException if {@code title} is null */
    public static Builder builder(String title) {
        return new Builder(Objects.requireNonNull(title, "title"));
    }

    public Path directory() {
        return directory;
    }

    public Path summary() {
        return directory.resolve(SUMMARY_FILE);
    }

    public Path html() {
        return directory.resolve(HTML_FILE);
    }

    public Path eventsJson() {
        return directory.resolve(EVENTS_FILE);
    }

    /** Collects what a report shows; {@link #write} writes it. */
    public static final class Builder {
        private final String title;
        private GraphShape shape;
        private List<FlowEvent> events = List.of();
        private Map<String, Object> finalState;

        private Builder(String title) {
            this.title = title;
        }

        /**
         * The graph that ran (drawn, and its nodes that never ran are listed). Its nodes and edges are
         * read from the graph itself, so any node name draws.
         *
         * @throws IllegalArgumentException if the graph has no edge from START
         */
        public Builder graph(StateGraph<?> graph) {
            this.shape = GraphShape.of(Objects.requireNonNull(graph, "graph"));
            return this;
        }

        /**
         * The compiled graph that ran.
         *
         * @throws IllegalArgumentException if the graph has no edge from START
         */
        public Builder graph(CompiledGraph<?> graph) {
            this.shape = GraphShape.of(Objects.requireNonNull(graph, "graph"));
            return this;
        }

        /** The recorded events, in publication order (see {@code Telemetry.record()}). */
        public Builder events(List<FlowEvent> events) {
            this.events = List.copyOf(Objects.requireNonNull(events, "events"));
            return this;
        }

        /** The final graph state; values are shown shortened. */
        public Builder finalState(Map<String, ?> state) {
            this.finalState = new LinkedHashMap<>(Objects.requireNonNull(state, "state"));
            return this;
        }

        /**
         * Writes the three files into {@code directory} (created if needed; files of an earlier report
         * are replaced).
         *
         * @throws UncheckedIOException if a file cannot be written
         */
        public ExecutionReport write(Path directory) {
            Objects.requireNonNull(directory, "directory");
            ReportData data = new ReportData(events);
            List<String> neverVisited = new ArrayList<>();
            if (shape != null) {
                shape.userNodes().stream().filter(n -> !data.visitedNodes.contains(n)).forEach(neverVisited::add);
            }
            try {
                Files.createDirectories(directory);
                // getBytes, not writeString: a lone surrogate in a name becomes '?' instead of failing the write
                Files.write(directory.resolve(SUMMARY_FILE),
                        MarkdownReport.render(title, data, shape, neverVisited, finalState).getBytes(StandardCharsets.UTF_8));
                Files.write(directory.resolve(HTML_FILE),
                        HtmlReport.render(title, data, shape, neverVisited, finalState).getBytes(StandardCharsets.UTF_8));
                StringBuilder json = new StringBuilder("[\n");
                for (int i = 0; i < events.size(); i++) {
                    json.append("  ").append(events.get(i).toJson()).append(i + 1 < events.size() ? ",\n" : "\n");
                }
                Files.write(directory.resolve(EVENTS_FILE), json.append("]\n").toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the execution report to " + directory, e);
            }
            return new ExecutionReport(directory);
        }
    }
}
