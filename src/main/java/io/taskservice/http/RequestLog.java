package io.taskservice.http;

import io.taskservice.config.AppConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The request id and the access log. Every request gets an {@code X-Request-Id}: the client's own
 * when it is short and plain, a new UUID otherwise. It is returned in the response, is in the MDC
 * (as {@code request_id}) of the log lines written while the request is handled, and ends the one
 * access line written when the response is done.
 *
 * <p>The MDC is per thread and Vert.x continues requests in callbacks, so code that logs from a
 * callback of a request wraps the call in {@link #inScope}.
 */
public final class RequestLog {
  public static final String HEADER = "X-Request-Id";
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  public static final String MDC_KEY = "request_id";
  private static final String KEY = "requestLog.id";
  private static final int MAX_PATH_LOGGED = 512;
  // letters, digits and the punctuation of UUIDs, trace ids and base64: nothing that could forge
  // a log line or smuggle markup
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
  private static final Logger access = LoggerFactory.getLogger("io.taskservice.access");

  private RequestLog() {}

  private static final long SLOW_MS = 1000;

  /** The first handler of every router: assigns the id, logs the request when it is done. */
  public static Handler<RoutingContext> handler(AppConfig.AccessLog mode) {
    return ctx -> handle(ctx, mode);
  }

  private static void handle(RoutingContext ctx, AppConfig.AccessLog mode) {
    String id = idFor(ctx.request().getHeader(HEADER_NAME));
    ctx.put(KEY, id);
    long start = System.nanoTime();
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set(HEADER_NAME, id));
    if (mode != AppConfig.AccessLog.OFF) {
      ctx.addEndHandler(done -> inScope(ctx, () -> logAccess(ctx, start, done, mode)));
    }
    inScope(ctx, ctx::next);
  }

  /** The id of the request, or null outside a request that went through {@link #handle}. */
  public static String id(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Runs {@code action} with the request's id in the MDC, so that its log lines carry it. */
  public static void inScope(RoutingContext ctx, Runnable action) {
    String id = id(ctx);
    String previous = MDC.get(MDC_KEY);
    if (id == null || id.equals(previous)) {
      action.run();
      return;
    }
    MDC.put(MDC_KEY, id);
    try {
      action.run();
    } finally {
      if (previous == null) {
        MDC.remove(MDC_KEY);
      } else {
        MDC.put(MDC_KEY, previous);
      }
    }
  }

  static String idFor(String sent) {
    if (sent != null && SANE_ID.matcher(sent).matches()) {
      return sent;
    }
    // random version-4 UUID from the thread's own generator: unique enough for correlating log
    // lines, and without the lock of UUID.randomUUID()'s shared SecureRandom on every request
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static void logAccess(
      RoutingContext ctx, long start, AsyncResult<Void> done, AppConfig.AccessLog mode) {
    HttpServerRequest request = ctx.request();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    int answered = ctx.response().getStatusCode();
    boolean notable = !done.succeeded() || answered >= 400 || ms >= SLOW_MS;
    if (mode == AppConfig.AccessLog.ERRORS && !notable) {
      return;
    }
    String path = request.path();
    if (path != null && path.length() > MAX_PATH_LOGGED) {
      path = path.substring(0, MAX_PATH_LOGGED) + "...";
    }
    int status = ctx.response().getStatusCode();
    String outcome = done.succeeded() ? Integer.toString(status) : "aborted";
    access
        .atInfo()
        .addKeyValue("method", request.method().name())
        .addKeyValue("path", path)
        .addKeyValue("status", done.succeeded() ? status : 0)
        .addKeyValue("duration_ms", ms)
        .log("{} {} {} {} ms", request.method().name(), path, outcome, ms);
  }
}
