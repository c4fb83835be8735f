package io.taskservice.app;

import io.taskservice.changefeed.ChangeFeedVerticle;
import io.taskservice.changefeed.EventHub;
import io.taskservice.changefeed.EventRoutes;
import io.taskservice.changefeed.Sequencer;
import io.taskservice.changefeed.TaskHistory;
import io.taskservice.changefeed.Watchers;
import io.taskservice.cluster.Membership;
import io.taskservice.config.AppConfig;
import io.taskservice.counts.TaskCounts;
import io.taskservice.dashboard.ClusterStats;
import io.taskservice.dashboard.DashboardRoutes;
import io.taskservice.dashboard.WorkerLoads;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.drf.JsonRenderer;
import io.taskservice.housekeeping.Chore;
import io.taskservice.housekeeping.Housekeeping;
import io.taskservice.http.ApiFeature;
import io.taskservice.http.HttpSetup;
import io.taskservice.http.HttpVerticle;
import io.taskservice.http.OpsHttpVerticle;
import io.taskservice.http.OutageGuard;
import io.taskservice.ops.Failures;
import io.taskservice.ops.Operations;
import io.taskservice.ops.Readiness;
import io.taskservice.queues.QueueRoutes;
import io.taskservice.tasks.ApiMetrics;
import io.taskservice.tasks.IdempotencyKeys;
import io.taskservice.tasks.Retention;
import io.taskservice.tasks.TaskRetention;
import io.taskservice.tasks.TaskRoutes;
import io.taskservice.worker.TaskWorkerVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which verticles a node's role runs, and what each is given: the wiring of features into the HTTP
 * side, the worker and the background work. {@link Node} decides when they start and stop.
 */
final class Roles {
  private static final Logger log = LoggerFactory.getLogger(Roles.class);

  /** Deploys and remembers the deployment, so that the node can stop it. */
  @FunctionalInterface
  interface Deployer {
    Future<String> deploy(Supplier<? extends Deployable> verticle, DeploymentOptions options);

    default Future<String> deploy(Deployable verticle) {
      return deploy(() -> verticle, new DeploymentOptions());
    }
  }

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Operations ops;
  private final Membership members;
  private final TaskCounts counts;
  // the change feed's batches, for every stream, long poll and the dashboard's figures
  private final EventHub hub = new EventHub();
  // this node in the workers table and in each claim it makes
  private final String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
  private Readiness.Condition feedKeepingUp;

  Roles(Vertx vertx, AppConfig config, Pool pool, Operations ops, Membership members) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.ops = ops;
    this.members = members;
    this.counts = new TaskCounts(pool, config.dbTimeoutMs());
  }

  /** The API: one HTTP verticle per instance, each with the features of the API. */
  Future<IntSupplier> api(Deployer deployer) {
    // readiness conditions exist before the HTTP side that reports them
    feedKeepingUp = ops.readiness().addUp(Readiness.CHANGEFEED);
    HttpSetup http = httpSetup();
    // one per node: every HTTP verticle and every viewer share its figures
    ClusterStats stats =
        new ClusterStats(
            counts::byQueue, new WorkerLoads(pool, config.dbTimeoutMs()), Clock.systemUTC());
    ops.metrics().watchers(hub.streams(), hub.longPolls(), hub.slowStreamsClosed());
    hub.listen(
        vertx.getOrCreateContext(),
        batch -> batch.events().forEach(event -> stats.changed(event.task())));
    List<HttpVerticle> verticles = new CopyOnWriteArrayList<>();
    return deployer
        .deploy(
            () -> {
              HttpVerticle verticle =
                  new HttpVerticle(config.httpPort(), http, v -> features(v, stats));
              verticles.add(verticle);
              return verticle;
            },
            new DeploymentOptions().setInstances(config.effectiveHttpInstances()))
        .<IntSupplier>map(id -> () -> verticles.get(0).port())
        .onSuccess(
            bound ->
                log.info(
                    "HTTP API on port {} ({} instances{})",
                    bound.getAsInt(),
                    config.effectiveHttpInstances(),
                    config.tls() ? ", HTTPS" : ""));
  }

  private List<ApiFeature> features(Vertx vertx, ClusterStats stats) {
    Watchers watchers = new Watchers(vertx, hub);
    return List.of(
        new TaskRoutes(
            vertx,
            config,
            pool,
            watchers,
            ApiMetrics.of(ops.metrics()::created, ops.metrics()::cancelled)),
        new EventRoutes(new TaskHistory(pool, config.dbTimeoutMs()), hub, watchers),
        new DashboardRoutes(stats),
        new QueueRoutes(vertx, config, pool, counts, ops.registry()));
  }

  /** A worker-only node's operator port: health and metrics. */
  Future<IntSupplier> operatorPort(Deployer deployer) {
    OpsHttpVerticle verticle = new OpsHttpVerticle(config.httpPort(), httpSetup());
    return deployer
        .deploy(verticle)
        .<IntSupplier>map(id -> verticle::port)
        .onSuccess(bound -> log.info("Health and metrics on port {}", bound.getAsInt()))
        // a worker still processes when its operator port is taken (several workers started
        // on one host without their own TASKS_HTTP_PORT): it says so loudly and runs unprobed
        .recover(
            failure -> {
              log.error(
                  "Health and metrics NOT served: port {} cannot be bound ({}); set"
                      + " TASKS_HTTP_PORT to a free port for this worker",
                  config.httpPort(),
                  Failures.rootMessage(failure));
              return Future.succeededFuture(() -> -1);
            });
  }

  /** TLS, security controls and operator routes for the node's HTTP servers. */
  private HttpSetup httpSetup() {
    return HttpSetup.create(
        config,
        new OutageGuard(ops.probe())::handle,
        ops::mountRoutes,
        Operations::isOperatorPath,
        ops.registry());
  }

  private static final long SEQUENCER_PAUSE_MS = 25;

  /**
   * The node's background work: every node folds the exact counts and takes its turn at sequencing
   * the change feed; API nodes expire idempotency keys; worker nodes delete expired finished tasks
   * (any number of them share the work).
   */
  Future<String> housekeeping(Deployer deployer) {
    List<Chore> chores = new ArrayList<>();
    chores.add(counts.folding(ops.metrics()::stored));
    // a change waits for a sequencer round before any node can stream it: often where streams
    // are served, as a backstop on worker nodes
    Sequencer sequencer = new Sequencer(pool, config.dbTimeoutMs());
    chores.add(sequencer.sequencing(config.role().servesApi() ? SEQUENCER_PAUSE_MS : 1000));
    chores.add(sequencer.trimming());
    if (config.role().servesApi()) {
      chores.add(new IdempotencyKeys(pool, config.dbTimeoutMs(), config.idempotencyTtl()).expiry());
    }
    if (config.role().processes() && !config.retention().isZero()) {
      chores.add(
          new Retention(
                  new TaskRetention(pool, config.dbTimeoutMs()),
                  config.retention(),
                  ops.metrics()::pruned)
              .passes());
    }
    return deployer.deploy(new Housekeeping(chores));
  }

  /** One follower of the task history per HTTP node, shared by all its watchers. */
  Future<String> changeFeed(Deployer deployer) {
    ops.metrics().changeFeed(hub::lagMillis, hub.skipped());
    return deployer.deploy(
        new ChangeFeedVerticle(
            new TaskHistory(pool, config.dbTimeoutMs()), hub, JsonRenderer::task, feedKeepingUp));
  }

  Future<String> worker(Deployer deployer) {
    return deployer
        .deploy(
            new TaskWorkerVerticle(
                nodeId, config, pool, new TitleParityPolicy(), ops.metrics(), members))
        .onSuccess(
            id ->
                log.info(
                    "Worker started: delay {} ms, lease {} ms",
                    config.processingDelayMs(),
                    config.leaseMs()));
  }
}
