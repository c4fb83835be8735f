package io.taskservice.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Collects every log event of the JVM while open, with a logback ListAppender on the root logger.
 * Optionally lowers the levels of chosen loggers to DEBUG so that nothing escapes.
 */
public final class LogCapture implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final PatternLayout layout = new PatternLayout();
  private final Map<String, Level> levels;

  /**
   * @param debugLoggers loggers (by name) to set to DEBUG while capturing
   */
  public LogCapture(String... debugLoggers) {
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
    layout.setContext(context);
    // everything an event carries: logger, MDC, key-values, message, the whole stack trace
    layout.setPattern("%level %logger %mdc %kvp %msg %ex{full}");
    layout.start();
    levels =
        java.util.Arrays.stream(debugLoggers)
            .collect(
                Collectors.toMap(
                    name -> name,
                    name -> {
                      Level level = context.getLogger(name).getLevel();
                      return level == null ? Level.OFF : level;
                    }));
    levels.keySet().forEach(name -> context.getLogger(name).setLevel(Level.DEBUG));
  }

  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** Each event rendered with all it carries, one string per event. */
  public List<String> lines() {
    return events().stream().map(layout::doLayout).toList();
  }

  public List<ILoggingEvent> withRequestId(String requestId) {
    return events().stream()
        .filter(e -> requestId.equals(e.getMDCPropertyMap().get("request_id")))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    levels.forEach(
        (name, level) -> context.getLogger(name).setLevel(level == Level.OFF ? null : level));
  }
}
