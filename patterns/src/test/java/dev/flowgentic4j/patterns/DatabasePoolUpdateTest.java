package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.testkit.CallLoad;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool moved to new settings under load (issue 19): 8 threads query PostgreSQL without pause
 * through the pool's {@code ServiceFuture} while {@code update(newSettings)} replaces the pool
 * three times (new application name and sizes each time) and {@code restart()} once. The server
 * itself says which pool ran each query ({@code current_setting('application_name')}) and which
 * pools still hold connections ({@code pg_stat_activity}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DatabasePoolUpdateTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int THREADS = 8;

    private DatabaseSettings base;

    @BeforeEach
    void serverSettings() {
        base = TestServers.postgres();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        TestServers.dropSchema(base);
    }

    /** The generation calls reach from {@code at} (System.nanoTime) on. */
    private record Switch(long at, int generation) {}

    /** What one query saw: the pool instance it ran on and the application name the server gave its connection. */
    private record Seen(DatabasePool pool, String serverApplicationName) {}

    @Test
    void updates_under_load_fail_no_query_and_close_each_old_pool_after_its_last_query() throws Exception {
        try (FlowEngine engine = FlowEngine.create()) {
            DatabaseSettings first = base.withApplicationName(base.applicationName() + "_v0").withPoolSize(2, 4);
            ServiceFuture<DatabasePool> db = engine.serviceTask(PatternServices.databasePool()).start(first);
            db.awaitRunning(WAIT);

            Map<String, AtomicLong> queriesByServerName = new ConcurrentHashMap<>();
            AtomicInteger closedUnderAQuery = new AtomicInteger();
            AtomicInteger wrongPool = new AtomicInteger();
            AtomicInteger oldPoolAfterSwitch = new AtomicInteger();
            AtomicReference<Switch> lastSwitch = new AtomicReference<>(new Switch(Long.MIN_VALUE, 1));
            Map<String, Integer> generationOfName = new ConcurrentHashMap<>(Map.of(first.applicationName(), 1));

            CallLoad load = CallLoad.start(THREADS, () -> {
                long began = System.nanoTime();
                Switch switched = lastSwitch.get();
                int atLeast = began > switched.at() ? switched.generation() : 1;
                Seen seen = db.call(WAIT, pool -> {
                    String name = pool.query("SELECT current_setting('application_name')", row -> row.getString(1))
                            .get(0);
                    if (pool.isClosed()) {
                        closedUnderAQuery.incrementAndGet(); // the engine closed the pool while this call was on it
                    }
                    return new Seen(pool, name);
                });
                if (!seen.serverApplicationName().equals(seen.pool().settings().applicationName())) {
                    wrongPool.incrementAndGet();
                }
                if (generationOfName.get(seen.serverApplicationName()) < atLeast) {
                    oldPoolAfterSwitch.incrementAndGet();
                }
                queriesByServerName.computeIfAbsent(seen.serverApplicationName(), n -> new AtomicLong()).incrementAndGet();
                return seen;
            });
            List<DatabasePool> replaced = new ArrayList<>();
            List<DatabaseSettings> replacedSettings = new ArrayList<>();
            try {
                for (int i = 1; i <= 4; i++) {
                    assertThat(load.awaitMore(300, WAIT)).as("queries keep returning before update %d", i).isTrue();
                    DatabasePool live = db.join();
                    DatabaseSettings next = i == 4 ? live.settings() // the last: a restart with the same settings
                            : base.withApplicationName(base.applicationName() + "_v" + i).withPoolSize(1, 4 + 2 * i);
                    generationOfName.putIfAbsent(next.applicationName(), i + 1); // before any query can see it
                    int generation = (i == 4 ? db.restart() : db.update(next)).get(60, TimeUnit.SECONDS);
                    assertThat(generation).isEqualTo(i + 1);
                    lastSwitch.set(new Switch(System.nanoTime(), generationOfName.get(next.applicationName())));
                    // queries that begin from now on must reach the new pool (or a later one)

                    DatabasePool now = db.join();
                    assertThat(now).isNotSameAs(live);
                    assertThat(now.settings()).isEqualTo(next);
                    replaced.add(live);
                    replacedSettings.add(live.settings());
                    // the old pool drains, then closes: the server lists none of its connections
                    assertThat(Probes.eventually(WAIT, live::isClosed)).as("pool %s closed", live).isTrue();
                    if (i < 4) {
                        assertThat(Probes.eventually(WAIT, () -> TestServers.serverConnections(live.settings()) == 0))
                                .as("no connection of %s left", live.settings().applicationName()).isTrue();
                    }
                    assertThat(load.awaitMore(300, WAIT)).as("queries keep returning after update %d", i).isTrue();
                    // the new pool serves them, within its new size
                    assertThat(queriesByServerName.get(next.applicationName())).isNotNull();
                    assertThat(TestServers.serverConnections(next)).isPositive().isLessThanOrEqualTo(next.maxPoolSize());
                }
            } finally {
                load.stop(WAIT);
            }

            System.out.printf("pool-update | %d queries from %d threads through 3 updates and 1 restart, failed: %d,"
                    + " queries per pool (by the server's application_name): %s%n", load.ok(), THREADS,
                    load.failures().size(), queriesByServerName);
            assertThat(load.failures()).as("no query failed").isEmpty();
            assertThat(closedUnderAQuery.get()).as("no pool closed while a query was on it").isZero();
            assertThat(wrongPool.get()).as("each query ran on the pool it was given").isZero();
            assertThat(oldPoolAfterSwitch.get()).as("no query begun after a switch reached an old pool").isZero();
            assertThat(db.generation()).isEqualTo(5);
            assertThat(db.failedCallCount()).isZero();
            assertThat(replaced).hasSize(4).allSatisfy(pool -> assertThat(pool.isClosed()).isTrue());
            assertThat(replaced).doesNotHaveDuplicates();
            assertThat(queriesByServerName.keySet()).containsExactlyInAnyOrder(first.applicationName(),
                    base.applicationName() + "_v1", base.applicationName() + "_v2", base.applicationName() + "_v3");
            assertThat(queriesByServerName.values().stream().mapToLong(AtomicLong::get).sum()).isEqualTo(load.ok());

            DatabasePool last = db.join();
            db.cancel(true);
            assertThat(db.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(last.isClosed()).isTrue();
            for (DatabaseSettings settings : replacedSettings) {
                assertThat(Probes.eventually(WAIT, () -> TestServers.serverConnections(settings) == 0)).isTrue();
            }
            assertThat(Probes.eventually(WAIT, () -> TestServers.serverConnections(last.settings()) == 0)).isTrue();
        }
    }
}
