package dev.flowgentic4j.patterns.websocket;

import java.util.Objects;
import java.util.Optional;

/**
 * How a request carries its correlation id and how a reply is recognised, for
 * {@link WebSocketService#request}. The default, {@link #jsonField(String) jsonField("id")}, puts
 * {@code "id":"..."} into a JSON object and matches a reply whose top-level {@code id} is that
 * value. Implementations must be thread-safe and cheap: {@link #idOf} runs on the connection's
 * reader thread for inbound messages while requests await replies.
 *
 * <pre>{@code
 * Correlation byRef = Correlation.jsonField("ref");      // {"ref":"feed-7", ...}
 * }</pre>
 */
public interface Correlation {

    /**
     * The message to send for {@code request} under {@code id}.
     *
     * @throws IllegalArgumentException if the request cannot carry an id
     */
    String attach(String id, String request);

    /** The correlation id {@code message} carries, if it is a reply. */
    Optional<String> idOf(String message);

    /** JSON objects with the id in the top-level field {@code field} (a string, or a number in replies). */
    static Correlation jsonField(String field) {
        return new JsonFieldCorrelation(field);
    }

    /** {@code jsonField("id")}. */
    static Correlation defaults() {
        return JsonFieldCorrelation.ID;
    }
}

/**
 * The id as a top-level field of a JSON object. Reading scans the message once and looks only at
 * the top level (the field inside a nested object is not the reply's id); a message that is not a
 * JSON object has no id.
 */
final class JsonFieldCorrelation implements Correlation {
    static final JsonFieldCorrelation ID = new JsonFieldCorrelation("id");

    private final String field;
    private final String quotedField;

    JsonFieldCorrelation(String field) {
        Objects.requireNonNull(field, "field");
        if (field.isEmpty() || !field.chars().allMatch(c -> c > 0x20 && c != '"' && c != '\\' && c < 0x7f)) {
            throw new IllegalArgumentException("field must be a plain ASCII name, was '" + field + "'");
        }
        this.field = field;
        this.quotedField = '"' + field + '"';
    }

    @Override
    public String attach(String id, String request) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        int open = 0;
        while (open < request.length() && Character.isWhitespace(request.charAt(open))) {
            open++;
        }
        if (open >= request.length() || request.charAt(open) != '{') {
            throw new IllegalArgumentException("a request must be a JSON object to carry the field '" + field
                    + "', it starts with " + (open >= request.length() ? "nothing" : "'" + request.charAt(open) + "'"));
        }
        int next = open + 1;
        while (next < request.length() && Character.isWhitespace(request.charAt(next))) {
            next++;
        }
        boolean empty = next < request.length() && request.charAt(next) == '}';
        return request.substring(0, open + 1) + quotedField + ":\"" + escape(id) + "\"" + (empty ? "" : ",")
                + request.substring(open + 1);
    }

    @Override
    public Optional<String> idOf(String message) {
        int n = message.length();
        int i = 0;
        while (i < n && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        if (i >= n || message.charAt(i) != '{') {
            return Optional.empty();
        }
        int depth = 0;
        boolean expectKey = false;
        for (; i < n; i++) {
            char c = message.charAt(i);
            switch (c) {
                case '{', '[' -> {
                    depth++;
                    expectKey = c == '{' && depth == 1;
                }
                case '}', ']' -> depth--;
                case ',' -> expectKey = depth == 1;
                case '"' -> {
                    int end = endOfString(message, i);
                    if (end < 0) {
                        return Optional.empty();
                    }
                    if (depth == 1 && expectKey) {
                        boolean match = message.startsWith(quotedField, i) && end == i + quotedField.length() - 1;
                        i = end;
                        expectKey = false;
                        if (match) {
                            return valueAfterColon(message, end + 1);
                        }
                    } else {
                        i = end;
                    }
                }
                default -> { }
            }
            if (depth <= 0) {
                break;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> valueAfterColon(String message, int from) {
        int i = from;
        int n = message.length();
        while (i < n && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        if (i >= n || message.charAt(i) != ':') {
            return Optional.empty();
        }
        i++;
        while (i < n && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        if (i >= n) {
            return Optional.empty();
        }
        if (message.charAt(i) == '"') {
            int end = endOfString(message, i);
            return end < 0 ? Optional.empty() : Optional.of(unescape(message.substring(i + 1, end)));
        }
        int start = i;
        while (i < n && (Character.isDigit(message.charAt(i)) || message.charAt(i) == '-')) {
            i++;
        }
        return i > start ? Optional.of(message.substring(start, i)) : Optional.empty();
    }

    /** The index of the quote closing the string that opens at {@code open}, or -1. */
    private static int endOfString(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 < s.length()) {
                        try {
                            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                            i += 4;
                        } catch (NumberFormatException bad) {
                            out.append("\\u");
                        }
                    } else {
                        out.append("\\u");
                    }
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Correlation.jsonField(" + field + ")";
    }
}
