package io.taskservice.app;

import io.taskservice.ops.Failures;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node's deployments, in the order they were made, so that they stop in that order. */
final class Deployments implements Roles.Deployer {
  private static final Logger log = LoggerFactory.getLogger(Deployments.class);

  private final Vertx vertx;
  // in deployment order: the HTTP side first, then the worker
  private final List<String> ids = new CopyOnWriteArrayList<>();

  Deployments(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<String> deploy(Supplier<? extends Deployable> verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).onSuccess(ids::add);
  }

  /** Undeploys one after the other, in deployment order; a failure is logged and the rest go on. */
  Future<?> undeployAll() {
    Future<?> stopped = Future.succeededFuture();
    for (String id : ids) {
      stopped =
          stopped.transform(
              previous ->
                  vertx
                      .undeploy(id)
                      .onFailure(
                          e -> log.warn("Stopping {} failed: {}", id, Failures.rootMessage(e))));
    }
    return stopped;
  }
}
