package io.taskservice.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Lets through at most one "Connecting to server ... failed" warning of the clustered event bus per
 * peer every ten seconds. Vert.x writes one, with a stack trace, for every message sent to a node
 * that died and that the cluster has not dropped yet (up to 10 s): on a busy {@code http} node that
 * is thousands of identical stack traces, which would crowd out every other line. The same holds
 * for the "Unhandled exception" ERROR that Vert.x 5.0.7 writes for each event-bus message still
 * queued to a peer whose connection broke (an {@code IllegalStateException: Promise already
 * completed} from its {@code VertxConnection}; found by bench/soak.sh: 31 stack traces on the
 * {@code http} node per killed worker): one per ten seconds. Installed by {@code logback.xml} and
 * {@code logback-json.xml}.
 */
public final class PeerConnectFailureFilter extends TurboFilter {
  static final String LOGGER = "io.vertx.core.eventbus.impl.clustered.ClusteredEventBus";
  static final String PREFIX = "Connecting to server ";
  static final String CONTEXT_LOGGER = "io.vertx.core.impl.ContextImpl";
  static final String UNHANDLED = "Unhandled exception";
  static final String BROKEN_PEER_KEY = "event-bus peer connection broke while flushing";
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final LongSupplier clock;
  // per message (it names the peer): when it was last let through
  private final Map<String, Long> lastPassed = new ConcurrentHashMap<>();

  public PeerConnectFailureFilter() {
    this(System::nanoTime);
  }

  PeerConnectFailureFilter(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // called for every logging call: decide on the logger's name first, it is rarely these
    if (format == null) {
      return FilterReply.NEUTRAL;
    }
    if (LOGGER.equals(logger.getName()) && format.startsWith(PREFIX)) {
      return oncePerInterval(format);
    }
    if (CONTEXT_LOGGER.equals(logger.getName())
        && format.equals(UNHANDLED)
        && isBrokenPeerFlush(t)) {
      return oncePerInterval(BROKEN_PEER_KEY);
    }
    return FilterReply.NEUTRAL;
  }

  private FilterReply oncePerInterval(String key) {
    long now = clock.getAsLong();
    lastPassed.values().removeIf(passed -> now - passed >= INTERVAL_NANOS);
    return lastPassed.putIfAbsent(key, now) == null ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  private static boolean isBrokenPeerFlush(Throwable t) {
    if (!(t instanceof IllegalStateException)
        || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().startsWith("io.vertx.core.net.impl.VertxConnection")) {
        return true;
      }
    }
    return false;
  }
}
