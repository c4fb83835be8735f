package io.taskservice.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
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
    setup.guard(router);
    setup.finish(router);
    server = vertx.createHttpServer(setup.serverOptions());
    return server.requestHandler(router).listen(port);
  }

  /** Health and metrics requests in flight get their answers before their connections close. */
  @Override
  public Future<?> stop() {
    return setup.drain(server);
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
