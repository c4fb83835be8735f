package io.taskservice.http;

import io.taskservice.drf.BrowsableApi;
import io.taskservice.drf.Views;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the API. Its one router is built from the OpenAPI contract ({@code openapi.yaml}); the
 * features add their handlers to it ({@link ApiFeature}); Swagger UI shows the same contract, and
 * the browsable API's page loads its stylesheet and script from here. Several instances share the
 * port, one per event loop.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  static final String CONTRACT = "openapi.yaml";

  private final int port;
  private final HttpSetup setup;
  private final Function<Vertx, List<ApiFeature>> features;
  private List<ApiFeature> mounted = List.of();
  private HttpServer server;

  /**
   * @param setup TLS, security controls and operator routes (health, metrics)
   * @param features the features of the API, made for each verticle on its context
   */
  public HttpVerticle(int port, HttpSetup setup, Function<Vertx, List<ApiFeature>> features) {
    this.port = port;
    this.setup = setup;
    this.features = features;
  }

  @Override
  public Future<?> start() {
    mounted = features.apply(vertx);
    Future<Buffer> contractText = vertx.fileSystem().readFile(CONTRACT);
    Future<OpenAPIContract> contract =
        contractText.compose(
            text -> OpenAPIContract.from(vertx, RouterContract.from(text.toString())));
    return contract
        .compose(
            loaded -> {
              Router router = router(loaded, contractText.result());
              server =
                  vertx.createHttpServer(
                      setup
                          .serverOptions()
                          // long query strings get the API's answer, not a bare 414
                          .setMaxInitialLineLength(32 * 1024)
                          // no WebSockets here: keep their compression out of every response
                          .setPerMessageWebSocketCompressionSupported(false)
                          .setPerFrameWebSocketCompressionSupported(false));
              return server.requestHandler(router).listen(port);
            })
        .onSuccess(s -> log.debug("HTTP API listening on port {}", s.actualPort()));
  }

  /**
   * The features release their waiting requests first (a long poll is answered as its task stands,
   * an event stream ends: its client resumes on another node), then the server drains: the requests
   * in flight get their answers before their connections close.
   */
  @Override
  public Future<?> stop() {
    mounted.forEach(ApiFeature::stop);
    return setup.drain(server);
  }

  private Router router(OpenAPIContract contract, Buffer contractText) {
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
            .rootHandler(Views::negotiate);
    // DRF's rules (numbers accepted as titles, lenient page sizes, form bodies, its messages) are
    // not expressible in the schema validator, and vertx-openapi 5.0.x mis-decodes some query
    // values: the contract documents every rule, the features enforce them. The bearer scheme is
    // declared for clients and Swagger UI only: the token guard checks the tokens.
    builder.getRoutes().forEach(route -> route.setDoValidation(false).setDoSecurity(false));
    ApiOperations operations = new ApiOperations(builder);
    mounted.forEach(feature -> feature.operations(operations));
    Router router = builder.createRouter();
    setup.guard(router);
    mounted.forEach(feature -> feature.routes(router));
    SwaggerUi.mount(router, contractText);
    BrowsableApi.mount(router);
    setup.finish(router);
    return router;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
