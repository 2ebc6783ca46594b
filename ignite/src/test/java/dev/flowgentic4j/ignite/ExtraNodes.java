package dev.flowgentic4j.ignite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Extra Ignite server JVMs for tests: each an {@link IgniteNode} started with {@link ProcessBuilder}
 * on loopback, with the test classpath and the {@code --add-opens} flags; stopped by closing its
 * standard input, or killed.
 */
final class ExtraNodes implements AutoCloseable {

    /** One extra node: its process and its pid. */
    record Node(Process process, long pid) {}

    private final List<Node> nodes = new ArrayList<>();
    private int next; // guarded by nodes

    /** Starts {@code count} nodes at once and waits (up to 60 s) until each has joined. */
    static ExtraNodes start(int count, int discoveryPort, int communicationPort, Path workRoot) throws Exception {
        ExtraNodes extra = new ExtraNodes();
        List<CompletableFuture<Long>> ready = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                synchronized (extra.nodes) {
                    extra.next++;
                }
                ready.add(extra.launch(i, discoveryPort, communicationPort, workRoot.resolve("node-" + i)));
            }
            for (CompletableFuture<Long> r : ready) {
                r.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            extra.close();
            throw e;
        }
        return extra;
    }

    private CompletableFuture<Long> launch(int index, int discoveryPort, int communicationPort, Path workDir)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(IgniteJvm.ADD_OPENS);
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true", "-DIGNITE_UPDATE_NOTIFIER=false",
                "-Dflowgentic4j.log=target/extra-node-" + index + ".log",
                "-cp", System.getProperty("java.class.path"), IgniteNode.class.getName(),
                "--discovery", "127.0.0.1:" + discoveryPort + ".." + (discoveryPort + 9),
                "--discovery-port", String.valueOf(discoveryPort), "--port-range", "10",
                "--communication-port", String.valueOf(communicationPort),
                "--work-dir", workDir.toString()));
        Process process = new ProcessBuilder(command)
                .redirectError(Path.of("target", "extra-node-" + index + ".err").toFile())
                .start();
        synchronized (nodes) {
            nodes.add(new Node(process, process.pid()));
        }
        CompletableFuture<Long> ready = new CompletableFuture<>();
        process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException(
                "extra node " + index + " exited with " + process.exitValue() + " before it was ready (see target/"
                        + "extra-node-" + index + ".err)")));
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        ready.complete(process.pid());
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(new UncheckedIOException(e));
            }
        }, "extra-node-" + index + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** Starts one node in place of the one with {@code pid} (killed), and waits until it has joined. */
    void replace(long pid, int discoveryPort, int communicationPort, Path workRoot) throws Exception {
        int index;
        synchronized (nodes) {
            nodes.removeIf(n -> n.pid() == pid);
            index = next++;
        }
        launch(index, discoveryPort, communicationPort, workRoot.resolve("node-" + index)).get(60, TimeUnit.SECONDS);
    }

    List<Node> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes);
        }
    }

    /** SIGKILL: the process gets no chance to leave the cluster. */
    static void kill(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -KILL " + pid + " failed");
        }
    }

    /** Stops every node still alive: standard input closed (a clean leave), killed after 20 s. */
    @Override
    public void close() {
        for (Node node : nodes()) {
            try {
                node.process().getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        for (Node node : nodes()) {
            try {
                if (!node.process().waitFor(20, TimeUnit.SECONDS)) {
                    node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
