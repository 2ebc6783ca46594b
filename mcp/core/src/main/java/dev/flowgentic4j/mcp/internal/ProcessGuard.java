package dev.flowgentic4j.mcp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no server process outlives the JVM that started it, however the JVM ends.
 *
 * <p>On Linux (with {@code sh}, {@code setsid} and {@code /proc}) every stdio server runs under a
 * small {@code sh} guard in its own session and process group; every process of the tree carries
 * a random token in its environment ({@value #TOKEN_VARIABLE}), which a process that detaches
 * itself ({@code setsid} plus a double fork) keeps. When the guard receives SIGTERM (a stop, or the
 * JVM's death through {@code setpriv --pdeathsig TERM} where util-linux has it) it signals its
 * group, then every process carrying its token, and SIGKILLs what is left once the server's own
 * process exited, or after a grace period.
 * Parent-death signals follow the thread that spawned the process, so all guards are spawned by one
 * thread that lives while any guard does.
 *
 * <p>Every guard started is recorded (token, pid, start time) in a file per JVM under
 * {@link #recordDirectory()}; the first start in a JVM ends what a previous run that crashed left
 * behind (its JVM gone, its processes still there), so where no parent-death signal exists a crash
 * costs at most the time until the next run.
 */
public final class ProcessGuard {
    /** The environment variable that marks every process of one server's tree. */
    public static final String TOKEN_VARIABLE = "FLOWGENTIC4J_MCP_TREE";
    /** Set to {@code false} to run servers without the guard (not recommended). */
    public static final String DISABLE_PROPERTY = "flowgentic4j.mcp.processGuard";

    private static final Logger log = LoggerFactory.getLogger(ProcessGuard.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    // $1 host pid, $2 grace seconds, $3 token (for ps), then the command
    private static final String SCRIPT = String.join("\n",
            "host=$1; grace=$2; shift 3",
            "[ \"$PPID\" = \"$host\" ] || exit 70",
            "sweep() {",
            "  for p in $(grep -l -a -F \"" + TOKEN_VARIABLE + "=$" + TOKEN_VARIABLE + "\" /proc/[0-9]*/environ 2>/dev/null); do",
            "    p=${p#/proc/}; p=${p%/environ}",
            "    [ \"$p\" = \"$$\" ] || kill -\"$1\" \"$p\" 2>/dev/null",
            "  done",
            "}",
            "end_tree() {",
            "  trap '' TERM INT HUP",
            "  kill -TERM 0 2>/dev/null",
            "  sweep TERM",
            "  trap ':' USR1",
            "  ( sleep \"$grace\"; kill -USR1 $$ ) &",   // the server's exit, or the grace period, ends the wait
            "  wait \"$child\"",
            "  sweep KILL",
            "  kill -KILL 0",
            "}",
            "trap end_tree TERM INT HUP",
            "exec 3<&0",
            "\"$@\" 0<&3 3<&- &",
            "child=$!",
            "exec 0</dev/null 3<&- 1>/dev/null",
            "wait \"$child\"",
            "exit $?");

    private static final Object LOCK = new Object();
    private static volatile Capabilities capabilities;
    private static Spawner spawner;          // guarded by LOCK
    private static boolean cleanedUp;        // guarded by LOCK

    private ProcessGuard() {}

    /** What this machine offers the guard. */
    public record Capabilities(boolean guard, Optional<String> setpriv, String description) {}

    /** What this machine offers, looked up once. */
    public static Capabilities capabilities() {
        Capabilities known = capabilities;
        if (known == null) {
            synchronized (LOCK) {
                if (capabilities == null) {
                    capabilities = detect();
                    log.info("MCP server processes: {}", capabilities.description());
                }
                known = capabilities;
            }
        }
        return known;
    }

    private static Capabilities detect() {
        if (!"false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY, "true"))) {
            boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
            Optional<String> sh = onPath("sh");
            Optional<String> setsid = onPath("setsid");
            if (linux && sh.isPresent() && setsid.isPresent() && onPath("grep").isPresent()
                    && Files.isDirectory(Path.of("/proc/self"))) {
                Optional<String> setpriv = onPath("setpriv").filter(ProcessGuard::hasPdeathsig);
                return new Capabilities(true, setpriv, setpriv.isPresent()
                        ? "guarded (own session and process group, tree token, parent-death signal through "
                        + setpriv.get() + "); crash record in " + recordDirectory()
                        : "guarded (own session and process group, tree token) but without a parent-death signal"
                        + " (no setpriv with --pdeathsig): a JVM killed with SIGKILL leaves its servers until the"
                        + " next start ends them from the record in " + recordDirectory());
            }
        }
        return new Capabilities(false, Optional.empty(), "not guarded (needs Linux with sh, setsid, grep and /proc,"
                + " or -D" + DISABLE_PROPERTY + "=false was set): servers are ended at stop; after a crash, the"
                + " next start ends the recorded pids from " + recordDirectory());
    }

    private static boolean hasPdeathsig(String setpriv) {
        try {
            Process p = new ProcessBuilder(setpriv, "--help").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                String help = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                p.waitFor(5, TimeUnit.SECONDS);
                return help.contains("--pdeathsig");
            } finally {
                p.destroy();
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<String> onPath(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path + ":/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toString());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The per-user directory of crash records: {@code $XDG_RUNTIME_DIR/flowgentic4j/mcp} when set,
     * else {@code <java.io.tmpdir>/flowgentic4j-<user.name>/mcp}.
     */
    public static Path recordDirectory() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, "flowgentic4j", "mcp");
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "flowgentic4j-" + user, "mcp");
    }

    /** A new random token for one server's tree. */
    public static String newToken() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Starts {@code builder}'s command under the guard where the machine allows it, with
     * {@code token} in its environment; records it; ends what a crashed previous run left (once per
     * JVM). {@code grace} is how long the guard waits after SIGTERM before SIGKILL.
     */
    public static Process start(ProcessBuilder builder, String token, Duration grace) throws IOException {
        Capabilities caps = capabilities();
        cleanUpCrashedRunsOnce();
        builder.environment().put(TOKEN_VARIABLE, token);
        if (!caps.guard()) {
            Process p = builder.start();
            record(token, p);
            return p;
        }
        requireRunnable(builder);
        List<String> command = new ArrayList<>();
        caps.setpriv().ifPresent(setpriv -> command.addAll(List.of(setpriv, "--pdeathsig", "TERM", "--")));
        command.addAll(List.of(onPath("setsid").orElse("setsid"), onPath("sh").orElse("sh"), "-c", SCRIPT,
                "flowgentic4j-mcp-guard", Long.toString(ProcessHandle.current().pid()),
                String.format(Locale.ROOT, "%.3f", Math.max(0.1, grace.toMillis() / 1000.0)), token));
        command.addAll(builder.command());
        ProcessBuilder guarded = new ProcessBuilder(command);
        guarded.environment().clear();
        guarded.environment().putAll(builder.environment());
        guarded.directory(builder.directory());
        Process p = caps.setpriv().isPresent() ? spawn(guarded) : guarded.start();
        record(token, p);
        return p;
    }

    /** The guard would start and then fail to run the program: say so now, as ProcessBuilder would. */
    private static void requireRunnable(ProcessBuilder builder) throws IOException {
        String program = builder.command().get(0);
        boolean found;
        if (program.contains("/")) {
            Path path = Path.of(program);
            if (!path.isAbsolute() && builder.directory() != null) {
                path = builder.directory().toPath().resolve(path);
            }
            found = Files.isRegularFile(path) && Files.isExecutable(path);
        } else {
            String pathVariable = builder.environment().get("PATH");
            found = false;
            for (String dir : (pathVariable == null ? "/usr/bin:/bin" : pathVariable).split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    found = true;
                    break;
                }
            }
        }
        if (!found) {
            throw new IOException("Cannot run program \"" + program + "\": no such executable file");
        }
        if (builder.directory() != null && !builder.directory().isDirectory()) {
            throw new IOException("Cannot run program \"" + program + "\": no such directory " + builder.directory());
        }
    }

    /** Spawns on the one spawner thread (a parent-death signal follows the spawning thread). */
    private static Process spawn(ProcessBuilder builder) throws IOException {
        CompletableFuture<Process> started = new CompletableFuture<>();
        synchronized (LOCK) {
            if (spawner == null) {
                spawner = new Spawner();
                Thread thread = new Thread(spawner, "flowgentic4j-mcp-spawner");
                thread.setDaemon(true);
                thread.start();
            }
            spawner.live++;
            spawner.queue.add(() -> {
                try {
                    Process p = builder.start();
                    p.onExit().whenComplete((ignored, error) -> spawner0Exited());
                    started.complete(p);
                } catch (IOException | RuntimeException e) {
                    spawner0Exited();
                    started.completeExceptionally(e);
                }
            });
        }
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command().get(0), e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private static void spawner0Exited() {
        synchronized (LOCK) {
            Spawner current = spawner;
            if (current != null && --current.live == 0) {
                current.queue.add(Spawner.END);
                spawner = null; // the thread ends: no guard it spawned is alive, no signal follows
            }
        }
    }

    /** The thread that spawns guards: lives while any guard it spawned is alive. */
    private static final class Spawner implements Runnable {
        static final Runnable END = () -> { };
        final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        int live; // guarded by LOCK

        @Override
        public void run() {
            while (true) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    continue; // nothing may end this thread while guards it spawned live
                }
                if (task == END) {
                    return;
                }
                task.run();
            }
        }
    }

    // ---- the crash record

    private static Path recordFile() {
        ProcessHandle self = ProcessHandle.current();
        return recordDirectory().resolve("host-" + self.pid() + "-" + startMillis(self).orElse(0L) + ".tsv");
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli);
    }

    private static void record(String token, Process p) {
        String line = token + "\t" + p.pid() + "\t" + startMillis(p.toHandle()).orElse(0L) + "\n";
        synchronized (LOCK) {
            try {
                ensureDirectory();
                Files.writeString(recordFile(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot record MCP server pid {} in {}: {}", p.pid(), recordDirectory(), e.toString());
            }
        }
    }

    /** Forgets a tree that was ended (its line leaves this JVM's record; the file goes when empty). */
    public static void forget(String token) {
        synchronized (LOCK) {
            Path file = recordFile();
            try {
                if (!Files.exists(file)) {
                    return;
                }
                List<String> kept = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.startsWith(token + "\t")).toList();
                if (kept.isEmpty()) {
                    Files.deleteIfExists(file);
                } else {
                    Files.write(file, kept, StandardCharsets.UTF_8);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cannot update {}: {}", file, e.toString());
            }
        }
    }

    private static void ensureDirectory() throws IOException {
        Path dir = recordDirectory();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
    }

    private static void cleanUpCrashedRunsOnce() {
        synchronized (LOCK) {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
        }
        int ended = cleanUpCrashedRuns();
        if (ended > 0) {
            log.warn("ended {} MCP server process(es) that a crashed earlier run left behind (record in {})", ended,
                    recordDirectory());
        }
    }

    /**
     * Ends the processes recorded by JVMs that are gone, and deletes their records.
     *
     * @return how many processes were signalled
     */
    public static int cleanUpCrashedRuns() {
        Path dir = recordDirectory();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int ended = 0;
        Path own = recordFile();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "host-*.tsv")) {
            for (Path file : files) {
                if (file.equals(own) || hostAlive(file.getFileName().toString())) {
                    continue;
                }
                Map<String, long[]> trees = new LinkedHashMap<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] parts = line.split("\t");
                    if (parts.length == 3) {
                        try {
                            trees.put(parts[0], new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                        } catch (NumberFormatException ignored) {
                            // a torn line
                        }
                    }
                }
                for (Map.Entry<String, long[]> tree : trees.entrySet()) {
                    ended += endTree(tree.getKey(), tree.getValue()[0], tree.getValue()[1]);
                }
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read the MCP crash records in {}: {}", dir, e.toString());
        }
        return ended;
    }

    private static boolean hostAlive(String fileName) {
        String[] parts = fileName.substring("host-".length(), fileName.length() - ".tsv".length()).split("-");
        if (parts.length != 2) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[0]);
            long start = Long.parseLong(parts[1]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(p -> startMillis(p).map(s -> s == start).orElse(true)).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int endTree(String token, long rootPid, long rootStart) {
        List<ProcessHandle> victims = new ArrayList<>(carrying(token));
        ProcessHandle.of(rootPid).filter(ProcessHandle::isAlive)
                .filter(p -> startMillis(p).map(s -> s == rootStart).orElse(false))
                .filter(p -> victims.stream().noneMatch(v -> v.pid() == p.pid()))
                .ifPresent(victims::add);
        victims.forEach(ProcessHandle::destroyForcibly);
        return victims.size();
    }

    /** The live processes (of this user) whose environment carries {@code token}; empty without /proc. */
    public static List<ProcessHandle> carrying(String token) {
        byte[] needle = (TOKEN_VARIABLE + "=" + token).getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> found = new ArrayList<>();
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return found;
        }
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
            try {
                byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                if (containsEntry(environ, needle) && ProcessTree.isRunning(p)) {
                    found.add(p);
                }
            } catch (IOException | RuntimeException ignored) {
                // not ours to read, or gone
            }
        });
        return found;
    }

    private static boolean containsEntry(byte[] environ, byte[] entry) {
        outer:
        for (int i = 0; i + entry.length <= environ.length; i++) {
            if (i > 0 && environ[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < entry.length; j++) {
                if (environ[i + j] != entry[j]) {
                    continue outer;
                }
            }
            if (i + entry.length == environ.length || environ[i + entry.length] == 0) {
                return true;
            }
        }
        return false;
    }
}
