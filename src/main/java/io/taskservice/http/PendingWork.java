package io.taskservice.http;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

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

  private PendingWork() {}

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
