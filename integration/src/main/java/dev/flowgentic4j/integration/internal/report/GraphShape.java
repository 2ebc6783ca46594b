package dev.flowgentic4j.integration.internal.report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bsc.langgraph4j.DiagramGenerator;
import org.bsc.langgraph4j.GraphDefinition;
import org.bsc.langgraph4j.state.AgentState;

/**
 * The nodes and edges of a graph, taken from the graph itself (LangGraph4j's public
 * {@link GraphDefinition#reduce} walked by a {@link DiagramGenerator} of ours: every node id and
 * edge arrives as a string, whatever it holds), and a layered layout of them (the level of a node is
 * its distance from START). Conditional edges go straight from their source to each target, labelled
 * with the condition's value; a subgraph is one node.
 */
public final class GraphShape {
    public static final String START = GraphDefinition.START;
    public static final String END = GraphDefinition.END;

    /** An edge; conditional edges are drawn dashed. {@code label} is null when it has none. */
    public record Edge(String from, String to, boolean conditional, String label) {}

    private final Map<String, Boolean> nodes = new LinkedHashMap<>(); // id -> declared, in declaration order
    private final List<Edge> edges = new ArrayList<>();

    private GraphShape() {}

    /**
     * The shape of {@code graph} (a {@code StateGraph} or a {@code CompiledGraph}).
     *
     * @throws IllegalArgumentException if LangGraph4j cannot walk it (a graph without an edge from START)
     */
    public static GraphShape of(GraphDefinition<?> graph) {
        GraphShape shape = new GraphShape();
        shape.nodes.put(START, true);
        try {
            walk(graph, new Walker(shape));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read the graph's nodes and edges (does it have an edge from "
                    + START + "?): " + e, e);
        }
        shape.nodes.putIfAbsent(END, true);
        return shape;
    }

    private static <S extends AgentState> void walk(GraphDefinition<S> graph, Walker walker) {
        graph.reduce(walker.<S>generate("graph", false));
    }

    /**
     * Receives LangGraph4j's diagram callbacks. The lines LangGraph4j comments out (the intermediate
     * condition node and its edges, when conditional edges are not printed) are skipped; a subgraph's
     * inner nodes and edges too (the subgraph is drawn as one node).
     */
    private static final class Walker extends DiagramGenerator {
        private final GraphShape shape;
        private boolean commented;

        Walker(GraphShape shape) {
            this.shape = shape;
        }

        private boolean skip(Context ctx) {
            boolean skip = commented || ctx.isSubGraph();
            commented = false;
            return skip;
        }

        @Override
        protected void appendHeader(Context ctx) {}

        @Override
        protected void appendFooter(Context ctx) {}

        @Override
        protected void commentLine(Context ctx, boolean yes) {
            commented = yes;
        }

        @Override
        protected void declareNode(Context ctx, String name) {
            if (!skip(ctx)) {
                shape.nodes.put(name, true);
            }
        }

        @Override
        protected void declareConditionalStart(Context ctx, String name) {
            skip(ctx);
        }

        @Override
        protected void declareConditionalEdge(Context ctx, int ordinal) {
            skip(ctx);
        }

        @Override
        protected void call(Context ctx, String from, String to, CallStyle style) {
            call(ctx, from, to, null, style);
        }

        @Override
        protected void call(Context ctx, String from, String to, String description, CallStyle style) {
            if (!skip(ctx)) {
                shape.nodes.putIfAbsent(from, false);
                shape.nodes.putIfAbsent(to, false);
                shape.edges.add(new Edge(from, to, style == CallStyle.CONDITIONAL, description));
            }
        }
    }

    /** Every node id, START and END included, in declaration order. */
    public List<String> nodes() {
        return List.copyOf(nodes.keySet());
    }

    /** The node ids without START and END. */
    public List<String> userNodes() {
        return nodes.keySet().stream().filter(id -> !id.equals(START) && !id.equals(END)).toList();
    }

    public List<Edge> edges() {
        return List.copyOf(edges);
    }

    /** The graph as a Mermaid flowchart of ours: ids {@code n0, n1, ...}, every name as an escaped label. */
    public String mermaid(Set<String> unvisited) {
        Map<String, String> ids = new LinkedHashMap<>();
        StringBuilder m = new StringBuilder("flowchart TD\n");
        for (String node : nodes.keySet()) {
            String id = "n" + ids.size();
            ids.put(node, id);
            if (node.equals(START) || node.equals(END)) {
                m.append("    ").append(id).append("((\"").append(node.equals(START) ? "start" : "end").append("\"))\n");
            } else {
                m.append("    ").append(id).append('[').append(Escape.mermaidLabel(node)).append("]\n");
            }
        }
        for (Edge e : edges) {
            m.append("    ").append(ids.get(e.from())).append(e.conditional() ? " -.->" : " -->");
            if (e.label() != null) {
                m.append('|').append(Escape.mermaidLabel(e.label())).append('|');
            }
            m.append(' ').append(ids.get(e.to())).append('\n');
        }
        List<String> dashed = userNodes().stream().filter(unvisited::contains).map(ids::get).toList();
        if (!dashed.isEmpty()) {
            m.append("    classDef unvisited fill:#f2f2f2,stroke:#999,stroke-dasharray:4 3\n")
                    .append("    class ").append(String.join(",", dashed)).append(" unvisited\n");
        }
        return m.toString();
    }

    /** Nodes by level: START at 0, then by breadth-first distance; END last; unreachable nodes after. */
    public List<List<String>> levels() {
        Map<String, Integer> level = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        if (nodes.containsKey(START)) {
            level.put(START, 0);
            queue.add(START);
        }
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (Edge e : edges) {
                if (e.from().equals(at) && !level.containsKey(e.to()) && !e.to().equals(END)) {
                    level.put(e.to(), level.get(at) + 1);
                    queue.add(e.to());
                }
            }
        }
        int deepest = level.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (String id : nodes.keySet()) {
            if (!level.containsKey(id) && !id.equals(END)) {
                level.put(id, ++deepest);
            }
        }
        if (nodes.containsKey(END)) {
            level.put(END, deepest + 1);
        }
        List<List<String>> rows = new ArrayList<>();
        level.forEach((id, l) -> {
            while (rows.size() <= l) {
                rows.add(new ArrayList<>());
            }
            rows.get(l).add(id);
        });
        rows.removeIf(List::isEmpty);
        return rows;
    }
}
