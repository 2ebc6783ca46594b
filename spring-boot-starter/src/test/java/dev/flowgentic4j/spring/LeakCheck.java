package dev.flowgentic4j.spring;

import java.io.File;
import java.util.List;

/** What a JVM holds: live threads and open file descriptors. */
final class LeakCheck {
    private LeakCheck() {}

    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }

    /** Open file descriptors of this process (Linux), or -1 where /proc is not there. */
    static int openFiles() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
