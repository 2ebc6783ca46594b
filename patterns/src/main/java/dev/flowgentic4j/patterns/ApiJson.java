package dev.flowgentic4j.patterns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the top-level fields of a JSON object (a token endpoint's or a login's answer) without a
 * JSON library: strings are unescaped, numbers, booleans and null kept as written, nested values
 * skipped (to a depth of 32). Anything malformed gives an empty result. Not a general JSON parser.
 */
final class ApiJson {
    private static final int MAX_DEPTH = 32;

    private final String s;
    private int i;

    private ApiJson(String s) {
        this.s = s;
    }

    static Optional<String> field(String json, String name) {
        return Optional.ofNullable(object(json).get(name));
    }

    /** The object's top-level scalar fields (text of each); empty if {@code json} is not an object. */
    static Map<String, String> object(String json) {
        if (json == null) {
            return Map.of();
        }
        ApiJson p = new ApiJson(json);
        try {
            Map<String, String> out = new LinkedHashMap<>();
            p.ws();
            p.expect('{');
            p.ws();
            if (p.peek() == '}') {
                return out;
            }
            while (true) {
                p.ws();
                String key = p.string();
                p.ws();
                p.expect(':');
                p.ws();
                String value = p.value(0);
                if (value != null) {
                    out.putIfAbsent(key, value);
                }
                p.ws();
                char c = p.next();
                if (c == '}') {
                    return out;
                }
                if (c != ',') {
                    return Map.of();
                }
            }
        } catch (RuntimeException e) {   // malformed: IllegalState, IndexOutOfBounds, NumberFormat
            return Map.of();
        }
    }

    /** A scalar's text, or null for a nested object/array (skipped). */
    private String value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalStateException("too deep");
        }
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            i++;
            ws();
            if (peek() == close) {
                i++;
                return null;
            }
            while (true) {
                ws();
                if (c == '{') {
                    string();
                    ws();
                    expect(':');
                    ws();
                }
                value(depth + 1);
                ws();
                char n = next();
                if (n == close) {
                    return null;
                }
                if (n != ',') {
                    throw new IllegalStateException("bad separator");
                }
            }
        }
        int start = i;
        while (i < s.length() && "{}[],: \t\r\n\"".indexOf(s.charAt(i)) < 0) {
            i++;
        }
        String word = s.substring(start, i);
        if (word.isEmpty()) {
            throw new IllegalStateException("empty value");
        }
        if (word.equals("null")) {
            return null;
        }
        return word;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                char e = next();
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private char peek() {
        return s.charAt(i);
    }

    private char next() {
        return s.charAt(i++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalStateException("expected " + c);
        }
    }
}
