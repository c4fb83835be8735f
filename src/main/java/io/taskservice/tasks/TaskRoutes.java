package io.taskservice.tasks;

import io.taskservice.bus.Addresses;
import io.taskservice.changefeed.TaskHistory;
import io.taskservice.changefeed.Watchers;
import io.taskservice.config.AppConfig;
import io.taskservice.http.ApiFeature;
import io.taskservice.http.ApiOperations;
import io.taskservice.http.Responses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;

/**
 * The tasks' share of the API, one per HTTP verticle: create, list, retrieve (with long polls) and
 * history from the contract, and what DRF's view adds around them — HEAD like GET, OPTIONS with the
 * view's metadata.
 */
public final class TaskRoutes implements ApiFeature {
  static final String LIST_PATH = "/api/v1/tasks/";
  static final String DETAIL_REGEX = "^/api/v1/tasks/(?<id>[^/]+)/?$";

  private final AppConfig config;
  private final TasksApi api;

  /**
   * @param watchers the verticle's long polls (and streams), fed by the node's change feed
   * @param metrics told of every task created
   */
  public TaskRoutes(
      Vertx vertx, AppConfig config, Pool pool, Watchers watchers, ApiMetrics metrics) {
    this.config = config;
    TaskRepository tasks = new TaskRepository(pool, config.dbTimeoutMs(), config.idempotencyTtl());
    // calls waiting for a database that stopped answering get their 503 now, not at the limit
    vertx
        .eventBus()
        .<String>localConsumer(Addresses.DATABASE_DOWN, down -> tasks.failWaiting(down.body()));
    this.api =
        new TasksApi(
            tasks,
            vertx.eventBus(),
            metrics,
            new IdempotencyKeyHeader(!config.apiTokens().isEmpty()),
            new TaskHistory(pool, config.dbTimeoutMs()),
            watchers);
  }

  @Override
  public void operations(ApiOperations operations) {
    // only the create reads a body: reads skip the body handler's work (the limit still answers
    // 413 for larger bodies)
    operations.handle(
        "createTask", BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()), api::create);
    operations.handle("listTasks", api::list);
    operations.handle("retrieveTask", api::retrieve);
    operations.handle("retrieveTaskHistory", api::history);
  }

  @Override
  public void routes(Router router) {
    router.route(HttpMethod.HEAD, LIST_PATH).handler(api::list);
    router.routeWithRegex(HttpMethod.HEAD, DETAIL_REGEX).handler(api::retrieve);
    router.route(HttpMethod.OPTIONS, LIST_PATH).handler(ctx -> options(ctx, true));
    router.routeWithRegex(HttpMethod.OPTIONS, DETAIL_REGEX).handler(ctx -> options(ctx, false));
  }

  /** Long polls still waiting are answered now, before the server drains. */
  @Override
  public void stop() {
    api.stop();
  }

  /** DRF's SimpleMetadata for the task views. */
  private static void options(RoutingContext ctx, boolean list) {
    JsonObject body =
        new JsonObject()
            .put("name", list ? "Task List" : "Task Instance")
            .put("description", "")
            .put("renders", new JsonArray().add("application/json").add("text/html"))
            .put(
                "parses",
                new JsonArray()
                    .add("application/json")
                    .add("application/x-www-form-urlencoded")
                    .add("multipart/form-data"));
    if (list) {
      body.put("actions", new JsonObject().put("POST", createFields()));
    }
    Responses.json(ctx, 200, body);
  }

  private static JsonObject createFields() {
    JsonArray statuses = new JsonArray();
    for (String s : new String[] {"new", "processing", "done", "failed"}) {
      statuses.add(new JsonObject().put("value", s).put("display_name", capitalize(s)));
    }
    JsonArray results = new JsonArray();
    for (String s : new String[] {"success", "error"}) {
      results.add(new JsonObject().put("value", s).put("display_name", capitalize(s)));
    }
    return new JsonObject()
        .put("id", field("integer", false, true, "ID"))
        .put("title", field("string", true, false, "Title").put("max_length", 255))
        .put("status", field("choice", false, true, "Status").put("choices", statuses))
        .put("result", field("choice", false, true, "Result").put("choices", results))
        .put("created_at", field("datetime", false, true, "Created at"))
        .put("updated_at", field("datetime", false, true, "Updated at"));
  }

  private static JsonObject field(String type, boolean required, boolean readOnly, String label) {
    return new JsonObject()
        .put("type", type)
        .put("required", required)
        .put("read_only", readOnly)
        .put("label", label);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
