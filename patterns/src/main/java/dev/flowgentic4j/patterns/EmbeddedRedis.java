package dev.flowgentic4j.patterns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** How long {@link #close()} waits for the killed {@code redis-server} process to exit. */
    public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final RedisServer server;
    private final ProcessHandle process;
    private final int port;
    private final Path directory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRedis(RedisServer server, ProcessHandle process, int port, Path directory) {
        this.server = server;
        this.process = process;
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
            Optional<ProcessHandle> process = childRunning(binary);
            if (process.isEmpty()) {      // embedded-redis does not expose its Process: we find it by its binary
                server.stop();
                throw new IOException("cannot see the redis-server process started from " + binary);
            }
            return new EmbeddedRedis(server, process.get(), port, directory);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(directory);
            throw new IOException("embedded Redis did not start: " + e.getMessage(), e);
        }
    }

    /** The child process of this JVM running {@code binary} (unique: it lives in a directory of its own). */
    private static Optional<ProcessHandle> childRunning(String binary) {
        return ProcessHandle.current().children()
                .filter(child -> child.info().command().map(binary::equals).orElse(false))
                .findFirst();
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

    /** The {@code redis-server} process (for tests). */
    ProcessHandle process() {
        return process;
    }

    /** The server's own directory (for tests). */
    Path directory() {
        return directory;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Kills the server, waits up to {@link #EXIT_TIMEOUT} for its process to exit (so its port is
     * released when this returns), then deletes its directory (binary included). embedded-redis's
     * own forced stop does not wait. Idempotent; a process that does not exit in time is reported
     * and its directory kept.
     *
     * @throws UncheckedIOException if the process does not exit in time or the directory cannot be deleted
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();                         // destroyForcibly(), which returns at once
        } catch (IOException e) {
            process.destroyForcibly();
        }
        try {
            process.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for embedded Redis (pid "
                    + process.pid() + ", port " + port + ") to exit; " + directory + " kept", e));
        } catch (ExecutionException | TimeoutException e) {
            throw new UncheckedIOException(new IOException("embedded Redis (pid " + process.pid() + ", port " + port
                    + ") did not exit within " + EXIT_TIMEOUT + "; " + directory + " kept", e));
        }
        deleteRecursively(directory);
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
