package dev.flowgentic4j.patterns.websocket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts what a service could leave behind: its threads (by name prefix) and this process's sockets. */
final class Leaks {
    private Leaks() {}

    static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Open socket file descriptors of this process (Linux: links to {@code socket:[...]} in /proc/self/fd). */
    static long openSockets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false;   // closed while listing
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
