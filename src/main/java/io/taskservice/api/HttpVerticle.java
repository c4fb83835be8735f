package io.taskservice.api;

import io.taskservice.bus.Addresses;
import io.taskservice.config.AppConfig;
import io.taskservice.db.TaskHistory;
import io.taskservice.db.TaskRepository;
import io.taskservice.domain.Task;
import io.taskservice.events.EventHub;
import io.taskservice.stats.ClusterStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the task API. Its routes come from the OpenAPI contract ({@code openapi.yaml}); Swagger UI
 * shows the same contract. Several instances share the port, one per event loop.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  static final String CONTRACT = "openapi.yaml";

  private final AppConfig config;
  private final Pool pool;
  private final ApiMetrics metrics;
  private final HttpSetup setup;
  private final ClusterStats stats;
  private final EventHub hub;
  private HttpServer server;
  private Watchers watchers;

  /**
   * @param setup TLS, security controls and operator routes (health, metrics)
   * @param stats the dashboard's figures, one per node
   * @param hub the node's change feed, for event streams and long polls
   */
  public HttpVerticle(
      AppConfig config,
      Pool pool,
      ApiMetrics metrics,
      HttpSetup setup,
      ClusterStats stats,
      EventHub hub) {
    this.config = config;
    this.pool = pool;
    this.metrics = metrics;
    this.setup = setup;
    this.stats = stats;
    this.hub = hub;
  }

  /** A task's representation, as the API and the event stream write it. */
  public static Buffer json(Task task) {
    return Responses.encode(TaskJson.of(task));
  }

  @Override
  public Future<?> start() {
    TaskRepository tasks = new TaskRepository(pool, config.dbTimeoutMs(), config.idempotencyTtl());
    // calls waiting for a database that stopped answering get their 503 now, not at the limit
    vertx
        .eventBus()
        .<String>localConsumer(Addresses.DATABASE_DOWN, down -> tasks.failWaiting(down.body()));
    TaskHistory history = new TaskHistory(pool, config.dbTimeoutMs());
    watchers = new Watchers(vertx, hub);
    TasksApi api =
        new TasksApi(
            tasks,
            vertx.eventBus(),
            metrics,
            new IdempotencyKeyHeader(!config.apiTokens().isEmpty()),
            history,
            watchers);
    EventStreamApi events = new EventStreamApi(history, hub, watchers);
    Future<Buffer> contractText = vertx.fileSystem().readFile(CONTRACT);
    Future<OpenAPIContract> contract =
        contractText.compose(
            text -> OpenAPIContract.from(vertx, RouterContract.from(text.toString())));
    return contract
        .compose(
            loaded -> {
              Router router = router(loaded, contractText.result(), api, events);
              server =
                  vertx.createHttpServer(
                      setup
                          .serverOptions()
                          // long query strings get the API's answer, not a bare 414
                          .setMaxInitialLineLength(32 * 1024)
                          // no WebSockets here: keep their compression out of every response
                          .setPerMessageWebSocketCompressionSupported(false)
                          .setPerFrameWebSocketCompressionSupported(false));
              return server.requestHandler(router).listen(config.httpPort());
            })
        .onSuccess(s -> log.debug("HTTP API listening on port {}", s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    watchers.close();
    return Future.succeededFuture();
  }

  private Router router(
      OpenAPIContract contract, Buffer contractText, TasksApi api, EventStreamApi events) {
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
            .rootHandler(ApiRoutes::negotiate);
    // DRF's rules (numbers accepted as titles, lenient page sizes, form bodies, its messages) are
    // not expressible in the schema validator, and vertx-openapi 5.0.x mis-decodes some query
    // values: the contract documents every rule, TasksApi enforces them. The bearer scheme is
    // declared for clients and Swagger UI only: BearerTokens checks the tokens.
    builder.getRoutes().forEach(route -> route.setDoValidation(false).setDoSecurity(false));
    // only the create reads a body: reads skip the body handler's work (the limit still answers
    // 413 for larger bodies)
    operation(builder, "createTask")
        .addHandler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()))
        .addHandler(api::create);
    operation(builder, "listTasks").addHandler(api::list);
    operation(builder, "retrieveTask").addHandler(api::retrieve);
    operation(builder, "retrieveTaskHistory").addHandler(api::history);
    operation(builder, "streamEvents").addHandler(events::open);
    operation(builder, "getStats").addHandler(new StatsApi(stats)::read);
    Router router = builder.createRouter();
    setup.guard(router);
    ApiRoutes.mount(router, api::list, api::retrieve);
    SwaggerUi.mount(router, contractText);
    DashboardPage.shared().mount(router);
    setup.finish(router);
    return router;
  }

  private static OpenAPIRoute operation(RouterBuilder builder, String operationId) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException(CONTRACT + " has no operation " + operationId);
    }
    return route;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
