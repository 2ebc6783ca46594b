package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncEdgeAction;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.state.AgentState;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose every name (title, service, nodes, conditions, tool, task, state keys and values)
 * holds one class of hostile characters; the report's files are parsed back: the JSON parses, the
 * HTML has only our elements and attributes and draws every node and edge, the Markdown has exactly
 * our headings, fences and table columns, and the Mermaid has exactly our nodes, edges and sections.
 */
class ExecutionReportHostileNamesTest {
    /** Node names, one per class of trouble. */
    static final List<String> NODES = List.of(
            "fetch docs", "a:b", "50%", "```\nfence", "~~~", "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>", "x\nsection injected :t9, 0, 5", "cr\r\nlf", "end", "a-->b", "x;y #35;",
            "[link](http://e.invalid)", "a|b", "\"q\" 'q'", "back\\slash `tick` *em* _u_", "section s", "- item",
            "1. one", "# head", "    indented", "naïve 名前 \uD83D\uDE00", "sep\u2028\u2029nul\u0000bell\u0007",
            "%%{init: {}}%%", "&amp; &lt;", "click n1 call alert()", "x".repeat(120));
    static final String VISITED_BRANCH = "yes <b>|</b>";
    static final String UNVISITED_BRANCH = "no\n```\n</svg><script>";
    static final String OK = "ok|<i>`x`</i>";
    static final String NO = "no\n# h\n```";
    static final String SERVICE = "db<script>\n```\nsection x|y #1";
    static final String TOOL = "tool `x`\n<img onerror=1>";
    static final String TASK = "task ~~~\n# h | c";
    static final String TITLE = "run\n```\n<script>x</script> # title |";

    static Path dir;
    static List<FlowEvent> events;
    static String compiledGraphMermaid;

    @BeforeAll
    static void run(@TempDir Path tmp) throws Exception {
        dir = tmp.resolve("report");
        StateGraph<AgentState> graph;
        CompiledGraph<AgentState> compiled;
        LangGraphIntegration integration = LangGraphIntegration.create();
        EventRecorder recorder = integration.telemetry().record();
        try (integration) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<String> service = wrappers.serviceTask(SERVICE, () -> "svc").start();
            service.join();
            ToolExecutor tool = wrappers.agentToolAsFunction(TOOL, "a tool with an odd name", List.of(), a -> "done")
                    .values().iterator().next();
            FunctionTask<Integer, Integer> task = wrappers.functionTask(TASK, x -> x + 1);
            graph = integration.observe(Graphs.define(() -> {
                StateGraph<AgentState> g = new StateGraph<>(AgentState::new);
                for (int i = 0; i < NODES.size(); i++) {
                    g.addNode(NODES.get(i), i == 1
                            ? AsyncNodeAction.node_async(s -> Map.of("t", tool.executeWithContext(
                                    ToolExecutionRequest.builder().id("1").name(TOOL).arguments("{}").build(),
                                    InvocationContext.builder().build()).resultText() + task.call(1)))
                            : wrappers.serviceNode(service, (svc, s) -> Map.of()));
                    g.addEdge(i == 0 ? START : NODES.get(i - 1), NODES.get(i));
                }
                g.addNode(VISITED_BRANCH, wrappers.serviceNode(service, (svc, s) -> Map.of()));
                g.addNode(UNVISITED_BRANCH, wrappers.serviceNode(service, (svc, s) -> Map.of()));
                g.addConditionalEdges(NODES.get(NODES.size() - 1), AsyncEdgeAction.edge_async(s -> OK),
                        new LinkedHashMap<>(Map.of(OK, VISITED_BRANCH, NO, UNVISITED_BRANCH)));
                g.addEdge(VISITED_BRANCH, END);
                g.addEdge(UNVISITED_BRANCH, END);
                return g;
            }));
            compiled = Graphs.compile(graph, CompileConfig.builder().recursionLimit(100).build());
            compiled.invoke(Map.of()).orElseThrow();
        }
        recorder.close();
        events = recorder.events();
        Map<String, Object> finalState = new LinkedHashMap<>();
        finalState.put("<k>\n```", "v|`x`\n# no </td></tr></table><script>");
        finalState.put("lone surrogate", "a\uD800b");
        finalState.put("`", "\\|");
        // once to load every class (a class loader opens jars as it goes), then measured: nothing left open
        ExecutionReport.builder(TITLE).graph(graph).events(events).finalState(finalState).write(tmp.resolve("warm-up"));
        assertThat(fdTargets()).isNotEmpty().anyMatch(t -> t.endsWith(".jar"));
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        ExecutionReport.builder(TITLE).graph(graph).events(events).finalState(finalState).write(dir);
        ExecutionReport fromCompiled = ExecutionReport.builder(TITLE).graph(compiled).events(events)
                .write(tmp.resolve("compiled"));
        // the files the report wrote are all closed (the rest of the JVM may open and close its own meanwhile)
        assertThat(dir.toFile().list()).isNotEmpty();
        String written = tmp.toRealPath().toString();
        assertThat(fdTargets()).noneMatch(t -> t.startsWith(written));
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).isSubsetOf(threadsBefore);
        compiledGraphMermaid = fences(Files.readString(fromCompiled.summary())).get(0);
    }

    private static List<String> fdTargets() throws java.io.IOException {
        List<String> targets = new ArrayList<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return targets;
    }

    static List<String> allNodes() {
        List<String> all = new ArrayList<>(NODES);
        all.add(VISITED_BRANCH);
        all.add(UNVISITED_BRANCH);
        return all;
    }

    /** Edges: START to the first node, the chain, two conditional edges, two to END. */
    static final int EDGES = NODES.size() + 4;

    // ---- events.json ----

    @Test
    void events_json_parses_and_keeps_every_name_exactly() throws Exception {
        JsonNode json = new ObjectMapper().readTree(dir.resolve(ExecutionReport.EVENTS_FILE).toFile());
        assertThat(json.isArray()).isTrue();
        assertThat(json.size()).isEqualTo(events.size());
        Set<String> nodeNames = new HashSet<>();
        for (JsonNode e : json) {
            if ("NODE".equalsIgnoreCase(e.path("kind").asText())) {
                nodeNames.add(e.path("name").asText());
            }
        }
        List<String> visited = new ArrayList<>(NODES);
        visited.add(VISITED_BRANCH);
        assertThat(nodeNames).containsExactlyInAnyOrderElementsOf(visited);
        assertThat(json.toString()).contains(new ObjectMapper().writeValueAsString(TOOL).replace("<", "\\u003C")
                .substring(1, 6));
    }

    // ---- report.html ----

    static final Set<String> OUR_TAGS = Set.of("html", "head", "meta", "title", "style", "body", "h1", "h2", "p",
            "span", "table", "tbody", "tr", "th", "td", "code", "details", "summary", "pre", "svg", "defs", "marker",
            "path", "g", "circle", "rect", "text", "line");
    static final Set<String> OUR_ATTRIBUTES = Set.of("lang", "charset", "name", "content", "id", "class", "style",
            "xmlns", "width", "height", "viewbox", "role", "aria-label", "refx", "refy", "markerwidth", "markerheight",
            "orient", "d", "fill", "stroke", "stroke-width", "stroke-dasharray", "marker-end", "data-node", "cx", "cy",
            "r", "x", "y", "rx", "x1", "y1", "x2", "y2", "font-size", "font-weight", "text-anchor", "transform");

    /** Text we escaped as an HTML parser gives it back, line ends normalised; other controls are replaced. */
    static String asParsed(String name) {
        String s = name.replace("\r\n", "\n").replace('\r', '\n');
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c == '\n' || c == '\t' || !Character.isISOControl(c) ? c : '\uFFFD');
        }
        return out.toString();
    }

    @Test
    void html_has_only_our_elements_and_attributes_and_draws_every_node_and_edge() throws Exception {
        Document html = Jsoup.parse(dir.resolve(ExecutionReport.HTML_FILE).toFile(), "UTF-8");
        Set<String> tags = new HashSet<>();
        Set<String> attributes = new HashSet<>();
        for (Element e : html.getAllElements()) {
            if (e != html) {
                tags.add(e.tagName().toLowerCase());
            }
            for (Attribute a : e.attributes()) {
                attributes.add(a.getKey().toLowerCase());
            }
        }
        assertThat(tags).isSubsetOf(OUR_TAGS);
        assertThat(attributes).isSubsetOf(OUR_ATTRIBUTES);
        assertThat(html.select("script, img, b, i, a")).isEmpty();
        assertThat(html.title()).isEqualTo("Execution report: " + asParsed(TITLE).replace('\n', ' ').strip()
                .replaceAll(" +", " "));

        // every node of the graph drawn, under its whole name; every edge drawn
        assertThat(html.select("#graph g.node[data-node]").eachAttr("data-node").stream()
                .map(ExecutionReportHostileNamesTest::asParsed).toList())
                .containsExactlyInAnyOrderElementsOf(allNodes().stream().map(ExecutionReportHostileNamesTest::asParsed)
                        .toList());
        assertThat(html.select("#graph g.node.terminal")).hasSize(2);
        assertThat(html.select("#graph g.node.unvisited").eachAttr("data-node").stream()
                .map(ExecutionReportHostileNamesTest::asParsed)).containsExactly(
                asParsed(UNVISITED_BRANCH));
        assertThat(html.select("#graph path.edge")).hasSize(EDGES);
        assertThat(html.select("#graph path.edge[stroke-dasharray]")).hasSize(2);
        assertThat(html.select("#never-visited").text()).isEqualTo(
                asParsed(UNVISITED_BRANCH).replaceAll("\\s+", " "));
        assertThat(html.select("#services tr")).hasSize(2); // header and the one service
        assertThat(asParsed(html.select("#services td").get(1).wholeText())).isEqualTo(asParsed(SERVICE));
        assertThat(html.select("#final-state tr")).hasSize(4);
    }

    // ---- execution_summary.md ----

    private static String md() throws Exception {
        return Files.readString(dir.resolve(ExecutionReport.SUMMARY_FILE), StandardCharsets.UTF_8);
    }

    /** The contents of the fenced blocks. */
    static List<String> fences(String md) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : md.split("\n", -1)) {
            if (line.matches(" {0,3}(`{3,}|~{3,}).*")) {
                if (block == null) {
                    block = new StringBuilder();
                } else {
                    blocks.add(block.toString());
                    block = null;
                }
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** Pipes that delimit table cells (a backslash escapes the next character). */
    private static int cellDelimiters(String line) {
        int n = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '|') {
                n++;
            }
        }
        return n;
    }

    @Test
    void markdown_has_exactly_our_headings_fences_and_table_columns() throws Exception {
        String md = md();
        List<String> lines = List.of(md.split("\n", -1));
        assertThat(lines.stream().filter(l -> l.matches(" {0,3}(`{3,}|~{3,}).*")))
                .containsExactly("```mermaid", "```", "```mermaid", "```");
        assertThat(lines.stream().filter(l -> l.matches(" {0,3}#{1,6}( .*)?")).map(l -> l.replaceAll(":.*", "")))
                .containsExactly("# Execution report", "## Services", "## Nodes, tools and tasks",
                        "## Nodes never visited", "## Final state", "## Graph", "## Timeline");
        assertThat(md).doesNotContain("<");                          // no raw HTML, not even in the fences
        String outside = String.join("\n", lines).replaceAll("(?s)```mermaid\n.*?```\n", "");
        assertThat(outside).doesNotContain("`x`", "*em*", "_u_", "[link]", "~~~"); // no live inline syntax
        assertThat(lines.stream().filter(l -> l.matches(" {0,3}([-+*]|\\d+[.)])( .*)?")))
                .containsExactly("- " + Escape.markdown(UNVISITED_BRANCH)); // the one list item: never visited
        assertThat(lines.stream().filter(l -> l.startsWith("    ") && !l.isBlank()).count())
                .isEqualTo(String.join("", fences(md)).lines().filter(l -> l.startsWith("    ")).count());

        Map<Integer, Long> rowsByColumns = lines.stream().filter(l -> l.startsWith("|"))
                .collect(Collectors.groupingBy(ExecutionReportHostileNamesTest::cellDelimiters, Collectors.counting()));
        long stats = events.stream().filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.END)
                .map(e -> ((CallEvent) e).kind() + "/" + ((CallEvent) e).name()).distinct().count();
        assertThat(rowsByColumns).containsOnly(
                Map.entry(9, 3L),              // services: header, delimiter, one instance
                Map.entry(10, 2L + stats),     // calls: header, delimiter, one per node, tool and task
                Map.entry(3, 2L + 3));         // final state: header, delimiter, three keys
    }

    /** Every node of a parsed Markdown document, depth first. */
    private static List<org.commonmark.node.Node> walk(org.commonmark.node.Node root) {
        List<org.commonmark.node.Node> all = new ArrayList<>();
        for (org.commonmark.node.Node n = root.getFirstChild(); n != null; n = n.getNext()) {
            all.add(n);
            all.addAll(walk(n));
        }
        return all;
    }

    /** The text a renderer shows for {@code node}: its Text, soft and hard breaks as spaces. */
    private static String text(org.commonmark.node.Node node) {
        StringBuilder out = new StringBuilder();
        for (org.commonmark.node.Node n : walk(node)) {
            if (n instanceof org.commonmark.node.Text t) {
                out.append(t.getLiteral());
            } else if (n instanceof org.commonmark.node.SoftLineBreak || n instanceof org.commonmark.node.HardLineBreak) {
                out.append(' ');
            }
        }
        return out.toString();
    }

    /** {@code name} as the report shows it: on one line, spaces at the ends dropped. */
    private static String shown(String name) {
        return name.replaceAll("[\\p{Cntrl}\u2028\u2029]", " ").strip();
    }

    @Test
    void a_commonmark_parser_sees_only_our_structure_and_every_name_as_plain_text() throws Exception {
        org.commonmark.node.Node doc = org.commonmark.parser.Parser.builder()
                .extensions(List.of(org.commonmark.ext.gfm.tables.TablesExtension.create(),
                        org.commonmark.ext.gfm.strikethrough.StrikethroughExtension.create()))
                .build().parse(md());
        List<org.commonmark.node.Node> nodes = walk(doc);
        assertThat(nodes).noneMatch(n -> n instanceof org.commonmark.node.HtmlInline
                || n instanceof org.commonmark.node.HtmlBlock || n instanceof org.commonmark.node.Emphasis
                || n instanceof org.commonmark.node.StrongEmphasis || n instanceof org.commonmark.node.Code
                || n instanceof org.commonmark.node.Link || n instanceof org.commonmark.node.Image
                || n instanceof org.commonmark.node.IndentedCodeBlock || n instanceof org.commonmark.node.BlockQuote
                || n instanceof org.commonmark.node.ThematicBreak || n instanceof org.commonmark.node.OrderedList
                || n instanceof org.commonmark.ext.gfm.strikethrough.Strikethrough);
        assertThat(nodes).filteredOn(n -> n instanceof org.commonmark.node.FencedCodeBlock)
                .extracting(n -> ((org.commonmark.node.FencedCodeBlock) n).getInfo()).containsExactly("mermaid", "mermaid");
        assertThat(nodes).filteredOn(n -> n instanceof org.commonmark.node.Heading).extracting(n -> text(n))
                .containsExactly("Execution report: " + shown(TITLE), "Services", "Nodes, tools and tasks",
                        "Nodes never visited", "Final state", "Graph", "Timeline");
        assertThat(nodes).filteredOn(n -> n instanceof org.commonmark.node.ListItem).extracting(n -> text(n))
                .containsExactly(shown(UNVISITED_BRANCH));

        List<org.commonmark.node.Node> tables = nodes.stream()
                .filter(n -> n instanceof org.commonmark.ext.gfm.tables.TableBlock).toList();
        assertThat(tables).hasSize(3);
        List<List<String>> services = rows(tables.get(0));
        List<List<String>> calls = rows(tables.get(1));
        List<List<String>> state = rows(tables.get(2));
        assertThat(services).allSatisfy(r -> assertThat(r).hasSize(8));
        assertThat(calls).allSatisfy(r -> assertThat(r).hasSize(9));
        assertThat(state).allSatisfy(r -> assertThat(r).hasSize(2));
        assertThat(services.get(1).subList(0, 2)).containsExactly(shown(SERVICE + "#1"), shown(SERVICE));
        List<String> expectedCalls = new ArrayList<>();
        events.stream().filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.END)
                .map(e -> shown(((CallEvent) e).name())).distinct().forEach(expectedCalls::add);
        assertThat(calls.subList(1, calls.size()).stream().map(r -> r.get(1)).distinct())
                .containsExactlyInAnyOrderElementsOf(expectedCalls);
        assertThat(state.subList(1, state.size()).stream().map(r -> r.get(0)))
                .containsExactly(shown("<k>\n```"), "lone surrogate", "`");
        assertThat(state.get(1).get(1)).isEqualTo(shown("v|`x`\n# no </td></tr></table><script>"));
        assertThat(state.get(3).get(1)).isEqualTo("\\|");
    }

    /** The cells of each row of a table, as shown. */
    private static List<List<String>> rows(org.commonmark.node.Node table) {
        List<List<String>> rows = new ArrayList<>();
        for (org.commonmark.node.Node n : walk(table)) {
            if (n instanceof org.commonmark.ext.gfm.tables.TableRow row) {
                List<String> cells = new ArrayList<>();
                for (org.commonmark.node.Node c = row.getFirstChild(); c != null; c = c.getNext()) {
                    cells.add(text(c).strip());
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    // ---- Mermaid ----

    private static final Pattern ENTITY = Pattern.compile("#(\\d+);");

    private static String decode(String label) {
        Matcher m = ENTITY.matcher(label);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(Character.toString(Integer.parseInt(m.group(1)))));
        }
        return m.appendTail(out).toString();
    }

    @Test
    void the_mermaid_graph_has_exactly_our_nodes_and_edges() throws Exception {
        String flowchart = fences(md()).get(0);
        Pattern terminal = Pattern.compile(" {4}(n\\d+)\\(\\(\"(start|end)\"\\)\\)");
        String label = "((?:[\\p{L}\\p{N} _.,-]|#\\d+;)*)";   // kept characters and entity codes, nothing else
        Pattern node = Pattern.compile(" {4}(n\\d+)\\[\"" + label + "\"\\]");
        Pattern edge = Pattern.compile(" {4}(n\\d+) (-->|-\\.->)(?:\\|\"" + label + "\"\\|)? (n\\d+)");
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> edges = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        List<String> lines = flowchart.lines().toList();
        assertThat(lines.get(0)).isEqualTo("flowchart TD");
        for (String line : lines.subList(1, lines.size())) {
            Matcher t = terminal.matcher(line);
            Matcher n = node.matcher(line);
            Matcher e = edge.matcher(line);
            if (t.matches()) {
                labels.put(t.group(1), t.group(2));
            } else if (n.matches()) {
                labels.put(n.group(1), decode(n.group(2)));
            } else if (e.matches()) {
                assertThat(labels).containsKeys(e.group(1), e.group(4));
                edges.add(labels.get(e.group(1)) + " -> " + labels.get(e.group(4)));
                if (e.group(3) != null) {
                    conditions.add(decode(e.group(3)));
                }
            } else {
                assertThat(line).matches(" {4}classDef unvisited [a-z0-9:#, -]+| {4}class n\\d+ unvisited");
            }
        }
        List<String> expected = new ArrayList<>(List.of("start", "end"));
        allNodes().forEach(name -> expected.add(name.replaceAll("[\\p{Cntrl}\u2028\u2029]", " ")));
        assertThat(labels.values()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(edges).hasSize(EDGES);
        assertThat(conditions).containsExactlyInAnyOrder(OK.replace('\n', ' '), NO.replace('\n', ' '));
        assertThat(compiledGraphMermaid).isEqualTo(flowchart); // the compiled graph gives the same shape
    }

    @Test
    void the_gantt_chart_has_exactly_our_sections_and_tasks() throws Exception {
        String gantt = fences(md()).get(1);
        List<String> sections = new ArrayList<>();
        int tasks = 0;
        for (String line : gantt.lines().toList()) {
            if (line.startsWith("    section ")) {
                assertThat(line).matches(" {4}section [^#:;%\\n]+");
                sections.add(line.substring(12));
            } else if (line.matches(" {4}(starting|running|node|tool|task) [^#:;%]* :((crit|active), )?t\\d+, \\d+, \\d+")
                    || line.matches(" {4}(starting|running) :((crit|active), )?t\\d+, \\d+, \\d+")) {
                tasks++;
            } else {
                assertThat(line).isIn("gantt", "    title Timeline (ms from the first event)", "    dateFormat x",
                        "    axisFormat %S.%L s");
            }
        }
        assertThat(sections).containsExactly("db script section x y 1 1", "without a service"); // SERVICE + "#1"
        long calls = events.stream().filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.START).count();
        assertThat(tasks).isEqualTo(2 + calls); // starting and running, and every call
    }

    // the escape used in the expectation above, re-stated so the test does not trust the code it checks
    private static final class Escape {
        static String markdown(String s) {
            return s.replace("\n", " ").replace("`", "\\`").replace("#", "\\#").replace("<", "&lt;")
                    .replace(">", "&gt;");
        }
    }
}
