package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.TestDatabase;
import io.taskservice.config.AppConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Migrations connect with every parameter of {@code TASKS_DB_URL}, as the pool does. */
class MigrationsUrlTest {

  private static Migrations migrations(String dbUrl) {
    return new Migrations(AppConfig.load(Map.of("TASKS_DB_URL", dbUrl)));
  }

  @Test
  void theJdbcUrlKeepsEveryParameter() {
    Migrations m =
        migrations(
            "postgresql://app:pw@db.example:6432/tasks"
                + "?sslmode=require&sslrootcert=/etc/ca%20files/root.pem&connectTimeout=3");
    assertThat(m.jdbcUrl("tasks"))
        .isEqualTo(
            "jdbc:postgresql://db.example:6432/tasks"
                + "?sslmode=require&sslrootcert=/etc/ca%20files/root.pem&connectTimeout=3");
    // the connection that creates a missing database goes to another one, with the same settings
    assertThat(m.jdbcUrl("postgres"))
        .endsWith(
            "/postgres?sslmode=require&sslrootcert=/etc/ca%20files/root.pem&connectTimeout=3");
    assertThat(migrations("postgresql://app:pw@db.example:6432/tasks").jdbcUrl("tasks"))
        .isEqualTo("jdbc:postgresql://db.example:6432/tasks");
  }

  @Test
  void migrationsApplyTheUrlsTlsSettings() {
    String url = TestDatabase.url();
    assertThat(migrations(url).run()).as("migrated already").isZero();

    // TLS with a root certificate that does not exist: whether or not the server speaks TLS,
    // a client that applies these settings cannot connect
    String strictTls =
        url
            + (url.contains("?") ? "&" : "?")
            + "sslmode=verify-full&sslrootcert=/nonexistent/root.crt";
    assertThatThrownBy(() -> migrations(strictTls).run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SSL");
  }
}
