package dev.flowgentic4j.patterns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server for <b>tests and demos only</b>: the {@code redis-server} binary shipped in
 * {@code com.github.codemonstur:embedded-redis} (6.2.6 for linux-amd64, also darwin and windows),
 * run on a free port of 127.0.0.1 with persistence off, from a temporary directory of its own that
 * {@link #close()} deletes. In production, point {@link RedisSettings} at a managed Redis instead.
 * Thread-safe.
 *
 * <pre>{@code
 * try (EmbeddedRedis server = EmbeddedRedis.start()) {
 *     RedisSettings settings = RedisSettings.of(server.url());   // redis://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class EmbeddedRedis implements AutoCloseable {
    private final RedisServer server;
    private final int port;
    private final Path directory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRedis(RedisServer server, int port, Path directory) {
        this.server = server;
        this.port = port;
        this.directory = directory;
    }

    /**
     * Unpacks the binary into a new temporary directory and starts it on a free port of 127.0.0.1;
     * returns once it accepts connections.
     *
     * @throws IOException if there is no binary for this platform or the server does not start
     */
    public static EmbeddedRedis start() throws IOException {
        Path directory = Files.createTempDirectory("flowgentic4j-redis-");
        try {
            String binary = ExecutableProvider.newJarResourceProvider(directory::toFile).get().getAbsolutePath();
            int port = freePort();
            RedisServer server = new RedisServer(port, List.of(binary, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString()), true);
            server.start();
            return new EmbeddedRedis(server, port, directory);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(directory);
            throw new IOException("embedded Redis did not start: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Settings that point a {@link RedisCache} at this server. */
    public RedisSettings settingsFor(RedisSettings base) {
        return base.withUrl(url());
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Stops the server and deletes its directory (binary included). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop embedded Redis on port " + port, e);
            } finally {
                deleteRecursively(directory);
            }
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + directory, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[127.0.0.1:" + port + (closed.get() ? ", stopped" : "") + "]";
    }
}
