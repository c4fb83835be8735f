package io.taskservice.queues;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskservice.config.AppConfig;
import io.taskservice.counts.TaskCounts;
import io.taskservice.drf.ApiError;
import io.taskservice.http.ApiFeature;
import io.taskservice.http.ApiOperations;
import io.taskservice.http.Responses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;

/**
 * The queues' share of the API, one per HTTP verticle: list, retrieve and partial update from the
 * contract, and what DRF's views add around them (HEAD like GET, OPTIONS with the view's metadata,
 * 405 with {@code Allow} for every other method, {@code PUT} included). It also keeps the node's
 * queue gauges fresh.
 */
public final class QueueRoutes implements ApiFeature {
  static final String LIST_REGEX = "^/api/v1/queues/?$";
  static final String DETAIL_REGEX = "^/api/v1/queues/(?<name>[^/]+)/?$";
  static final String LIST_ALLOW = "GET, HEAD, OPTIONS";
  static final String DETAIL_ALLOW = "GET, PATCH, HEAD, OPTIONS";

  private final Vertx vertx;
  private final AppConfig config;
  private final QueuesApi api;
  private final long metricsTimer;

  /**
   * @param counts the exact counts per queue and status
   * @param registry where the node's queue gauges are registered
   */
  public QueueRoutes(
      Vertx vertx, AppConfig config, Pool pool, TaskCounts counts, MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    QueueNode node = QueueNode.of(vertx, registry);
    QueueRepository queues = new QueueRepository(pool, config.dbTimeoutMs());
    QueueReads reads = new QueueReads(queues, counts, node.waiting);
    this.api = new QueuesApi(queues, reads, vertx.eventBus());
    // every verticle offers; the node reads at most once a second
    node.metrics.refreshIfDue(reads);
    this.metricsTimer =
        vertx.setPeriodic(QueueMetrics.REFRESH_MS, t -> node.metrics.refreshIfDue(reads));
  }

  @Override
  public void operations(ApiOperations operations) {
    operations.handle("listQueues", allow(LIST_ALLOW), api::list);
    operations.handle("retrieveQueue", allow(DETAIL_ALLOW), api::retrieve);
    operations.handle(
        "partialUpdateQueue",
        BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()),
        allow(DETAIL_ALLOW),
        api::update);
  }

  @Override
  public void routes(Router router) {
    router
        .routeWithRegex(HttpMethod.HEAD, LIST_REGEX)
        .handler(allow(LIST_ALLOW))
        .handler(api::list);
    router
        .routeWithRegex(HttpMethod.HEAD, DETAIL_REGEX)
        .handler(allow(DETAIL_ALLOW))
        .handler(api::retrieve);
    router
        .routeWithRegex(HttpMethod.OPTIONS, LIST_REGEX)
        .handler(allow(LIST_ALLOW))
        .handler(ctx -> Responses.json(ctx, 200, metadata("Queue List")));
    router
        .routeWithRegex(HttpMethod.OPTIONS, DETAIL_REGEX)
        .handler(allow(DETAIL_ALLOW))
        .handler(ctx -> Responses.json(ctx, 200, metadata("Queue Instance")));
    // any other method: DRF's 405 (the contract's routes took the allowed ones)
    router.routeWithRegex(LIST_REGEX).handler(ctx -> notAllowed(ctx, LIST_ALLOW));
    router.routeWithRegex(DETAIL_REGEX).handler(ctx -> notAllowed(ctx, DETAIL_ALLOW));
  }

  @Override
  public void stop() {
    vertx.cancelTimer(metricsTimer);
  }

  /** DRF sets the view's {@code Allow} on every answer, errors included. */
  private static Handler<RoutingContext> allow(String methods) {
    return ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, methods);
      ctx.next();
    };
  }

  private static void notAllowed(RoutingContext ctx, String methods) {
    ctx.fail(
        ApiError.methodNotAllowed(ctx.request().method().name())
            .withHeader(HttpHeaders.ALLOW.toString(), methods));
  }

  /**
   * DRF's {@code SimpleMetadata}: no {@code actions}, since neither view allows {@code POST} or
   * {@code PUT}.
   */
  private static JsonObject metadata(String name) {
    return new JsonObject()
        .put("name", name)
        .put("description", "")
        .put("renders", new JsonArray().add("application/json").add("text/html"))
        .put(
            "parses",
            new JsonArray()
                .add("application/json")
                .add("application/x-www-form-urlencoded")
                .add("multipart/form-data"));
  }
}
