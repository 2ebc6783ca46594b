package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.RepeatedTest;

/** {@link EmbeddedRedis#close()} returns only once the process is gone, and only then deletes its directory. */
class EmbeddedRedisTest {

    @RepeatedTest(3)
    void close_waits_for_the_process_to_exit_then_deletes_its_directory() throws Exception {
        EmbeddedRedis server = EmbeddedRedis.start();
        ProcessHandle process = server.process();
        assertThat(process.isAlive()).isTrue();
        assertThat(Files.isDirectory(server.directory())).isTrue();

        server.close();

        assertThat(process.isAlive()).as("redis-server pid %d alive after close()", process.pid()).isFalse();
        assertThat(server.directory()).doesNotExist();
        server.close();                                    // idempotent
        assertThat(server.isClosed()).isTrue();
    }
}
