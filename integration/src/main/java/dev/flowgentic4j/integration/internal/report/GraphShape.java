package dev.flowgentic4j.integration.internal.report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nodes and edges of a graph, read from the Mermaid text LangGraph4j renders, and a layered
 * layout of them (the level of a node is its distance from START).
 */
public final class GraphShape {
    public static final String START = "__START__";
    public static final String END = "__END__";
    private static final Pattern NODE = Pattern.compile("^\\s*([^\\s(:%]+)\\(\\(?\"?([^\")]*)\"?\\)\\)?\\s*$");
    private static final Pattern EDGE = Pattern.compile(
            "^\\s*([^\\s:%]+)(?::::\\S+)?\\s+(-->|-\\.->)(?:\\|([^|]*)\\|)?\\s+([^\\s:]+)(?::::\\S+)?\\s*$");

    /** An edge; conditional edges are drawn dashed. */
    public record Edge(String from, String to, boolean conditional, String label) {}

    private final Map<String, String> labels = new LinkedHashMap<>(); // id -> label, in declaration order
    private final List<Edge> edges = new ArrayList<>();

    private GraphShape() {}

    public static GraphShape parseMermaid(String mermaid) {
        GraphShape shape = new GraphShape();
        for (String line : mermaid.split("\n")) {
            if (line.trim().startsWith("%%")) {
                continue;
            }
            Matcher edge = EDGE.matcher(line);
            if (edge.matches()) {
                shape.edges.add(new Edge(edge.group(1), edge.group(4), edge.group(2).equals("-.->"), edge.group(3)));
                continue;
            }
            Matcher node = NODE.matcher(line);
            if (node.matches()) {
                shape.labels.put(node.group(1), node.group(2));
            }
        }
        for (Edge e : shape.edges) {
            shape.labels.putIfAbsent(e.from(), e.from());
            shape.labels.putIfAbsent(e.to(), e.to());
        }
        return shape;
    }

    /** Every node id, START and END included, in declaration order. */
    public List<String> nodes() {
        return List.copyOf(labels.keySet());
    }

    /** The node ids without START and END. */
    public List<String> userNodes() {
        return labels.keySet().stream().filter(id -> !id.equals(START) && !id.equals(END)).toList();
    }

    public List<Edge> edges() {
        return List.copyOf(edges);
    }

    /** Nodes by level: START at 0, then by breadth-first distance; END last; unreachable nodes after. */
    public List<List<String>> levels() {
        Map<String, Integer> level = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        if (labels.containsKey(START)) {
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
        for (String id : labels.keySet()) {
            if (!level.containsKey(id) && !id.equals(END)) {
                level.put(id, ++deepest);
            }
        }
        if (labels.containsKey(END)) {
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
