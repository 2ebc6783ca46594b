package dev.flowgentic4j.tools.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flowgentic4j.tools.ToolParameter;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the model's JSON arguments and binds them to declared parameter types with Jackson (no
 * default or polymorphic typing). Every problem is reported as a {@link BadArgumentsException}
 * whose message tells the model what to fix. Immutable and thread-safe.
 */
public final class ArgumentBinder {
    /** The longest arguments text a tool accepts from a model; longer ones are refused before parsing. */
    public static final int MAX_ARGUMENT_CHARS = 64 * 1024;

    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)     // one JSON object and nothing after it
            .build();

    private static final JavaType ANY_OBJECT = JSON.getTypeFactory().constructMapType(LinkedHashMap.class,
            String.class, Object.class);

    private final List<ToolParameter> parameters;     // null: any JSON object, unbound
    private final List<JavaType> types;
    private final List<ObjectReader> readers;
    private final Set<String> parameterNames;

    /** A binder that accepts any JSON object and converts it to a map, for tools whose schema another party checks. */
    public static ArgumentBinder unbound() {
        return new ArgumentBinder();
    }

    private ArgumentBinder() {
        this.parameters = null;
        this.types = List.of();
        this.readers = List.of();
        this.parameterNames = Set.of();
    }

    public ArgumentBinder(List<ToolParameter> parameters) {
        this.parameters = List.copyOf(parameters);
        Set<String> names = new HashSet<>();
        List<JavaType> javaTypes = new ArrayList<>();
        for (ToolParameter p : this.parameters) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
            }
            javaTypes.add(JSON.getTypeFactory().constructType(p.type()));
        }
        this.types = List.copyOf(javaTypes);
        this.readers = javaTypes.stream().map(JSON::readerFor).toList();
        this.parameterNames = Set.copyOf(names);
    }

    /** The declared parameters; empty for an {@link #unbound()} binder. */
    public List<ToolParameter> parameters() {
        return parameters == null ? List.of() : parameters;
    }

    /** Whether arguments are bound to declared parameters (else any JSON object is accepted as is). */
    public boolean isBound() {
        return parameters != null;
    }

    /** The declared parameter names (an immutable set; empty for an {@link #unbound()} binder). */
    public Set<String> parameterNames() {
        return parameterNames;
    }

    /**
     * The JSON schema of the parameters, described the way langchain4j describes {@code @Tool} method
     * parameters (see {@link ParameterSchemas}).
     */
    public JsonObjectSchema schema() {
        if (parameters == null) {
            throw new IllegalStateException("an unbound binder declares no schema");
        }
        JsonObjectSchema.Builder schema = JsonObjectSchema.builder();
        Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (ToolParameter p : parameters) {
            schema.addProperty(p.name(), ParameterSchemas.schemaOf(p.type(), p.description(), definitions));
            if (p.required()) {
                required.add(p.name());
            }
        }
        if (!definitions.isEmpty()) {
            schema.definitions(definitions);
        }
        return schema.required(required).build();
    }

    /** A tool specification named {@code name} whose parameters are these. */
    public ToolSpecification specification(String name, String description) {
        return ToolSpecification.builder().name(name).description(description).parameters(schema()).build();
    }

    /**
     * Binds {@code argumentsJson} to the declared parameters, by name, in declaration order. An
     * optional parameter that is absent or null is left out.
     *
     * @throws BadArgumentsException naming what is wrong: too large, not JSON, not an object, a required
     *     parameter missing, or a value of the wrong type
     */
    public Map<String, Object> bind(String argumentsJson) throws BadArgumentsException {
        JsonNode root;
        String text = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        if (text.length() > MAX_ARGUMENT_CHARS) {
            throw new BadArgumentsException("arguments are too large: " + text.length() + " characters, the limit is "
                    + MAX_ARGUMENT_CHARS);
        }
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadArgumentsException("arguments are not valid JSON (" + e.getOriginalMessage() + "): "
                    + abbreviate(text));
        }
        if (root == null || !root.isObject()) {
            throw new BadArgumentsException("arguments must be a JSON object, got " + abbreviate(text));
        }
        if (parameters == null) {
            try {
                return JSON.convertValue(root, ANY_OBJECT);
            } catch (IllegalArgumentException e) {
                throw new BadArgumentsException("arguments cannot be read: " + abbreviate(text));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> missing = null;
        for (int i = 0; i < parameters.size(); i++) {
            ToolParameter p = parameters.get(i);
            JsonNode node = root.get(p.name());
            if (node == null || node.isNull()) {
                if (p.required()) {
                    if (missing == null) {
                        missing = new ArrayList<>();
                    }
                    missing.add(p.name());
                }
                continue;
            }
            try {
                values.put(p.name(), convert(node, i));
            } catch (IOException | IllegalArgumentException e) {
                throw new BadArgumentsException("parameter '" + p.name() + "' must be "
                        + ParameterSchemas.expected(p.type()) + ", got " + abbreviate(node.toString()));
            }
        }
        if (missing != null) {
            throw new BadArgumentsException((missing.size() == 1 ? "missing required parameter '" + missing.get(0) + "'"
                    : "missing required parameters " + missing) + "; expected parameters: " + describeParameters());
        }
        return values;
    }

    /**
     * {@code node} as the type of parameter {@code i}: the common scalar cases directly (exactly what
     * Jackson would produce for them), everything else through the parameter's own reader.
     */
    private Object convert(JsonNode node, int i) throws IOException {
        Class<?> raw = types.get(i).getRawClass();
        if (raw == String.class && node.isTextual()) {
            return node.textValue();
        }
        if ((raw == Integer.class || raw == int.class) && node.isInt()) {
            return node.intValue();
        }
        if ((raw == Long.class || raw == long.class) && (node.isInt() || node.isLong())) {
            return node.longValue();
        }
        if ((raw == Boolean.class || raw == boolean.class) && node.isBoolean()) {
            return node.booleanValue();
        }
        return readers.get(i).readValue(node);
    }

    private String describeParameters() {
        List<String> parts = new ArrayList<>();
        for (ToolParameter p : parameters) {
            parts.add(p.name() + " (" + ParameterSchemas.expected(p.type()) + (p.required() ? ", required" : ", optional") + ")");
        }
        return String.join(", ", parts);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** The model's arguments cannot be bound; the message says why, for the model to read. */
    public static final class BadArgumentsException extends Exception {
        private static final long serialVersionUID = 1L;

        BadArgumentsException(String message) {
            super(message);
        }
    }
}
