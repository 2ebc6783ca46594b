package dev.flowgentic4j.workflows;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP backend on 127.0.0.1 for the crash tests: each {@link Link} (a service instance)
 * opens a pool of connections to it plus one control connection, and {@link #kill} closes every
 * server-side socket of one link, as a crashed server or a dropped network would: the calls in
 * flight on it read EOF or a reset, and the link's watcher reads EOF on its control connection and
 * completes the link's {@link Link#died()} future. The backend answers {@code ping} with
 * {@code pong}, and never answers {@code hold} (a call that stays in flight until the link dies).
 */
final class LoopbackBackend implements AutoCloseable {
    private static final int MAX_LINE = 256;

    private final ServerSocket server;
    private final Map<String, List<Socket>> byLink = new ConcurrentHashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger links = new AtomicInteger();
    private volatile boolean closed;

    LoopbackBackend() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "loopback-backend-acceptor");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread handler = new Thread(() -> serve(socket), "loopback-backend-conn");
            handler.setDaemon(true);
            threads.add(handler);
            handler.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String hello = readLine(in);
            if (hello == null || !hello.startsWith("hello ")) {
                return;
            }
            String link = hello.substring(6);
            byLink.computeIfAbsent(link, k -> new CopyOnWriteArrayList<>()).add(socket);
            out.write("ok\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                if (line.equals("hold")) {
                    continue; // never answered: the call stays in flight until the link dies
                }
                out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // killed or closed
        } finally {
            threads.remove(Thread.currentThread());
        }
    }

    /** A line of at most {@link #MAX_LINE} bytes, or null at EOF. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b == -1) {
                return null;
            }
            if (b == '\n') {
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Closes every server-side socket of {@code link}: the instance's resources killed from outside. */
    void kill(Link link) throws IOException {
        List<Socket> sockets = byLink.remove(link.name);
        if (sockets == null) {
            throw new IllegalStateException("no connections from " + link.name);
        }
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0); // a reset, as a crashed peer would leave
            } catch (IOException alreadyClosed) {
                // its handler ended it already
            }
            s.close();
        }
    }

    /** Opens a link with {@code connections} pooled connections and its control connection. */
    Link open(int connections) throws IOException {
        return new Link(this, "link-" + links.incrementAndGet(), connections);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (List<Socket> sockets : byLink.values()) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Threads of this backend still alive (acceptor and connection handlers). */
    int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }

    /** One service instance: a pool of connections to the backend, and a watcher of its control connection. */
    static final class Link implements AutoCloseable {
        final String name;
        private final BlockingQueue<Socket> pool;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Socket control;
        private final CompletableFuture<String> died = new CompletableFuture<>();
        private final Thread watcher;
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger failedInside = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile boolean closed;

        private Link(LoopbackBackend backend, String name, int connections) throws IOException {
            this.name = name;
            this.pool = new ArrayBlockingQueue<>(connections);
            try {
                for (int i = 0; i < connections; i++) {
                    Socket s = connect(backend.port());
                    sockets.add(s);
                    pool.add(s);
                }
                control = connect(backend.port());
                sockets.add(control);
            } catch (IOException e) {
                close();
                throw e;
            }
            watcher = new Thread(() -> {
                try {
                    int b = control.getInputStream().read();
                    died.complete(name + ": control connection " + (b == -1 ? "closed by the backend" : "sent data"));
                } catch (IOException e) {
                    died.complete(name + ": control connection broken: " + e.getMessage());
                }
            }, "loopback-link-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }

        private Socket connect(int port) throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("hello " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            if (!"ok".equals(readLine(s.getInputStream()))) {
                s.close();
                throw new IOException("no greeting from the backend");
            }
            return s;
        }

        /** Completes (with a description) when the control connection ends: the link died, or we closed it. */
        CompletableFuture<String> died() {
            return died;
        }

        /** Sends {@code request} on a pooled connection and returns the answer. */
        String request(String request) throws IOException, InterruptedException {
            inside.incrementAndGet();
            Socket s = pool.poll(20, TimeUnit.SECONDS);
            if (s == null) {
                inside.decrementAndGet();
                throw new IllegalStateException(name + ": no free connection");
            }
            try {
                s.getOutputStream().write((request + "\n").getBytes(StandardCharsets.US_ASCII));
                String answer = readLine(s.getInputStream());
                if (answer == null) {
                    throw new EOFException(name + ": connection closed by the backend");
                }
                served.incrementAndGet();
                return answer;
            } catch (IOException e) {
                failedInside.incrementAndGet();
                throw e;
            } finally {
                pool.add(s);
                inside.decrementAndGet();
            }
        }

        String ping() throws IOException, InterruptedException {
            return request("ping");
        }

        @Override
        public void close() {
            closed = true;
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            died.complete(name + ": closed by us"); // before the count: whoever sees the close sees the signal
            closes.incrementAndGet();
        }
    }
}
