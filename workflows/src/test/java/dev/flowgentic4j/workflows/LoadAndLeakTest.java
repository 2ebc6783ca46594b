package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.Fakes.Counter;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadAndLeakTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A service that holds a listening socket on 127.0.0.1 and a thread accepting on it. */
    static final class SocketService implements AutoCloseable {
        final ServerSocket socket;
        final Thread acceptor;

        SocketService() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket ignored = socket.accept()) {
                        // accept and drop
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "socket-service-acceptor");
            acceptor.start();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }

    /** Live threads other than the backend's pooled workers (which idle for a while by design). */
    private static long otherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("flowgentic4j-"))
                .count();
    }

    private static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Listening TCP sockets of this process (other processes on the machine do not count). */
    private static long listeningSockets() throws IOException {
        Set<String> ours = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        ours.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while we listed them
                }
            }
        }
        long count = 0;
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(file);
            if (Files.exists(path)) {
                count += Files.readAllLines(path).stream().skip(1)
                        .map(line -> line.trim().split("\\s+"))
                        .filter(columns -> columns[3].equals("0A") && ours.contains(columns[9]))
                        .count();
            }
        }
        return count;
    }

    @Test
    void a_thousand_start_cancel_cycles_leave_threads_descriptors_and_ports_at_the_baseline() throws Exception {
        try (FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).build())) {
            ServiceTask<Void, SocketService> task = engine.serviceTask("sockets", ignored -> new SocketService());
            // warm up once so that lazily created JDK resources count in the baseline
            ServiceFuture<SocketService> warm = task.start(null);
            warm.join();
            warm.cancel(true);
            long threadsBefore = otherThreads();
            long fdsBefore = openFds();
            long listeningBefore = listeningSockets();

            for (int i = 0; i < 1000; i++) {
                ServiceFuture<SocketService> future = task.start(null);
                assertThat(future.join().socket.isBound()).isTrue();
                assertThat(future.cancel(true)).isTrue();
                assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
            }

            // the pool's idle workers may linger; socket and acceptor threads must be gone
            assertThat(Fakes.eventually(WAIT, () -> openFds() <= fdsBefore)).as("fds %d vs %d", openFds(), fdsBefore).isTrue();
            assertThat(listeningSockets()).isLessThanOrEqualTo(listeningBefore);
            assertThat(Fakes.eventually(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("socket-service-acceptor")))).isTrue();
            assertThat(Fakes.eventually(WAIT, () -> otherThreads() <= threadsBefore))
                    .as("threads %d vs %d", otherThreads(), threadsBefore).isTrue();
            // a leak would leave one per cycle; a few idle pool workers (30 s keep-alive) are expected
            assertThat(Fakes.ourThreads().size()).as("idle backend workers").isLessThanOrEqualTo(16);
            System.out.printf("leak check | 1000 cycles | threads %d -> %d | fds %d -> %d | listening %d -> %d%n",
                    threadsBefore, otherThreads(), fdsBefore, openFds(), listeningBefore, listeningSockets());
        }
        assertThat(Fakes.eventually(WAIT, () -> Fakes.ourThreads().isEmpty())).isTrue();
    }

    @Test
    void ten_thousand_calls_from_32_threads_lose_no_work() throws Exception {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<Counter> future = engine.serviceTask("counted", Counter::new).start("c");
            future.join();
            int threads = 32;
            int calls = 10_000;
            AtomicInteger next = new AtomicInteger();
            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < calls; n = next.getAndIncrement()) {
                        int number = n;
                        try {
                            future.call(WAIT, c -> {
                                if (number % 97 == 0) {
                                    throw new IllegalArgumentException("call " + number + " rejected");
                                }
                                return c.increment();
                            });
                            ok.incrementAndGet();
                        } catch (IllegalArgumentException e) {
                            failed.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertThat(ok.get() + failed.get()).isEqualTo(calls);
            assertThat(failed.get()).isEqualTo((calls + 96) / 97);
            assertThat(future.join().value.get()).isEqualTo(ok.get());
            assertThat(future.callCount()).isEqualTo(calls);
            assertThat(future.failedCallCount()).isEqualTo(failed.get());
        }
    }

    @Test
    void close_under_load_ends_every_call_cleanly_and_within_its_deadline() throws Exception {
        FlowEngine engine = FlowEngine.create(EngineConfig.builder().stopTimeout(Duration.ofSeconds(2)).build());
        List<ServiceFuture<Counter>> services = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ServiceFuture<Counter> f = engine.serviceTask("loaded-" + i, Counter::new).start("l" + i);
            f.join();
            services.add(f);
        }
        int threads = 64;
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong stopped = new AtomicLong();
        CountDownLatch running = new CountDownLatch(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            ServiceFuture<Counter> target = services.get(t % services.size());
            pool.submit(() -> {
                running.countDown();
                while (true) {
                    try {
                        target.call(WAIT, c -> {
                            Thread.onSpinWait();
                            return c.increment();
                        });
                        ok.incrementAndGet();
                    } catch (ServiceUnavailableException e) {
                        if (e.getMessage().contains("stopped") || e.getMessage().contains("STOPPING")
                                || e.getMessage().contains("TERMINATED")) {
                            stopped.incrementAndGet();
                        } else {
                            unexpected.add(e);
                        }
                        return;
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                        return;
                    }
                }
            });
        }
        running.await();
        long t0 = System.nanoTime();

        engine.close();

        double closeMillis = (System.nanoTime() - t0) / 1e6;
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("every calling thread ended").isTrue();
        assertThat(unexpected).isEmpty();
        assertThat(stopped.get()).isEqualTo(threads);
        assertThat(services).allSatisfy(f -> assertThat(f.state()).isEqualTo(ServiceState.TERMINATED));
        long counted = services.stream().mapToLong(ServiceFuture::callCount).sum();
        long refused = services.stream().mapToLong(ServiceFuture::refusedCallCount).sum();
        assertThat(counted).isEqualTo(ok.get() + stopped.get()); // each thread's last call was refused, and counted
        assertThat(refused).isEqualTo(stopped.get());
        assertThat(closeMillis).as("close within its deadlines").isLessThan(4 * 3000);
        System.out.printf("close under load | 64 threads | %d calls ok, %d ended with 'stopped' | close %.1f ms%n",
                ok.get(), stopped.get(), closeMillis);
    }
}
