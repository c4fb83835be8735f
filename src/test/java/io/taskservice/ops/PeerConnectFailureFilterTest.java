package io.taskservice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;

/** One event-bus connect failure per dead peer every ten seconds reaches the log, not thousands. */
class PeerConnectFailureFilterTest {

  @ParameterizedTest
  @ValueSource(strings = {"logback.xml", "logback-json.xml"})
  void repeatedConnectFailuresToOnePeerAreLoggedOncePerInterval(String configuration)
      throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getClassLoader().getResource(configuration));
    assertThat(context.getTurboFilterList())
        .as(configuration + " installs the filter")
        .hasExactlyElementsOfTypes(PeerConnectFailureFilter.class);

    // the configured instance, with a clock the test moves
    AtomicLong now = new AtomicLong();
    context.resetTurboFilterList();
    context.addTurboFilter(new PeerConnectFailureFilter(now::get));
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    Logger eventBus = context.getLogger(PeerConnectFailureFilter.LOGGER);
    Logger other = context.getLogger("io.taskservice.worker.TaskWorkerVerticle");
    ConnectException refused = new ConnectException("Connection refused");

    for (int i = 0; i < 500; i++) {
      eventBus.warn("Connecting to server dead-1 failed", refused);
      eventBus.warn("Connecting to server dead-2 failed", refused);
      other.warn("Connecting to server dead-1 failed", refused);
    }
    assertThat(events.list).hasSize(2 + 500);
    assertThat(events.list.stream().filter(e -> e.getLoggerName().equals(eventBus.getName())))
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "Connecting to server dead-1 failed", "Connecting to server dead-2 failed");

    now.addAndGet(PeerConnectFailureFilter.INTERVAL_NANOS);
    eventBus.warn("Connecting to server dead-1 failed", refused);
    eventBus.warn("Connecting to server dead-1 failed", refused);
    assertThat(events.list).hasSize(503);
    context.stop();
  }

  @Test
  void theUnhandledPromiseErrorOfABrokenPeerConnectionIsLoggedOncePerInterval() {
    LoggerContext context = new LoggerContext();
    AtomicLong now = new AtomicLong();
    context.addTurboFilter(new PeerConnectFailureFilter(now::get));
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    Logger contextImpl = context.getLogger(PeerConnectFailureFilter.CONTEXT_LOGGER);
    IllegalStateException brokenFlush = new IllegalStateException("Promise already completed");
    brokenFlush.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 104),
          new StackTraceElement(
              "io.vertx.core.net.impl.VertxConnection", "checkFlush", "VertxConnection.java", 324)
        });
    IllegalStateException other = new IllegalStateException("Promise already completed");
    other.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("io.taskservice.tasks.TasksApi", "create", "TasksApi.java", 1)
        });

    for (int i = 0; i < 31; i++) {
      contextImpl.error("Unhandled exception", brokenFlush);
    }
    contextImpl.error("Unhandled exception", other);
    contextImpl.error("Unhandled exception", new IllegalArgumentException("a bug of ours"));
    assertThat(events.list).as("one broken flush, and every other error").hasSize(3);

    now.addAndGet(PeerConnectFailureFilter.INTERVAL_NANOS);
    contextImpl.error("Unhandled exception", brokenFlush);
    assertThat(events.list).hasSize(4);
    context.stop();
  }
}
