package io.taskservice.tasks;

import io.taskservice.changefeed.TaskHistory;
import io.taskservice.changefeed.Watchers;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.CursorPagination;
import io.taskservice.drf.Filters;
import io.taskservice.drf.PageNumberPagination;
import io.taskservice.drf.QueryString;
import io.taskservice.drf.RequestBody;
import io.taskservice.drf.TaskJson;
import io.taskservice.drf.Views;
import io.taskservice.drf.fields.TaskInput;
import io.taskservice.drf.fields.TaskListInput;
import io.taskservice.drf.python.PythonInt;
import io.taskservice.http.PendingWork;
import io.taskservice.http.Responses;
import io.taskservice.http.security.Authorization;
import io.taskservice.http.security.RequestOrigin;
import io.taskservice.http.security.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three endpoints of the reference service — create, list, retrieve — with the wire format a
 * DRF {@code ModelViewSet} with {@code PageNumberPagination} and a django-filter {@code status}
 * filter produces; a list request with a {@code cursor} parameter is answered as DRF's {@code
 * CursorPagination} would; and the reference's two cancel actions.
 */
final class TasksApi {
  static final String NOT_CANCELLABLE = "Only new or processing tasks can be cancelled.";
  private static final Logger log = LoggerFactory.getLogger(TasksApi.class);

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final TaskRepository tasks;
  private final WakeUps wakeUps;
  private final ApiMetrics metrics;
  private final IdempotencyKeyHeader keys;
  private final TaskHistory history;
  private final Watchers watchers;
  private final TaskCancels cancels;
  // bearer tokens are on: a cancel records who asked
  private final boolean tokens;
  // the long polls of this verticle still waiting
  private final Set<Poll> polls = new HashSet<>();
  // the verticle stops: a long poll whose task is read only now does not start waiting
  private boolean stopping;

  TasksApi(
      TaskRepository tasks,
      WakeUps wakeUps,
      ApiMetrics metrics,
      IdempotencyKeyHeader keys,
      TaskHistory history,
      Watchers watchers,
      TaskCancels cancels,
      boolean tokens) {
    this.tasks = tasks;
    this.cancels = cancels;
    this.tokens = tokens;
    this.wakeUps = wakeUps;
    this.metrics = metrics;
    this.keys = keys;
    this.history = history;
    this.watchers = watchers;
  }

  private static final String FILTER = "tasks.filter";

  void create(RoutingContext ctx) {
    Optional<IdempotencyKey> key = keys.read(ctx.request());
    TaskInput.Result input = TaskInput.validate(RequestBody.read(ctx));
    if (!input.isValid()) {
      throw ApiError.invalid(input.errors());
    }
    Future<TaskRepository.Created> created =
        key.isPresent()
            ? tasks.create(input.task(), key.get())
            : tasks.create(input.task()).map(task -> new TaskRepository.Created(task, false));
    created
        .onSuccess(
            c -> {
              Task task = c.task();
              if (c.replayed()) {
                ctx.response().putHeader(IdempotencyKeyHeader.REPLAYED, "true");
              } else {
                metrics.created();
              }
              // after the commit: a lost wake-up only delays the task until a sweep finds it (a
              // replay wakes its queue again while it is new: its first request may have died)
              if (task.status() == TaskStatus.NEW) {
                wakeUps.created(task);
              }
              Responses.json(ctx, 201, task);
            })
        .onFailure(ctx::fail);
  }

  /**
   * A bulk create, as DRF's {@code TaskSerializer(many=True, allow_empty=False, max_length=1000)}:
   * every item valid, or a 400 with the errors of each and nothing created; the tasks in one
   * statement, answered in input order.
   */
  void bulk(RoutingContext ctx) {
    Optional<IdempotencyKey> key = keys.read(ctx.request());
    TaskListInput.ListResult input = TaskListInput.validateList(RequestBody.read(ctx));
    if (!input.isValid()) {
      throw ApiError.invalid(input.errors());
    }
    if (!PendingWork.countAs(ctx, input.tasks().size())) {
      throw ApiError.detail(503, PendingWork.OVERLOADED);
    }
    Future<TaskRepository.CreatedAll> created =
        key.isPresent()
            ? tasks.createAll(input.tasks(), key.get())
            : tasks
                .createAll(input.tasks())
                .map(list -> new TaskRepository.CreatedAll(list, false));
    created
        .onSuccess(
            c -> {
              if (c.replayed()) {
                ctx.response().putHeader(IdempotencyKeyHeader.REPLAYED, "true");
              } else {
                c.tasks().forEach(t -> metrics.created());
              }
              JsonArray body = new JsonArray();
              for (Task task : c.tasks()) {
                if (task.status() == TaskStatus.NEW) {
                  wakeUps.created(task);
                }
                body.add(task);
              }
              Responses.json(ctx, 201, body);
            })
        .onFailure(ctx::fail);
  }

  /**
   * One task; with {@code ?wait=} or {@code Prefer: wait=}, a long poll: the answer comes when the
   * task is final or the wait runs out. The waiter is registered before the task is read, so a
   * change that commits in between still answers it.
   */
  void retrieve(RoutingContext ctx) {
    long id = detailId(ctx);
    QueryString query = QueryString.parse(ctx.request().query());
    // as DRF's get_object: the list's filters apply (a task outside them is not found)
    ctx.put(FILTER, Filters.of(query));
    Optional<LongPoll.Wait> wait = LongPoll.of(ctx.request(), query).filter(w -> w.millis() > 0);
    if (wait.isEmpty()) {
      tasks.find(id).onSuccess(task -> answer(ctx, task, null)).onFailure(ctx::fail);
      return;
    }
    long deadline = System.nanoTime() + wait.get().millis() * 1_000_000;
    String applied = wait.get().applied();
    // a long poll waits from the moment it arrives: it never counts as pending work, so that a
    // burst of them is not refused (its one read joins the others' in a batch)
    PendingWork.detach(ctx);
    Watchers.Waiter waiter = watchers.waitFor(id);
    // a client that goes away releases its waiter at once, also while its task is still read
    // (once it waits, its Poll takes this over)
    ctx.response().closeHandler(v -> waiter.cancel());
    tasks
        .find(id)
        .onFailure(
            e -> {
              waiter.cancel();
              ctx.fail(e);
            })
        .onSuccess(
            task -> {
              if (task.isEmpty()
                  || task.get().status().isFinal()
                  || stopping
                  || ctx.response().closed()) {
                waiter.cancel();
                answer(ctx, task, applied);
                return;
              }
              // waiting costs no query
              new Poll(ctx, id, waiter, applied).start(deadline);
            });
  }

  /**
   * The verticle stops: every long poll still waiting is answered now, with its task as it stands
   * (as if its wait had run out), before the server closes its connection; so is one whose first
   * read of the task is still under way.
   */
  void stop() {
    stopping = true;
    List.copyOf(polls).forEach(Poll::runOut);
  }

  /** A long poll waiting for its task: answered once, by the change, the clock or the stop. */
  private final class Poll {
    private final RoutingContext ctx;
    private final long id;
    private final Watchers.Waiter waiter;
    private final String applied;
    private long timer = -1;

    Poll(RoutingContext ctx, long id, Watchers.Waiter waiter, String applied) {
      this.ctx = ctx;
      this.id = id;
      this.waiter = waiter;
      this.applied = applied;
    }

    /** Waits until {@code deadline} ({@link System#nanoTime}) at most. */
    void start(long deadline) {
      polls.add(this);
      long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      timer = ctx.vertx().setTimer(remainingMs, t -> runOut());
      // the change may have come while the task was read: then this answers at once
      waiter.finished().onSuccess(finished -> settle(Optional.of(finished)));
      // a client that goes away releases its waiter at once
      ctx.response().closeHandler(v -> release());
    }

    /** The wait is over before the task became final: the answer is the task as it stands. */
    void runOut() {
      if (release()) {
        tasks.find(id).onSuccess(now -> answer(ctx, now, applied)).onFailure(ctx::fail);
      }
    }

    private void settle(Optional<Task> finished) {
      if (release()) {
        answer(ctx, finished, applied);
      }
    }

    /** Stops waiting; false when that had happened already. */
    private boolean release() {
      if (!polls.remove(this)) {
        return false;
      }
      waiter.cancel();
      ctx.vertx().cancelTimer(timer);
      return true;
    }
  }

  /** The task, or 304 when the client's {@code If-None-Match} still names it, or 404. */
  private static void answer(RoutingContext ctx, Optional<Task> found, String applied) {
    TaskFilter filter = ctx.get(FILTER, TaskFilter.ALL);
    Optional<Task> task = found.filter(filter::matches);
    if (task.isEmpty()) {
      ctx.fail(ApiError.notFound(ApiError.NO_TASK));
      return;
    }
    if (ctx.response().closed() || ctx.response().ended()) {
      return;
    }
    String etag = LongPoll.etag(task.get());
    ctx.response().putHeader(HttpHeaders.ETAG, etag);
    if (applied != null) {
      ctx.response().putHeader("Preference-Applied", applied);
    }
    if (LongPoll.matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    Responses.json(ctx, 200, task.get());
  }

  /** {@code GET /api/v1/tasks/{id}/history/}: what happened to the task, oldest first. */
  void history(RoutingContext ctx) {
    history
        .of(taskId(ctx))
        .onSuccess(
            entries -> {
              if (entries.isEmpty()) {
                ctx.fail(ApiError.notFound(ApiError.NO_TASK));
                return;
              }
              JsonArray body = new JsonArray();
              for (TaskHistory.Entry e : entries.get()) {
                body.add(
                    new JsonObject()
                        .put("at", TaskJson.timestamp(e.at()))
                        .put("event", e.event())
                        .put("status", e.status())
                        .put("result", e.result())
                        .put("queue", e.queue())
                        .put("priority", e.priority())
                        .put("worker", e.worker())
                        .put("reason", e.reason())
                        .put("by", e.by()));
              }
              Responses.json(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /api/v1/tasks/{id}/cancel/}: cancels a new or processing task and answers it; a
   * final one is a 409. The task is looked up as DRF's {@code get_object} does, through the list's
   * filters. No body is read. The worker holding a processing task hears of it after the commit.
   */
  void cancel(RoutingContext ctx) {
    TaskFilter filter = Filters.of(QueryString.parse(ctx.request().query()));
    long id = taskId(ctx);
    cancels
        .cancel(id, filter, by(ctx.request()))
        .onSuccess(
            outcome -> {
              if (!outcome.found()) {
                ctx.fail(ApiError.notFound(ApiError.NO_TASK));
                return;
              }
              if (outcome.cancelled().isEmpty()) {
                // the view's own answer, not an error of the request: no Retry-After
                Responses.json(ctx, 409, new JsonObject().put("detail", NOT_CANCELLABLE));
                return;
              }
              metrics.cancelled(1);
              if (outcome.was() == TaskStatus.PROCESSING) {
                wakeUps.cancelled(id);
              }
              log.info("Task {} cancelled (was {})", id, outcome.was().wire());
              Responses.json(ctx, 200, outcome.cancelled().get());
            })
        .onFailure(ctx::fail);
  }

  /**
   * {@code POST /api/v1/tasks/cancel/}: cancels every task waiting now ({@code new}, scheduled ones
   * included; of one queue with {@code ?queue=}), in batches that each commit on their own and lock
   * nothing for long; tasks created after the request started are left alone. Answers how many it
   * cancelled. No body is read.
   */
  void cancelAll(RoutingContext ctx) {
    Optional<String> queue = Filters.queue(QueryString.parse(ctx.request().query()));
    String by = by(ctx.request());
    cancels
        .maxId()
        .compose(maxId -> cancelBatches(ctx, 0, maxId, queue, by, 0))
        .onSuccess(
            cancelled -> {
              log.info(
                  "{} waiting tasks cancelled{}",
                  cancelled,
                  queue.map(q -> " in queue " + q).orElse(""));
              Responses.json(ctx, 200, new JsonObject().put("cancelled", cancelled));
            })
        .onFailure(ctx::fail);
  }

  private Future<Long> cancelBatches(
      RoutingContext ctx, long after, long maxId, Optional<String> queue, String by, long done) {
    return cancels
        .cancelBatch(after, maxId, queue, by)
        .compose(
            batch -> {
              metrics.cancelled(batch.cancelled());
              long total = done + batch.cancelled();
              if (batch.locked() < TaskCancels.BATCH) {
                return Future.succeededFuture(total);
              }
              // the next batch in a later turn of the event loop: the verticle's other requests
              // are served in between
              Promise<Long> rest = Promise.promise();
              ctx.vertx()
                  .runOnContext(
                      v ->
                          cancelBatches(ctx, batch.last(), maxId, queue, by, total)
                              .onComplete(rest));
              return rest.future();
            });
  }

  /**
   * Who asks, as the history records it: the first 8 hex digits of the SHA-256 of the bearer token
   * (already checked by the token guard), or null when tokens are off.
   */
  private String by(HttpServerRequest request) {
    if (!tokens) {
      return null;
    }
    return Authorization.bearerToken(request).map(t -> Sha256.hex(t).substring(0, 8)).orElse(null);
  }

  /**
   * The id of a detail path, whose last segment may carry a format suffix ({@code 17.json}), as
   * DRF's router reads it.
   */
  private static long detailId(RoutingContext ctx) {
    return taskId(Views.lookup(ctx.pathParam("id")));
  }

  private static long taskId(RoutingContext ctx) {
    return taskId(ctx.pathParam("id"));
  }

  /** DRF: a lookup that is not an integer is a plain 404, a missing task names the model. */
  private static long taskId(String lookup) {
    Optional<BigInteger> number = PythonInt.parse(lookup);
    if (number.isEmpty()) {
      throw ApiError.notFound(ApiError.NOT_FOUND);
    }
    if (number.get().bitLength() >= 64) {
      throw ApiError.notFound(ApiError.NO_TASK);
    }
    return number.get().longValue();
  }

  void list(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    QueryString query = QueryString.parse(request.query());
    TaskFilter filter = Filters.of(query);
    PageNumberPagination pagination = new PageNumberPagination(query);
    Optional<String> cursor = query.last("cursor");
    if (cursor.isPresent()) {
      cursorList(ctx, query, filter, pagination.pageSize(), CursorPagination.decode(cursor.get()));
      return;
    }
    tasks
        .count(filter)
        .compose(
            count -> {
              PageNumberPagination.Page page = pagination.page(count);
              return tasks
                  .page(filter, page.offset(), pagination.pageSize())
                  .map(rows -> pagination.body(absolutePath(ctx), page, results(rows)));
            })
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /**
   * The list as DRF's {@code CursorPagination} (ordering {@code -id}) answers it: no count, and the
   * rows after the cursor's position read from an index range, however deep the page.
   */
  private void cursorList(
      RoutingContext ctx,
      QueryString query,
      TaskFilter filter,
      int pageSize,
      CursorPagination.Cursor cursor) {
    // DRF filters id < position (id > position when reversed); a position that is no integer
    // makes Django fail with a 500: it is an invalid cursor here
    Optional<BigInteger> position =
        cursor.position() == null
            ? Optional.empty()
            : Optional.of(
                PythonInt.parse(cursor.position()).orElseThrow(CursorPagination::invalid));
    Future<List<Task>> rows;
    if (cursor.reverse()) {
      BigInteger min = position.map(p -> p.add(BigInteger.ONE)).orElse(LONG_MIN);
      rows =
          min.compareTo(LONG_MAX) > 0
              ? Future.succeededFuture(List.of())
              : tasks.oldestFrom(
                  filter, min.max(LONG_MIN).longValue(), cursor.offset(), pageSize + 1);
    } else {
      BigInteger max = position.map(p -> p.subtract(BigInteger.ONE)).orElse(LONG_MAX);
      rows =
          max.compareTo(LONG_MIN) < 0
              ? Future.succeededFuture(List.of())
              : tasks.newestUpTo(
                  filter, max.min(LONG_MAX).longValue(), cursor.offset(), pageSize + 1);
    }
    rows.map(
            fetched ->
                cursorBody(
                    ctx,
                    query,
                    new CursorPagination<>(cursor, pageSize, fetched, t -> Long.toString(t.id()))))
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private static JsonObject cursorBody(
      RoutingContext ctx, QueryString query, CursorPagination<Task> page) {
    String base = absolutePath(ctx);
    JsonArray results = new JsonArray();
    page.page().forEach(t -> results.add(t));
    return new JsonObject()
        .put("next", page.next().map(c -> cursorLink(base, query, c)).orElse(null))
        .put("previous", page.previous().map(c -> cursorLink(base, query, c)).orElse(null))
        .put("results", results);
  }

  private static String cursorLink(String base, QueryString query, CursorPagination.Cursor c) {
    return link(base, query.with("cursor", CursorPagination.encode(c)));
  }

  private static JsonArray results(List<Task> rows) {
    JsonArray results = new JsonArray();
    rows.forEach(t -> results.add(t));
    return results;
  }

  /**
   * DRF's {@code build_absolute_uri}: the scheme and the {@code Host} the request came with (or
   * what a trusted proxy forwarded), then the path.
   */
  private static String absolutePath(RoutingContext ctx) {
    return RequestOrigin.of(ctx) + ctx.request().path();
  }

  private static String link(String base, String query) {
    return query.isEmpty() ? base : base + "?" + query;
  }
}
