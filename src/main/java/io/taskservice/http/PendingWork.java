package io.taskservice.http;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.function.IntPredicate;

/**
 * The node's bound on API requests in progress counts a request from its admission until its answer
 * ends. A request that goes on waiting without work for the database (a long poll, an event stream)
 * leaves the count with {@link #detach}, so that waiting clients never crowd out work. Such a
 * request may wait longer than a stopping server drains: when its connection is shut down, a stream
 * whose answer is under way is ended (its client resumes elsewhere); one that has not answered yet
 * is left to its feature, which answers it when it stops.
 */
public final class PendingWork {
  /** Where the admission keeps the request's release in its context. */
  public static final String RELEASE = "tasks.pendingWork.release";

  /** The 503's detail when the bound is reached. */
  public static final String OVERLOADED = "Too many requests in progress, try again later.";

  /** Where the admission keeps how the request may count as more than one unit of work. */
  public static final String MORE = "tasks.pendingWork.more";

  private PendingWork() {}

  /**
   * The request counts as {@code units} of pending work in all (a bulk create as its items): false,
   * and nothing counted, when that would pass the bound. True when no bound applies.
   */
  public static boolean countAs(RoutingContext ctx, int units) {
    IntPredicate more = ctx.get(MORE);
    return more == null || units <= 1 || more.test(units - 1);
  }

  /** The request no longer counts as pending work; harmless when it never did. */
  public static void detach(RoutingContext ctx) {
    Runnable release = ctx.get(RELEASE);
    if (release != null) {
      release.run();
    }
    HttpServerResponse response = ctx.response();
    HttpConnection connection = ctx.request().connection();
    if (connection != null) {
      // one request at a time on an HTTP/1.1 connection: this one is the connection's
      connection.shutdownHandler(
          v -> {
            if (response.headWritten() && !response.ended() && !response.closed()) {
              response.end();
            }
          });
    }
  }
}
