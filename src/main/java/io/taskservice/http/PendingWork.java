package io.taskservice.http;

import io.vertx.ext.web.RoutingContext;

/**
 * The node's bound on API requests in progress counts a request from its admission until its answer
 * ends. A request that goes on waiting without work for the database (a long poll, an event stream)
 * leaves the count with {@link #detach}, so that waiting clients never crowd out work.
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
  }
}
