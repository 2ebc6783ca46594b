package dev.flowgentic4j.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * A host JVM for the crash test: starts three servers (the Java fixture, which ignores the end of
 * its stdin; the fixture behind {@code sh -c}; the hostile server, which forks a detached
 * grandchild), prints every pid they started on one line ({@code PIDS 1 2 3 ...}), then waits to be
 * killed.
 */
public final class CrashHost {
    private CrashHost() {}

    public static void main(String[] args) throws Exception {
        List<McpServer> servers = new ArrayList<>();
        servers.add(McpServer.start(FixtureServers.direct("fixture"), McpOptions.ofDefaults()));
        servers.add(McpServer.start(FixtureServers.viaShell("shell"), McpOptions.ofDefaults()));
        McpServer hostile = McpServer.start(FixtureServers.hostile("detacher", "--ignore-stdin-eof"),
                McpOptions.ofDefaults());
        servers.add(hostile);
        String grandchild = hostile.callTool("detach", "{}");
        TreeSet<Long> pids = new TreeSet<>();
        pids.add(Long.parseLong(grandchild.trim()));
        for (McpServer server : servers) {
            server.callTool("pid", "{}"); // the shell's java child is running by now
            pids.addAll(server.processIds());
        }
        StringBuilder line = new StringBuilder("PIDS");
        pids.forEach(p -> line.append(' ').append(p));
        System.out.println(line);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
