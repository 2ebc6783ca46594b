package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings objects of the patterns: where values come from, validation, secrets kept out of text. */
class PatternSettingsTest {

    @Test
    void settings_come_from_the_environment_and_the_command_line_wins() {
        Map<String, String> env = Map.of(DatabaseSettings.URL_VARIABLE, "jdbc:postgresql://db.example:5432/env",
                DatabaseSettings.PASSWORD_VARIABLE, "hidden", "FLOWGENTIC4J_POOL_MAX", "20");

        DatabaseSettings fromEnv = DatabaseSettings.from(Options.of(env));
        DatabaseSettings fromArgs = DatabaseSettings.from(Options.of(env,
                "--jdbc-url=jdbc:postgresql://127.0.0.1:5432/test", "--pool-min=1", "--pool-max=5"));
        DatabaseSettings none = DatabaseSettings.from(Options.none());

        assertThat(fromEnv.jdbcUrl()).contains("jdbc:postgresql://db.example:5432/env");
        assertThat(fromEnv.maxPoolSize()).isEqualTo(20);
        assertThat(fromEnv.toString()).doesNotContain("hidden");
        assertThat(fromArgs.jdbcUrl()).contains("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(fromArgs.minIdle()).isEqualTo(1);
        assertThat(fromArgs.maxPoolSize()).isEqualTo(5);
        assertThat(none.jdbcUrl()).isEmpty();
        assertThat(none.describeTarget()).isEqualTo("embedded PostgreSQL");
        assertThatThrownBy(() -> DatabaseSettings.from(Options.of(Map.of(), "--pool-min=9", "--pool-max=3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minIdle");
    }

    @Test
    void settings_redact_the_password_in_the_url() {
        RedisSettings secret = RedisSettings.of("redis://:hunter2@127.0.0.1:6379/0");

        assertThat(secret.redactedUrl()).isEqualTo("redis://***@127.0.0.1:6379/0");
        assertThat(secret.toString()).doesNotContain("hunter2");
    }

    @Test
    void embedding_model_settings_reject_a_negative_thread_count() {
        assertThat(EmbeddingModelSettings.defaults().intraOpThreads()).isZero();
        assertThat(EmbeddingModelSettings.defaults().withIntraOpThreads(2).intraOpThreads()).isEqualTo(2);
        assertThatThrownBy(() -> EmbeddingModelSettings.defaults().withIntraOpThreads(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads");
    }

    @Test
    void http_server_settings_reject_bad_values_naming_the_field() {
        assertThat(HttpServerSettings.defaults().host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> HttpServerSettings.onPort(70000)).hasMessageContaining("port");
        assertThatThrownBy(() -> HttpServerSettings.defaults().withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> HttpServerSettings.defaults().withStopDelay(Duration.ofSeconds(-1)))
                .hasMessageContaining("stopDelay");
    }
}
