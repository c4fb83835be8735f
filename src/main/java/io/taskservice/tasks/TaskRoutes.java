package io.taskservice.tasks;

import io.taskservice.bus.Addresses;
import io.taskservice.changefeed.TaskHistory;
import io.taskservice.changefeed.Watchers;
import io.taskservice.config.AppConfig;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.QueryString;
import io.taskservice.drf.Views;
import io.taskservice.drf.Views.Kind;
import io.taskservice.http.ApiFeature;
import io.taskservice.http.ApiOperations;
import io.taskservice.http.Responses;
import io.taskservice.http.security.RequestOrigin;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The tasks' share of the API, one per HTTP verticle: create, list, retrieve (with long polls),
 * history and the API root from the contract, and what DRF's router and views add around them —
 * format suffixes ({@code /api/v1/tasks.json}), HEAD like GET, OPTIONS with the view's metadata.
 */
public final class TaskRoutes implements ApiFeature {
  static final String LIST_PATH = "/api/v1/tasks/";
  static final String LIST_REGEX = "^/api/v1/tasks(?:\\.[a-z0-9]+)?/?$";
  static final String LIST_SUFFIX_REGEX = "^/api/v1/tasks\\.[a-z0-9]+/?$";
  static final String DETAIL_REGEX = "^/api/v1/tasks/(?<id>[^/]+)/?$";
  static final String ROOT_REGEX = "^/api/v1(?:/|/\\.[a-z0-9]+/?)?$";
  static final String ROOT_SUFFIX_REGEX = "^/api/v1/\\.[a-z0-9]+/?$";
  // the reference's actions: cancel (detail) and cancel_waiting (list), POST only
  static final String CANCEL_REGEX = "^/api/v1/tasks/[^/]+/cancel/?$";
  static final String CANCEL_ALL_REGEX = "^/api/v1/tasks/cancel/?$";
  static final String BULK_REGEX = "^/api/v1/tasks/bulk/?$";
  // DRF routes each action with a format suffix too (and then fails with a 500 on POST: the
  // actions take no format argument); here the action answers as it does without the suffix. A
  // known format only: content negotiation answers 404 for another, whatever the method.
  static final String BULK_FORMAT_REGEX = "^/api/v1/tasks/bulk\\.(?:json|api)/?$";
  static final String CANCEL_FORMAT_REGEX = "^/api/v1/tasks/(?<id>[^/.]+)/cancel\\.(?:json|api)/?$";
  static final String CANCEL_ALL_FORMAT_REGEX = "^/api/v1/tasks/cancel\\.(?:json|api)/?$";
  // ahead of the contract's routes (from 0), behind the guards: GET /api/v1/tasks/cancel/ would
  // otherwise be a retrieve of the task "cancel"
  private static final int ACTION_ORDER = -1;

  static final long BULK_BODY_LIMIT = 16L * 1024 * 1024;

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
            new WakeUps(vertx, 2 * config.sweepIntervalMs()),
            metrics,
            new IdempotencyKeyHeader(!config.apiTokens().isEmpty()),
            new TaskHistory(pool, config.dbTimeoutMs()),
            watchers,
            new TaskCancels(pool, config.dbTimeoutMs()),
            !config.apiTokens().isEmpty());
  }

  @Override
  public void operations(ApiOperations operations) {
    // only the create reads a body: reads skip the body handler's work (the limit still answers
    // 413 for larger bodies)
    operations.handle("createTask", bodyHandler(), api::create);
    operations.handle("bulkCreateTasks", bulkBodyHandler(), api::bulk);
    operations.handle("listTasks", api::list);
    operations.handle("retrieveTask", api::retrieve);
    operations.handle("retrieveTaskHistory", api::history);
    // the cancels never read a body
    operations.handle("cancelTask", api::cancel);
    operations.handle("cancelWaitingTasks", api::cancelAll);
    operations.handle("getApiRoot", TaskRoutes::root);
  }

  @Override
  public void routes(Router router) {
    // as DRF's actions, POST and OPTIONS only (anything else is a 405 naming the method), OPTIONS
    // with the action's metadata. Every request passes these routes, and Vert.x matches a route's
    // path before its method: one pattern for all actions, not one route per action and method.
    String anyAction =
        ACTIONS.stream()
            .flatMap(a -> Stream.of(a.plain(), a.suffixed()))
            .map(p -> "(?:" + p.pattern().replace("(?<id>", "(?:") + ")")
            .collect(Collectors.joining("|"));
    router.routeWithRegex(anyAction).order(ACTION_ORDER).handler(TaskRoutes::postOnly);
    router
        .routeWithRegex(HttpMethod.OPTIONS, anyAction)
        .order(ACTION_ORDER)
        .handler(ctx -> options(ctx, actionAt(ctx.request().path())));
    // the contract routes each action's POST; with a format suffix it answers as without one
    suffixedPost(router, CANCEL_ALL_FORMAT_REGEX, api::cancelAll);
    suffixedPost(router, CANCEL_FORMAT_REGEX, api::cancel);
    suffixedPost(router, BULK_FORMAT_REGEX, bulkBodyHandler(), api::bulk);
    // format suffixes as DRF's DefaultRouter adds them (a detail's is read by its handler)
    router.routeWithRegex(HttpMethod.GET, LIST_SUFFIX_REGEX).handler(api::list);
    router
        .routeWithRegex(HttpMethod.POST, LIST_SUFFIX_REGEX)
        .handler(bodyHandler())
        .handler(api::create);
    router.routeWithRegex(HttpMethod.GET, ROOT_SUFFIX_REGEX).handler(TaskRoutes::root);
    // what DRF's views add to every GET: HEAD, and OPTIONS with the view's metadata
    router.routeWithRegex(HttpMethod.HEAD, LIST_REGEX).handler(api::list);
    router.routeWithRegex(HttpMethod.HEAD, DETAIL_REGEX).handler(api::retrieve);
    router.routeWithRegex(HttpMethod.HEAD, ROOT_REGEX).handler(TaskRoutes::root);
    router.routeWithRegex(HttpMethod.OPTIONS, LIST_REGEX).handler(ctx -> options(ctx, Kind.LIST));
    router
        .routeWithRegex(HttpMethod.OPTIONS, DETAIL_REGEX)
        .handler(ctx -> options(ctx, Kind.DETAIL));
    router.routeWithRegex(HttpMethod.OPTIONS, ROOT_REGEX).handler(ctx -> options(ctx, Kind.ROOT));
  }

  /** An action's paths, without and with a format suffix. */
  private record ActionPaths(Kind kind, Pattern plain, Pattern suffixed) {
    ActionPaths(Kind kind, String plain, String suffixed) {
      this(kind, Pattern.compile(plain), Pattern.compile(suffixed));
    }

    boolean matches(String path) {
      return plain.matcher(path).matches() || suffixed.matcher(path).matches();
    }
  }

  // in the order the paths are told apart: "cancel" is the list's action, not a task's id
  private static final List<ActionPaths> ACTIONS =
      List.of(
          new ActionPaths(Kind.CANCEL_WAITING, CANCEL_ALL_REGEX, CANCEL_ALL_FORMAT_REGEX),
          new ActionPaths(Kind.CANCEL, CANCEL_REGEX, CANCEL_FORMAT_REGEX),
          new ActionPaths(Kind.BULK, BULK_REGEX, BULK_FORMAT_REGEX));

  private static Kind actionAt(String path) {
    return ACTIONS.stream()
        .filter(a -> a.matches(path))
        .findFirst()
        .map(ActionPaths::kind)
        .orElseThrow();
  }

  /**
   * An action's POST with a format suffix, at {@code formatRegex}: runs {@code post}. These run
   * before content negotiation: an unknown format gets its 404 there.
   */
  @SafeVarargs
  private static void suffixedPost(
      Router router, String formatRegex, Handler<RoutingContext>... post) {
    Route suffix = router.routeWithRegex(HttpMethod.POST, formatRegex).order(ACTION_ORDER);
    for (Handler<RoutingContext> handler : post) {
      suffix.handler(handler);
    }
  }

  private Handler<RoutingContext> bodyHandler() {
    return BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes());
  }

  /** A bulk create's body may hold 1,000 tasks: a limit of its own. */
  private static Handler<RoutingContext> bulkBodyHandler() {
    return BodyHandler.create(false).setBodyLimit(BULK_BODY_LIMIT);
  }

  /**
   * DRF's {@code DefaultRouter} root view: a link to each registered view set, with the format
   * suffix of the request (when it has one) and its {@code format} parameter, as DRF's {@code
   * reverse} keeps it.
   */
  private static void root(RoutingContext ctx) {
    Views.View view = Views.match(ctx.request().path());
    String format = view == null ? null : view.format();
    String list = format == null ? LIST_PATH : "/api/v1/tasks." + format;
    Optional<String> formatParameter = QueryString.parse(ctx.request().query()).last("format");
    if (formatParameter.isPresent()) {
      list += "?" + QueryString.parse(null).with("format", formatParameter.get());
    }
    Responses.json(ctx, 200, new JsonObject().put("tasks", RequestOrigin.of(ctx) + list));
  }

  /** Long polls still waiting are answered now, before the server drains. */
  @Override
  public void stop() {
    api.stop();
  }

  private static void postOnly(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method == HttpMethod.POST || method == HttpMethod.OPTIONS) {
      ctx.next();
    } else {
      ctx.fail(ApiError.methodNotAllowed(method.name()));
    }
  }

  /** DRF's SimpleMetadata for the API's views. */
  private static void options(RoutingContext ctx, Kind view) {
    JsonObject body =
        new JsonObject()
            .put("name", view.title())
            .put(
                "description",
                view == Kind.ROOT ? "The default basic root view for DefaultRouter" : "")
            .put("renders", new JsonArray().add("application/json").add("text/html"))
            .put(
                "parses",
                new JsonArray()
                    .add("application/json")
                    .add("application/x-www-form-urlencoded")
                    .add("multipart/form-data"));
    if (view == Kind.LIST
        || view == Kind.CANCEL
        || view == Kind.CANCEL_WAITING
        || view == Kind.BULK) {
      body.put("actions", new JsonObject().put("POST", createFields()));
    }
    Responses.json(ctx, 200, body);
  }

  /**
   * The serializer's fields as DRF's {@code SimpleMetadata} describes them: a read-only field gets
   * no {@code choices}, and the reference's {@code result} is a plain string field.
   */
  private static JsonObject createFields() {
    return new JsonObject()
        .put("id", field("integer", false, true, "ID"))
        .put("title", field("string", true, false, "Title").put("max_length", 255))
        .put("status", field("choice", false, true, "Status"))
        .put("result", field("string", false, true, "Result"))
        .put("queue", field("string", false, false, "Queue").put("max_length", 64))
        .put(
            "priority",
            field("integer", false, false, "Priority").put("min_value", 0).put("max_value", 9))
        .put("run_after", field("datetime", false, false, "Run after"))
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
}
