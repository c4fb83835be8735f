package io.taskservice.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskservice.drf.ApiError;
import io.taskservice.http.security.ApiPaths;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * Bounds the API requests a node works on at once ({@code TASKS_MAX_PENDING}): past the bound a
 * request is answered 503 with {@code Retry-After} at once, before its body is read, instead of
 * joining queues that only grow (group-commit batches, the pool's wait queue, the heap). The bodies
 * of the requests admitted are bounded too, to an eighth of the heap (counted at their declared
 * length, or at the body limit when they do not declare one): a thousand requests of a megabyte
 * each would not fit a small container's heap (a body takes about three times its size while it is
 * read and parsed). One instance per node, shared by its HTTP verticles. Health, metrics and
 * OPTIONS never count.
 */
final class OverloadGuard {
  static final String DETAIL = PendingWork.OVERLOADED;

  private final int max;
  private final long maxBodyBytes;
  private final long bodyLimit;
  private final AtomicInteger inProgress = new AtomicInteger();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final Counter rejected;

  /**
   * @param max requests in progress at most
   * @param bodyLimit the largest body a request may have ({@code TASKS_BODY_LIMIT_BYTES})
   */
  OverloadGuard(int max, long bodyLimit, MeterRegistry registry) {
    this.max = max;
    this.bodyLimit = bodyLimit;
    this.maxBodyBytes = Math.max(bodyLimit, Runtime.getRuntime().maxMemory() / 8);
    Gauge.builder("tasks.api.pending", inProgress, AtomicInteger::get)
        .description("API requests this node is working on (bounded by TASKS_MAX_PENDING)")
        .register(registry);
    this.rejected =
        Counter.builder("tasks.api.overloaded")
            .description("API requests answered 503 at once because TASKS_MAX_PENDING was reached")
            .register(registry);
  }

  void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.OPTIONS || !ApiPaths.isApiPath(ctx.normalizedPath())) {
      ctx.next();
      return;
    }
    long body = declaredBody(ctx);
    boolean admitted = inProgress.incrementAndGet() <= max;
    admitted &= bodyBytes.addAndGet(body) <= maxBodyBytes;
    if (!admitted) {
      inProgress.decrementAndGet();
      bodyBytes.addAndGet(-body);
      rejected.increment();
      throw ApiError.detail(503, DETAIL);
    }
    AtomicBoolean released = new AtomicBoolean();
    // units beyond the request's own one (a bulk create counts as its items)
    AtomicInteger extra = new AtomicInteger();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            inProgress.addAndGet(-1 - extra.getAndSet(0));
            bodyBytes.addAndGet(-body);
          }
        };
    IntPredicate more =
        n -> {
          if (released.get() || inProgress.addAndGet(n) > max) {
            inProgress.addAndGet(released.get() ? 0 : -n);
            rejected.increment();
            return false;
          }
          extra.addAndGet(n);
          return true;
        };
    ctx.put(PendingWork.RELEASE, release);
    ctx.put(PendingWork.MORE, more);
    // the answer ended, or the connection closed before it could
    ctx.addEndHandler(ended -> release.run());
    ctx.next();
  }

  /** The most body bytes the request may bring: its Content-Length, capped at the limit. */
  private long declaredBody(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      String chunked = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING);
      return chunked == null ? 0 : bodyLimit;
    }
    try {
      return Math.min(bodyLimit, Math.max(0, Long.parseLong(length.trim())));
    } catch (NumberFormatException e) {
      return bodyLimit;
    }
  }
}
