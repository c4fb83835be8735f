package io.taskservice.queues;

import io.taskservice.bus.Addresses;
import io.taskservice.domain.QueueName;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.PageNumberPagination;
import io.taskservice.drf.QueryString;
import io.taskservice.drf.RequestBody;
import io.taskservice.http.Responses;
import io.taskservice.http.security.RequestOrigin;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * The queue endpoints as a DRF {@code ModelViewSet} of the reference's {@code Queue} model answers
 * them (list with {@link PageNumberPagination}, retrieve, partial update), with one deliberate
 * difference: a {@code PATCH} of a valid name that has no settings row creates it.
 */
final class QueuesApi {
  static final String NO_QUEUE = "No Queue matches the given query.";

  private final QueueRepository queues;
  private final QueueReads reads;
  private final EventBus bus;

  QueuesApi(QueueRepository queues, QueueReads reads, EventBus bus) {
    this.queues = queues;
    this.reads = reads;
    this.bus = bus;
  }

  /**
   * {@code GET /api/v1/queues/}: every queue in name order, a page at a time. The page asked for is
   * read with the count; {@code last} (known only once counted) is read again from its offset.
   */
  void list(RoutingContext ctx) {
    PageNumberPagination pagination =
        new PageNumberPagination(QueryString.parse(ctx.request().query()));
    int size = pagination.pageSize();
    long requested = pagination.requestedOffset();
    reads
        .page(size, requested)
        .compose(
            read -> {
              PageNumberPagination.Page page = pagination.page(read.total());
              Future<QueueReads.Page> rows =
                  page.offset() == requested
                      ? Future.succeededFuture(read)
                      : reads.page(size, page.offset());
              return rows.compose(r -> reads.complete(r.queues()))
                  .map(queues -> pagination.body(absolutePath(ctx), page, results(queues)));
            })
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** {@code GET /api/v1/queues/{name}/}. */
  void retrieve(RoutingContext ctx) {
    String name = name(ctx);
    reads
        .one(name)
        .onSuccess(
            queue -> {
              if (queue.isEmpty()) {
                ctx.fail(ApiError.notFound(NO_QUEUE));
              } else {
                Responses.json(ctx, 200, queue.get().toJson());
              }
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code PATCH /api/v1/queues/{name}/}: the lookup first (an invalid name is a 404 whatever the
   * body), then the body, then the change under the queue's lock; a queue that may now run more is
   * woken up on every node once the change committed.
   */
  void update(RoutingContext ctx) {
    String name = name(ctx);
    Patch patch = QueueFields.validate(RequestBody.read(ctx), isForm(ctx));
    queues
        .update(name, patch)
        .compose(
            change -> {
              if (change.after().admitsMoreThan(change.before())) {
                bus.publish(Addresses.WAKE_UP, name);
              }
              return reads.one(name);
            })
        .onSuccess(
            queue ->
                queue.ifPresentOrElse(
                    q -> Responses.json(ctx, 200, q.toJson()),
                    () -> ctx.fail(ApiError.notFound(NO_QUEUE))))
        .onFailure(ctx::fail);
  }

  /** The queue named by the path: a name no queue can have is DRF's 404 at once. */
  private static String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!QueueName.isValid(name)) {
      throw ApiError.notFound(NO_QUEUE);
    }
    return name;
  }

  /** Whether DRF reads the body as HTML form input (a {@code QueryDict}) rather than JSON. */
  private static boolean isForm(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String base = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    base = base.toLowerCase(Locale.ROOT);
    return base.equals("application/x-www-form-urlencoded") || base.equals("multipart/form-data");
  }

  private static String absolutePath(RoutingContext ctx) {
    return RequestOrigin.of(ctx) + ctx.request().path();
  }

  private static JsonArray results(List<QueueState> rows) {
    JsonArray results = new JsonArray();
    rows.forEach(q -> results.add(q.toJson()));
    return results;
  }
}
