package io.taskservice.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The operations of the contract, by {@code operationId}, for features to handle. */
public final class ApiOperations {
  private final RouterBuilder builder;

  ApiOperations(RouterBuilder builder) {
    this.builder = builder;
  }

  /**
   * Adds {@code handlers} to the operation, in order.
   *
   * @throws IllegalStateException when the contract has no such operation
   */
  @SafeVarargs
  public final void handle(String operationId, Handler<RoutingContext>... handlers) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException(HttpVerticle.CONTRACT + " has no operation " + operationId);
    }
    for (Handler<RoutingContext> handler : handlers) {
      route.addHandler(handler);
    }
  }
}
