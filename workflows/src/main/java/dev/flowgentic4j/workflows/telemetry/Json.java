package dev.flowgentic4j.workflows.telemetry;

/** Just enough JSON writing for events and health documents (the workflows module has no JSON library). */
public final class Json {
    private Json() {}

    /** {@code value} as a JSON string literal, quotes included. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out.append(String.format("\\u%04x", (int) c)); // also safe inside an HTML script element
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A JSON object written field by field, in insertion order; null values are written as null. */
    public static final class Object {
        private final StringBuilder out = new StringBuilder("{");

        public Object put(String key, java.lang.Object value) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(key)).append(':');
            if (value == null) {
                out.append("null");
            } else if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                out.append(quote(value.toString()));
            }
            return this;
        }

        /** Puts {@code json} as it is (an object or array already written). */
        public Object putRaw(String key, String json) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(key)).append(':').append(json);
            return this;
        }

        @Override
        public String toString() {
            return out + "}";
        }
    }
}
