package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

  @Test
  void withoutEnvironmentEverySettingHasItsDeclaredDefault() {
    AppConfig config = AppConfig.load(Map.of());
    for (Setting<?> s : Settings.all()) {
      assertThat(text(config, s)).as(s.name()).isEqualTo(s.defaultText());
    }
    assertThat(config.httpPort()).isEqualTo(8000);
    assertThat(config.role()).isEqualTo(AppConfig.Role.ALL);
    assertThat(config.clusterMembers()).isEmpty();
  }

  @Test
  void environmentOverridesDefaults() {
    AppConfig config =
        AppConfig.load(
            Map.of(
                "TASKS_HTTP_PORT", " 8080 ",
                "TASKS_ROLE", "Worker",
                "TASKS_CLUSTER", "yes",
                "TASKS_CLUSTER_MEMBERS", "a, b:5702,,",
                "TASKS_DB_URL", "postgresql://app@db:5432/tasks"));
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.role()).isEqualTo(AppConfig.Role.WORKER);
    assertThat(config.cluster()).isTrue();
    assertThat(config.clusterMembers()).containsExactly("a", "b:5702");
  }

  @Test
  void anInvalidValueIsReportedWithItsVariable() {
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TASKS_HTTP_PORT must be an integer from 0 to 65535, got '70000'");
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_ROLE", "boss")))
        .hasMessage("TASKS_ROLE must be one of [all, http, worker], got 'boss'");
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_CLUSTER", "maybe")))
        .hasMessage("TASKS_CLUSTER must be true or false, got 'maybe'");
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_TLS_CERT", "/no/such/file")))
        .hasMessageStartingWith("TASKS_TLS_CERT must name a readable file");
  }

  @Test
  void anInvalidSecretIsNotEchoed() {
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_DB_URL", "mysql://u:hunter2@h/db")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_DB_URL must look like postgresql://")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rulesBetweenSettingsAreChecked() {
    assertThatThrownBy(
            () ->
                AppConfig.load(
                    Map.of("TASKS_PROCESSING_DELAY_MS", "5000", "TASKS_LEASE_MS", "5000")))
        .hasMessageStartingWith("TASKS_LEASE_MS must be longer than TASKS_PROCESSING_DELAY_MS");
    assertThatThrownBy(
            () -> AppConfig.load(Map.of("TASKS_CLUSTER", "true", "TASKS_CLUSTER_NAME", " ")))
        .hasMessage("TASKS_CLUSTER_NAME must not be empty when TASKS_CLUSTER is on");
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_CLUSTER", "true")))
        .hasMessageStartingWith("TASKS_CLUSTER needs TASKS_DB_URL");
  }

  @Test
  void clusterTlsFilesGoTogether(@TempDir Path dir) throws IOException {
    String pem = Files.writeString(dir.resolve("x.pem"), "x").toString();
    assertThatThrownBy(
            () ->
                AppConfig.load(Map.of("TASKS_CLUSTER_TLS_CERT", pem, "TASKS_CLUSTER_TLS_KEY", pem)))
        .hasMessage(
            "TASKS_CLUSTER_TLS_CERT, TASKS_CLUSTER_TLS_KEY and TASKS_CLUSTER_TLS_CA must be set"
                + " together");
    assertThat(AppConfig.load(Map.of()).clusterTls()).isFalse();
    AppConfig tls =
        AppConfig.load(
            Map.of(
                "TASKS_CLUSTER_TLS_CERT",
                pem,
                "TASKS_CLUSTER_TLS_KEY",
                pem,
                "TASKS_CLUSTER_TLS_CA",
                pem));
    assertThat(tls.clusterTls()).isTrue();
  }

  @Test
  void anIdleTimeoutThatDoesNotOutlastTheLongestLongPollIsWarnedAbout() {
    assertThat(AppConfig.load(Map.of()).httpIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(AppConfig.load(Map.of()).shortIdleTimeoutWarning()).isEmpty();
    assertThat(AppConfig.load(Map.of("TASKS_HTTP_IDLE_TIMEOUT", "61s")).shortIdleTimeoutWarning())
        .isEmpty();
    assertThat(AppConfig.load(Map.of("TASKS_HTTP_IDLE_TIMEOUT", "60s")).shortIdleTimeoutWarning())
        .hasValueSatisfying(w -> assertThat(w).startsWith("TASKS_HTTP_IDLE_TIMEOUT (1m)"));
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_HTTP_IDLE_TIMEOUT", "0")))
        .hasMessageStartingWith("TASKS_HTTP_IDLE_TIMEOUT must be a duration from 1s to 1d");
  }

  @Test
  void withoutADatabaseUrlTheEmbeddedOneIsUsedInTheDataDirectory() {
    AppConfig config = AppConfig.load(Map.of("TASKS_DATA_DIR", "/srv/tasks"));
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/tasks"));
    assertThat(AppConfig.load(Map.of()).dataDir()).isEqualTo(Path.of("./task-data"));
    AppConfig pointed = config.with(Map.of("TASKS_DB_URL", "postgresql://postgres@localhost:5/t"));
    assertThat(pointed.embeddedDatabase()).isFalse();
    assertThat(pointed.dbUrl()).isEqualTo("postgresql://postgres@localhost:5/t");
  }

  @Test
  void tlsCertificateAndKeyGoTogether(@TempDir Path dir) throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_TLS_CERT", cert.toString())))
        .hasMessage("TASKS_TLS_CERT and TASKS_TLS_KEY must be set together");
    AppConfig tls =
        AppConfig.load(Map.of("TASKS_TLS_CERT", cert.toString(), "TASKS_TLS_KEY", cert.toString()));
    assertThat(tls.tls()).isTrue();
  }

  @Test
  void aFileVariableWinsOverTheValue(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("db_url");
    Files.writeString(secret, "postgresql://app:s3cret@db:5432/tasks\n", StandardCharsets.UTF_8);
    AppConfig config =
        AppConfig.load(
            Map.of(
                "TASKS_DB_URL",
                "postgresql://other@elsewhere/db",
                "TASKS_DB_URL_FILE",
                secret.toString()));
    assertThat(config.dbUrl()).isEqualTo("postgresql://app:s3cret@db:5432/tasks");
  }

  @Test
  void anUnreadableFileVariableIsReportedWithItsVariable(@TempDir Path dir) {
    assertThatThrownBy(
            () -> AppConfig.load(Map.of("TASKS_API_TOKENS_FILE", dir.resolve("none").toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_API_TOKENS_FILE names a file that cannot be read");
  }

  @Test
  void toStringShowsEverySettingButNoSecret() {
    AppConfig config =
        AppConfig.load(
            Map.of(
                "TASKS_DB_URL", "postgresql://app:s3cret@db:5432/tasks?sslmode=require",
                "TASKS_API_TOKENS", "tok-one,tok-two",
                "TASKS_HTTP_PORT", "8123"));
    String shown = config.toString();
    for (Setting<?> s : Settings.all()) {
      assertThat(shown).contains(s.name() + "=");
    }
    assertThat(shown)
        .contains("TASKS_HTTP_PORT=8123")
        .contains("TASKS_DB_URL=postgresql://app:***@db:5432/tasks?sslmode=require")
        .contains("TASKS_API_TOKENS=***")
        .doesNotContain("s3cret", "tok-one", "tok-two");
    assertThat(config.redactedDbUrl())
        .isEqualTo("postgresql://app:***@db:5432/tasks?sslmode=require");
  }

  @Test
  void withKeepsEveryValueAndAppliesOverrides() {
    AppConfig config =
        AppConfig.load(
            Map.of(
                "TASKS_CLUSTER_MEMBERS", "a,b",
                "TASKS_ACCESS_LOG", "ALL",
                "TASKS_API_TOKENS", "t",
                "TASKS_HTTP_PORT", "9000"));
    assertThat(config.with(Map.of())).isEqualTo(config);
    AppConfig changed = config.with(Map.of("TASKS_HTTP_PORT", "9001"));
    assertThat(changed.httpPort()).isEqualTo(9001);
    assertThat(changed.clusterMembers()).containsExactly("a", "b");
    assertThat(changed.accessLog()).isEqualTo(AppConfig.AccessLog.ALL);
    assertThat(changed.apiTokens()).containsExactly("t");
  }

  @Test
  void logFormatFallsBackToTextWhenInvalid() {
    assertThat(AppConfig.logFormat(Map.of("TASKS_LOG_FORMAT", "JSON")))
        .isEqualTo(AppConfig.LogFormat.JSON);
    assertThat(AppConfig.logFormat(Map.of("TASKS_LOG_FORMAT", "xml")))
        .isEqualTo(AppConfig.LogFormat.TEXT);
  }

  @Test
  void durationAndOptionalSettingTypes() {
    Setting<Duration> retention =
        new Setting<>("TASKS_X_RETENTION", SettingType.duration(), "7d", false, "doc");
    assertThat(retention.read(Map.of())).isEqualTo(Duration.ofDays(7));
    assertThat(retention.read(Map.of("TASKS_X_RETENTION", "PT12H")))
        .isEqualTo(Duration.ofHours(12));
    assertThat(retention.read(Map.of("TASKS_X_RETENTION", "0"))).isZero();
    assertThatThrownBy(() -> retention.read(Map.of("TASKS_X_RETENTION", "soon")))
        .hasMessageStartingWith("TASKS_X_RETENTION must be a duration such as P7D")
        .hasMessageEndingWith("got 'soon'");

    Setting<Optional<String>> url =
        new Setting<>(
            "TASKS_X_URL", SettingType.optional(SettingType.postgresUrl()), "", true, "doc");
    assertThat(url.read(Map.of())).isEmpty();
    Optional<String> set = url.read(Map.of("TASKS_X_URL", "postgresql://u:pw@h/db"));
    assertThat(set).contains("postgresql://u:pw@h/db");
    assertThat(url.show(set)).isEqualTo("postgresql://u:***@h/db");
    assertThat(url.format(set)).isEqualTo("postgresql://u:pw@h/db");
  }

  private static <T> String text(AppConfig config, Setting<T> s) {
    return s.format(config.get(s));
  }
}
