package io.taskservice.api;

import io.taskservice.config.AppConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * What a node puts around the API's routes: the server's options (TLS), the handlers that run
 * before any route, after the request log (security controls), and the operator routes (health,
 * metrics).
 *
 * @param serverOptions copied by each server that uses them
 * @param guards root handlers, in order; each calls {@code next()} or fails the request
 * @param operatorRoutes adds the operator routes to a router
 * @param accessLog which requests get an access log line
 */
public record HttpSetup(
    HttpServerOptions serverOptions,
    List<Handler<RoutingContext>> guards,
    Handler<Router> operatorRoutes,
    AppConfig.AccessLog accessLog) {

  public HttpSetup {
    serverOptions = new HttpServerOptions(serverOptions);
    guards = List.copyOf(guards);
  }
}
