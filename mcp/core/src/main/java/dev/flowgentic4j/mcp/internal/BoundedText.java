package dev.flowgentic4j.mcp.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Bounded, escaped excerpts of what a server wrote, and a rate limit for logging them. */
public final class BoundedText {
    /** The most characters of a server's line that reach a log line or an error message. */
    public static final int EXCERPT_CHARS = 200;

    private BoundedText() {}

    /** The first {@link #EXCERPT_CHARS} characters of {@code length} bytes, control characters escaped. */
    public static String excerpt(byte[] bytes, int length) {
        return excerpt(bytes, length, length);
    }

    /** The first {@link #EXCERPT_CHARS} characters of the first {@code length} bytes of a text of {@code total} bytes. */
    public static String excerpt(byte[] bytes, int length, long total) {
        int take = Math.min(length, EXCERPT_CHARS * 4);
        return excerpt(new String(bytes, 0, take, StandardCharsets.UTF_8), total);
    }

    /** {@code text} cut to {@link #EXCERPT_CHARS} characters, control characters escaped, with its full size. */
    public static String excerpt(String text, long totalBytes) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.length() && shown < EXCERPT_CHARS; i++, shown++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (totalBytes <= 0) {
            if (shown < text.length()) {
                out.append("...");
            }
        } else if (shown < text.length() || text.getBytes(StandardCharsets.UTF_8).length < totalBytes) {
            out.append("...(").append(totalBytes).append(" bytes in all)");
        }
        return out.toString();
    }

    /**
     * Lets through at most {@code perWindow} messages every {@code windowNanos}; the first message
     * of a later window tells how many were left out. Lock-free; approximate under contention.
     */
    public static final class RateLimit {
        private final int perWindow;
        private final long windowNanos;
        private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
        private final AtomicLong inWindow = new AtomicLong();
        private final AtomicLong suppressed = new AtomicLong();

        public RateLimit(int perWindow, long windowNanos) {
            this.perWindow = perWindow;
            this.windowNanos = windowNanos;
        }

        /** Logs {@code message} through {@code sink} unless over the limit. */
        public void log(Consumer<String> sink, String message) {
            long now = System.nanoTime();
            long start = windowStart.get();
            if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
                inWindow.set(0);
                long left = suppressed.getAndSet(0);
                if (left > 0) {
                    sink.accept("(" + left + " similar messages were left out)");
                }
            }
            if (inWindow.incrementAndGet() <= perWindow) {
                sink.accept(message);
            } else {
                suppressed.incrementAndGet();
            }
        }
    }
}
