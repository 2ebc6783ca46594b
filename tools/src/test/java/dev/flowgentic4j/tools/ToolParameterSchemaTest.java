package dev.flowgentic4j.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Function tools describe their parameters exactly as langchain4j describes {@code @Tool} method parameters. */
class ToolParameterSchemaTest {
    enum Color { RED, GREEN }

    record Point(int x, int y) { }

    record Shape(String name, List<Point> corners, Color color) { }

    record Tree(String label, List<Tree> children) { }

    static class Shapes {
        @Tool("Draws")
        public String draw(@P("a name") String name, @P("a count") int count, @P("a big count") Long big,
                @P("a ratio") double ratio, @P("exact") BigDecimal exact, @P("a flag") boolean flag,
                @P("a color") Color color, @P("tags") List<String> tags, @P("numbers") int[] numbers,
                @P("an id") UUID id, @P("a point") Point point, @P("a shape") Shape shape,
                @P("several shapes") Set<Shape> shapes) {
            return name;
        }
    }

    private final FlowEngine engine = FlowEngine.create();

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void function_tool_parameters_get_the_schema_langchain4j_gives_the_same_method_parameters() throws Exception {
        Method draw = Shapes.class.getMethod("draw", String.class, int.class, Long.class, double.class,
                BigDecimal.class, boolean.class, Color.class, List.class, int[].class, UUID.class, Point.class,
                Shape.class, Set.class);
        JsonObjectSchema expected = ToolSpecifications.toolSpecificationFrom(draw).parameters();
        List<ToolParameter> parameters = List.of(
                ToolParameter.required("name", String.class, "a name"),
                ToolParameter.required("count", int.class, "a count"),
                ToolParameter.required("big", Long.class, "a big count"),
                ToolParameter.required("ratio", double.class, "a ratio"),
                ToolParameter.required("exact", BigDecimal.class, "exact"),
                ToolParameter.required("flag", boolean.class, "a flag"),
                ToolParameter.required("color", Color.class, "a color"),
                ToolParameter.required("tags", new TypeReference<List<String>>() { }.getType(), "tags"),
                ToolParameter.required("numbers", int[].class, "numbers"),
                ToolParameter.required("id", UUID.class, "an id"),
                ToolParameter.required("point", Point.class, "a point"),
                ToolParameter.required("shape", Shape.class, "a shape"),
                ToolParameter.required("shapes", new TypeReference<Set<Shape>>() { }.getType(), "several shapes"));
        ServiceFuture<Shapes> shapes = engine.<Void, Shapes>serviceTask("shapes", ignored -> new Shapes()).start(null);

        ToolSpecification spec = AgentTools.serviceFunction(shapes, "draw", "Draws", parameters,
                (s, args) -> "drawn", Duration.ofSeconds(5)).keySet().iterator().next();

        assertThat(spec.parameters().properties()).isEqualTo(expected.properties());
        assertThat(spec.parameters().required()).isEqualTo(expected.required());
        assertThat(spec.parameters()).isEqualTo(expected);
    }

    @Test
    void a_recursive_record_is_described_once_and_referenced_where_it_recurs() {
        ServiceFuture<Shapes> shapes = engine.<Void, Shapes>serviceTask("shapes", ignored -> new Shapes()).start(null);
        ToolSpecification spec = AgentTools.serviceFunction(shapes, "plant", "Plants a tree",
                List.of(ToolParameter.required("tree", Tree.class, "the tree")),
                (s, args) -> args.get("tree", Tree.class).children().size(), Duration.ofSeconds(5))
                .keySet().iterator().next();

        JsonObjectSchema tree = (JsonObjectSchema) spec.parameters().properties().get("tree");
        JsonArraySchema children = (JsonArraySchema) tree.properties().get("children");
        String reference = ((JsonReferenceSchema) children.items()).reference();
        assertThat(spec.parameters().definitions()).containsKey(reference);
        assertThat(((JsonObjectSchema) spec.parameters().definitions().get(reference)).properties())
                .containsOnlyKeys("label", "children");
    }
}
