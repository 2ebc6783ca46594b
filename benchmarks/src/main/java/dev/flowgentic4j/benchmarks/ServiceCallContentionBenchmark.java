package dev.flowgentic4j.benchmarks;

import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code join()} and {@code call()} on a RUNNING service: one thread on one service against two
 * threads, each on its own service. Calls on two services share no lock, so the second thread
 * should cost nothing beyond what the machine itself adds: the {@code direct} baseline does the same
 * work on the instances without the engine, and its 2-thread/1-thread ratio is the machine's (a busy
 * 2-core machine slows any second thread). The load average is printed before and after: compare
 * ratios within one run, not across runs.
 *
 * <p>Run forked (JMH's forked JVM needs the classpath on the command line):
 * {@code ./mvnw -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt},
 * then {@code java -cp benchmarks/target/classes:$(cat /tmp/cp.txt)
 * dev.flowgentic4j.benchmarks.ServiceCallContentionBenchmark -f 1 -wi 3 -i 5 -r 1s}. JMH options
 * pass through; in-process ({@code -f 0}) it also runs with {@code exec:java -Dexec.args="-f 0"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ServiceCallContentionBenchmark {
    private static final Duration READY = Duration.ofSeconds(5);

    /** The service: a counter used by one thread only, so the instance itself never contends. */
    public static class Counter {
        private long hits;

        long add() {
            return ++hits;
        }
    }

    /** One engine with two RUNNING services. */
    @State(Scope.Benchmark)
    public static class Engine {
        FlowEngine engine;
        final List<ServiceFuture<Counter>> services = new ArrayList<>();
        final AtomicInteger handedOut = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            engine = FlowEngine.create();
            for (int i = 0; i < 2; i++) {
                ServiceFuture<Counter> service = engine.serviceTask("counter" + i, (Void ignored) -> new Counter())
                        .start(null);
                service.join();
                services.add(service);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }
    }

    /** Each benchmark thread picks its own service. */
    @State(Scope.Thread)
    public static class Mine {
        ServiceFuture<Counter> service;
        Counter instance;

        @Setup(Level.Trial)
        public void pick(Engine engine) {
            service = engine.services.get(engine.handedOut.getAndIncrement() % engine.services.size());
            instance = service.join();
        }
    }

    /** Baseline: the same work on the instance itself, no engine; its 2-thread/1-thread ratio is the machine's. */
    @Benchmark
    @Threads(1)
    public long direct1Thread(Mine mine) {
        return mine.instance.add();
    }

    @Benchmark
    @Threads(2)
    public long direct2ThreadsOwnInstances(Mine mine) {
        return mine.instance.add();
    }

    @Benchmark
    @Threads(1)
    public Counter join1Thread(Mine mine) {
        return mine.service.join();
    }

    @Benchmark
    @Threads(2)
    public Counter join2ThreadsOwnServices(Mine mine) {
        return mine.service.join();
    }

    @Benchmark
    @Threads(1)
    public long call1Thread(Mine mine) {
        return mine.service.call(READY, Counter::add);
    }

    @Benchmark
    @Threads(2)
    public long call2ThreadsOwnServices(Mine mine) {
        return mine.service.call(READY, Counter::add);
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        printLoad("before");
        new Runner(new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(ServiceCallContentionBenchmark.class.getSimpleName()).build()).run();
        printLoad("after");
    }

    private static void printLoad(String when) {
        System.out.printf("load average %s: %.2f (%d cores)%n", when,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }
}
