package dev.flowgentic4j.tools.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.output.structured.Description;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The JSON schema of a tool parameter's Java type, built from langchain4j's public schema types
 * ({@code dev.langchain4j.model.chat.request.json}) the way langchain4j describes {@code @Tool} method
 * parameters (strings, integers, numbers, booleans, enums, arrays and collections, and records or
 * classes as objects whose fields are required), without langchain4j's {@code internal} package. Stateless.
 */
final class ParameterSchemas {
    private static final Set<Class<?>> STRINGS = Set.of(String.class, CharSequence.class, char.class,
            Character.class, UUID.class);
    private static final Set<Class<?>> INTEGERS = Set.of(byte.class, Byte.class, short.class, Short.class,
            int.class, Integer.class, long.class, Long.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(float.class, Float.class, double.class, Double.class,
            BigDecimal.class);

    private ParameterSchemas() {}

    /**
     * The schema of {@code type}; {@code description} (may be null) describes it for the model.
     * Recursive definitions of a class ({@code $defs}) are put into {@code definitions}, for the
     * caller to attach at the root of the tool's parameters.
     */
    static JsonSchemaElement schemaOf(Type type, String description, Map<String, JsonSchemaElement> definitions) {
        return schemaOf(type, description, definitions, new HashSet<>());
    }

    private static JsonSchemaElement schemaOf(Type type, String description, Map<String, JsonSchemaElement> definitions,
            Set<Class<?>> visiting) {
        Class<?> raw = rawClassOf(type);
        if (STRINGS.contains(raw)) {
            return JsonStringSchema.builder()
                    .description(description == null && raw == UUID.class ? "String in a UUID format" : description)
                    .build();
        }
        if (INTEGERS.contains(raw)) {
            return JsonIntegerSchema.builder().description(description).build();
        }
        if (NUMBERS.contains(raw)) {
            return JsonNumberSchema.builder().description(description).build();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return JsonBooleanSchema.builder().description(description).build();
        }
        if (raw.isEnum()) {
            return JsonEnumSchema.builder()
                    .enumValues(Arrays.stream(raw.getEnumConstants()).map(e -> ((Enum<?>) e).name()).toList())
                    .description(description)
                    .build();
        }
        if (raw.isArray()) {
            Type component = type instanceof GenericArrayType generic ? generic.getGenericComponentType()
                    : raw.getComponentType();
            return JsonArraySchema.builder().items(schemaOf(component, null, definitions, visiting))
                    .description(description).build();
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return JsonArraySchema.builder().items(schemaOf(typeArgument(type), null, definitions, visiting))
                    .description(description).build();
        }
        if (raw == Object.class || Map.class.isAssignableFrom(raw) || raw.getName().startsWith("java.")) {
            return JsonObjectSchema.builder().description(description).build();
        }
        return objectSchema(raw, description, definitions, visiting);
    }

    /**
     * A record or class as an object of its instance fields, each required unless it carries
     * {@code @JsonProperty(required = false)}; a class met again inside itself becomes a reference to
     * its entry in {@code definitions}.
     */
    private static JsonSchemaElement objectSchema(Class<?> type, String description,
            Map<String, JsonSchemaElement> definitions, Set<Class<?>> visiting) {
        String reference = type.getName();
        if (!visiting.add(type)) {
            definitions.putIfAbsent(reference, JsonObjectSchema.builder().build());   // filled in below
            return JsonReferenceSchema.builder().reference(reference).build();
        }
        JsonObjectSchema.Builder builder = JsonObjectSchema.builder();
        List<String> required = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic() || field.getName().startsWith("this$")) {
                continue;
            }
            JsonProperty property = field.getAnnotation(JsonProperty.class);
            if (property == null || property.required()) {
                required.add(field.getName());
            }
            builder.addProperty(field.getName(), schemaOf(field.getGenericType(),
                    describe(field.getAnnotation(Description.class)), definitions, visiting));
        }
        visiting.remove(type);
        JsonObjectSchema schema = builder.required(required)
                .description(description != null ? description : describe(type.getAnnotation(Description.class)))
                .build();
        if (definitions.containsKey(reference)) {
            definitions.put(reference, schema);
        }
        return schema;
    }

    private static String describe(Description description) {
        return description == null ? null : String.join(" ", description.value());
    }

    /** A short phrase for error messages: "an integer", "a string", "one of [A, B]"... */
    static String expected(Type type) {
        JsonSchemaElement schema = schemaOf(type, null, new HashMap<>());
        if (schema instanceof JsonStringSchema) {
            return "a string";
        } else if (schema instanceof JsonIntegerSchema) {
            return "an integer";
        } else if (schema instanceof JsonNumberSchema) {
            return "a number";
        } else if (schema instanceof JsonBooleanSchema) {
            return "a boolean";
        } else if (schema instanceof JsonEnumSchema e) {
            return "one of " + e.enumValues();
        } else if (schema instanceof JsonArraySchema) {
            return "an array";
        }
        return "an object";
    }

    private static Type typeArgument(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getActualTypeArguments().length == 1) {
            return parameterized.getActualTypeArguments()[0];
        }
        return Object.class;
    }

    static Class<?> rawClassOf(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof WildcardType w && w.getUpperBounds().length > 0) {
            return rawClassOf(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> v && v.getBounds().length > 0) {
            return rawClassOf(v.getBounds()[0]);
        }
        if (type instanceof GenericArrayType g) {
            return rawClassOf(g.getGenericComponentType()).arrayType();
        }
        return Object.class;
    }
}
