package io.taskservice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** logback-json.xml writes one JSON object per line; TASKS_LOG_FORMAT selects it. */
class JsonLogFormatTest {
  private String savedProperty;

  @BeforeEach
  void saveProperty() {
    savedProperty = System.clearProperty(LogSetup.CONFIG_PROPERTY);
  }

  @AfterEach
  void restoreProperty() {
    if (savedProperty == null) {
      System.clearProperty(LogSetup.CONFIG_PROPERTY);
    } else {
      System.setProperty(LogSetup.CONFIG_PROPERTY, savedProperty);
    }
  }

  @Test
  void jsonFormatSelectsTheJsonConfiguration() {
    LogSetup.select(Map.of("TASKS_LOG_FORMAT", "json"));

    assertThat(System.getProperty(LogSetup.CONFIG_PROPERTY)).isEqualTo("logback-json.xml");
    assertThat(getClass().getClassLoader().getResource("logback-json.xml")).isNotNull();
  }

  @Test
  void textFormatKeepsTheDefaultConfiguration() {
    LogSetup.select(Map.of("TASKS_LOG_FORMAT", "text"));

    assertThat(System.getProperty(LogSetup.CONFIG_PROPERTY)).isNull();
  }

  @Test
  void theFormatMayComeFromAFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("format"), "JSON\n");

    LogSetup.select(Map.of("TASKS_LOG_FORMAT_FILE", file.toString()));

    assertThat(System.getProperty(LogSetup.CONFIG_PROPERTY)).isEqualTo("logback-json.xml");
  }

  @Test
  void anExplicitConfigurationFileWins() {
    System.setProperty(LogSetup.CONFIG_PROPERTY, "mine.xml");

    LogSetup.select(Map.of("TASKS_LOG_FORMAT", "json"));

    assertThat(System.getProperty(LogSetup.CONFIG_PROPERTY)).isEqualTo("mine.xml");
  }

  @Test
  void everyEventIsOneJsonObjectOnOneLine() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getClassLoader().getResource("logback-json.xml"));
    @SuppressWarnings("unchecked")
    Encoder<ILoggingEvent> encoder =
        ((OutputStreamAppender<ILoggingEvent>)
                ((AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC"))
                    .getAppender("STDOUT"))
            .getEncoder();
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    Logger log = context.getLogger("io.taskservice.access");

    MDC.put("request_id", "req-1");
    try {
      log.atInfo()
          .addKeyValue("method", "GET")
          .addKeyValue("status", 200)
          .log("GET {} 200", "/api/v1/tasks/");
      log.warn("two\nlines \"quoted\"", new IllegalStateException("boom"));
    } finally {
      MDC.remove("request_id");
    }

    List<JsonObject> lines = new ArrayList<>();
    for (ILoggingEvent event : events.list) {
      String text = new String(encoder.encode(event), StandardCharsets.UTF_8);
      assertThat(text).endsWith("\n");
      assertThat(text.strip()).doesNotContain("\n");
      lines.add(new JsonObject(text));
    }
    JsonObject access = lines.get(0);
    assertThat(access.getString("level")).isEqualTo("INFO");
    assertThat(access.getString("loggerName")).isEqualTo("io.taskservice.access");
    assertThat(access.getString("formattedMessage")).isEqualTo("GET /api/v1/tasks/ 200");
    assertThat(access.getJsonObject("mdc").getString("request_id")).isEqualTo("req-1");
    assertThat(access.getJsonArray("kvpList"))
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject().put("method", "GET"))
                .add(new JsonObject().put("status", "200")));
    assertThat(access.getLong("timestamp")).isPositive();
    JsonObject warning = lines.get(1);
    assertThat(warning.getString("formattedMessage")).isEqualTo("two\nlines \"quoted\"");
    assertThat(warning.getJsonObject("throwable").getString("message")).isEqualTo("boom");
    context.stop();
  }
}
