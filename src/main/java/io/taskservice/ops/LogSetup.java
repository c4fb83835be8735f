package io.taskservice.ops;

import io.taskservice.config.AppConfig;
import java.util.Map;

/**
 * Chooses the logging configuration before the first logger is created: {@code logback.xml} (one
 * text line per event) or, with {@code TASKS_LOG_FORMAT=json}, {@code logback-json.xml} (one JSON
 * object per line, by logback's own JsonEncoder). An explicit {@code -Dlogback.configurationFile}
 * wins. Logs nothing itself: logging is not set up yet.
 */
public final class LogSetup {
  static final String CONFIG_PROPERTY = "logback.configurationFile";
  static final String JSON_CONFIG = "logback-json.xml";

  private LogSetup() {}

  public static void select(Map<String, String> env) {
    if (System.getProperty(CONFIG_PROPERTY) == null
        && AppConfig.logFormat(env) == AppConfig.LogFormat.JSON) {
      System.setProperty(CONFIG_PROPERTY, JSON_CONFIG);
    }
    // Hazelcast logs through java.util.logging unless told otherwise: keep its lines in our format
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
  }
}
