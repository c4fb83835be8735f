package io.taskservice.ops;

import io.taskservice.api.ApiFailureHandler;
import io.taskservice.api.HttpSetup;
import io.taskservice.api.RequestLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The HTTP side of a node that serves no API (a worker): only {@code /health/*} and {@code
 * /metrics}, behind the same request log, TLS and security controls as the API.
 */
public final class OpsHttpVerticle extends VerticleBase {
  private final int port;
  private final HttpSetup setup;
  private HttpServer server;

  public OpsHttpVerticle(int port, HttpSetup setup) {
    this.port = port;
    this.setup = setup;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(RequestLog.handler(setup.accessLog()));
    setup.guards().forEach(guard -> router.route().handler(guard));
    setup.operatorRoutes().handle(router);
    ApiFailureHandler failures = new ApiFailureHandler();
    router.route().failureHandler(failures);
    for (int status : new int[] {400, 404, 405, 500}) {
      router.errorHandler(status, failures);
    }
    server =
        vertx.createHttpServer(new HttpServerOptions(setup.serverOptions()).setIdleTimeout(60));
    return server.requestHandler(router).listen(port);
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
