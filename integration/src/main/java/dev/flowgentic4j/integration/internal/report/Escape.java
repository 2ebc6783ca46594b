package dev.flowgentic4j.integration.internal.report;

/**
 * Escaping of names (which a user chooses, so any character) for each place the report writes them.
 * Every method is total: no input can end the context it is written into.
 */
public final class Escape {
    private Escape() {}

    /** {@code text} on one line: control characters and line or paragraph separators become spaces. */
    public static String flat(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return out.toString();
    }

    /**
     * Markdown inline text, for a heading, a table cell or a list item: on one line; no HTML
     * ({@code < > &} as entities), no emphasis, code, link, image or table syntax (backslash
     * escapes), no block syntax at its start (list, quote, heading, indented code).
     */
    public static String markdown(String text) {
        String flat = flat(text);
        StringBuilder out = new StringBuilder(flat.length() + 8);
        boolean atStart = true;   // only spaces so far
        boolean digitsOnly = true; // only digits so far (an ordered list marker is digits then . or ))
        for (int i = 0; i < flat.length(); i++) {
            char c = flat.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\\', '`', '*', '[', ']', '|', '~', '!' -> out.append('\\').append(c);
                // between letters or digits these cannot open or close anything: db_pool#4 stays readable
                case '_' -> out.append(alnum(flat, i - 1) && alnum(flat, i + 1) ? "" : "\\").append(c);
                case '#' -> out.append(alnum(flat, i - 1) ? "" : "\\").append(c);
                case ' ' -> out.append(atStart || i == flat.length() - 1 ? "&#32;" : " ");
                case '-', '+', '=' -> out.append(atStart ? "\\" : "").append(c);
                case '.', ')' -> out.append(digitsOnly && i > 0 ? "\\" : "").append(c);
                default -> out.append(c);
            }
            digitsOnly = digitsOnly && c >= '0' && c <= '9';
            atStart = atStart && c == ' ';
        }
        return out.toString();
    }

    private static boolean alnum(String s, int i) {
        return i >= 0 && i < s.length() && Character.isLetterOrDigit(s.charAt(i));
    }

    /**
     * A Mermaid flowchart label, quotes included: letters, digits, spaces and {@code _ - . ,} as they
     * are, every other character as a Mermaid entity code ({@code #35;}).
     */
    public static String mermaidLabel(String text) {
        String flat = flat(text);
        StringBuilder out = new StringBuilder(flat.length() + 8).append('"');
        flat.codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp) || cp == ' ' || cp == '_' || cp == '-' || cp == '.' || cp == ',') {
                out.appendCodePoint(cp);
            } else {
                out.append('#').append(cp).append(';');
            }
        });
        return out.append('"').toString();
    }

    /**
     * Text for a Mermaid Gantt chart (a section or task name), which has no escape syntax: letters,
     * digits and {@code _ - . , ( ) / ' + = @ ! ?} are kept, runs of anything else become one space;
     * never empty.
     */
    public static String gantt(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            boolean keep = Character.isLetterOrDigit(cp) || "_-.,()/'+=@!?".indexOf(cp) >= 0;
            if (keep) {
                out.appendCodePoint(cp);
            } else if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                out.append(' ');
            }
        });
        String s = out.toString().strip();
        return s.isEmpty() ? "?" : s;
    }

    /** HTML text or a double- or single-quoted attribute value; control characters other than tab and line ends as U+FFFD. */
    public static String html(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c == '\t' || c == '\n' || c == '\r' || !Character.isISOControl(c) ? c : '\uFFFD');
            }
        }
        return out.toString();
    }
}
