package io.taskservice.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskservice.config.AppConfig;
import io.taskservice.http.security.AllowedHosts;
import io.taskservice.http.security.BearerTokens;
import io.taskservice.http.security.SecurityHeaders;
import io.taskservice.http.security.TrustedProxies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What every HTTP server of a node shares: the server's options (TLS), what runs before any route
 * (the request log, then the security controls), the operator routes (health, metrics), and one
 * failure path into the API's error format.
 *
 * @param serverOptions the options every server starts from
 * @param guards root handlers after the request log, in order; each calls {@code next()} or fails
 *     the request
 * @param operatorRoutes adds the operator routes to a router
 * @param accessLog which requests get an access log line
 * @param drainMs how long a stopping server lets the requests in flight finish before it closes
 *     their connections
 */
public record HttpSetup(
    HttpServerOptions serverOptions,
    List<Handler<RoutingContext>> guards,
    Handler<Router> operatorRoutes,
    AppConfig.AccessLog accessLog,
    long drainMs) {
  // requests that match no route (404, 405) or fail before routing skip failure handlers
  private static final int[] ERROR_STATUSES = {400, 404, 405, 406, 413, 415, 500};
  // routes are tried by order; a RouterBuilder's start at 0
  private static final int FIRST_ORDER = -1000;

  public HttpSetup {
    serverOptions = new HttpServerOptions(serverOptions);
    guards = List.copyOf(guards);
  }

  /** A copy: each server may change its own. */
  @Override
  public HttpServerOptions serverOptions() {
    return new HttpServerOptions(serverOptions);
  }

  /**
   * The set-up {@code config} asks for, one per node (its HTTP verticles share it). In order:
   * security headers on every answer, then what trusted proxies forwarded, then Host, then token,
   * then {@code outageGuard}, then the bound on work in progress (last: a request refused for any
   * reason above never takes a place).
   *
   * @param operatorPaths the paths of {@code operatorRoutes}, which any host may address
   * @param registry where the bound on work in progress reports
   */
  public static HttpSetup create(
      AppConfig config,
      Handler<RoutingContext> outageGuard,
      Handler<Router> operatorRoutes,
      Predicate<String> operatorPaths,
      MeterRegistry registry) {
    List<Handler<RoutingContext>> guards = new ArrayList<>();
    guards.add(new SecurityHeaders(config.tls())::handle);
    if (!config.trustedProxies().isEmpty()) {
      guards.add(new TrustedProxies(config.trustedProxies())::handle);
    }
    if (!config.allowedHosts().isEmpty()) {
      guards.add(new AllowedHosts(config.allowedHosts(), operatorPaths)::handle);
    }
    if (!config.apiTokens().isEmpty()) {
      guards.add(new BearerTokens(config.apiTokens())::handle);
    }
    guards.add(outageGuard);
    guards.add(new OverloadGuard(config.maxPending(), config.bodyLimitBytes(), registry)::handle);
    return new HttpSetup(
        serverOptions(config),
        guards,
        operatorRoutes,
        config.accessLog(),
        config.shutdownGraceMs());
  }

  /**
   * Plain HTTP, or HTTPS only when TASKS_TLS_CERT and TASKS_TLS_KEY name PEM files. A silent
   * connection is closed after TASKS_HTTP_IDLE_TIMEOUT, which must outlast every wait the API
   * answers (a long poll's, up to 60 s, and the event stream's heartbeat).
   */
  static HttpServerOptions serverOptions(AppConfig config) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setIdleTimeout((int) config.httpIdleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (config.tls()) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()));
    }
    return options;
  }

  /**
   * Stops {@code server} gracefully: it takes no new connection and closes the idle ones at once; a
   * connection with a request in flight is closed once its answer is out, or after {@link #drainMs}
   * in any case. Waiting requests (see {@link PendingWork#detach}) are ended or answered by their
   * features first.
   */
  Future<Void> drain(HttpServer server) {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The request log and the guards ahead of every other route of {@code router}: a request is
   * logged whatever happens to it, and rejected before its body is read.
   */
  void guard(Router router) {
    int order = FIRST_ORDER;
    router.route().order(order++).handler(RequestLog.handler(accessLog));
    for (Handler<RoutingContext> guard : guards) {
      router.route().order(order++).handler(guard);
    }
  }

  /** The operator routes, then one failure handler for failed requests and error statuses. */
  void finish(Router router) {
    operatorRoutes.handle(router);
    ApiFailureHandler failures = new ApiFailureHandler();
    router.route().failureHandler(failures);
    for (int status : ERROR_STATUSES) {
      router.errorHandler(status, failures);
    }
  }
}
