package io.taskservice.cluster;

import io.taskservice.Await;
import io.taskservice.cluster.TaskTable.Progress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Creates tasks through a node's HTTP API, as a client of the service would. */
public final class TaskClient {
  private final Vertx vertx;
  private final WebClient client;
  private final int port;

  public TaskClient(Vertx vertx, int port) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
    this.port = port;
  }

  /** Creates {@code count} tasks whose titles have lengths of both parities; returns their ids. */
  public Future<List<Long>> create(int count) {
    List<Future<Long>> created = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String title = "task " + i + " " + "x".repeat(i % 5);
      created.add(
          client
              .post(port, "127.0.0.1", "/api/v1/tasks/")
              .sendJsonObject(new JsonObject().put("title", title))
              .map(
                  response -> {
                    if (response.statusCode() != 201) {
                      throw new IllegalStateException(
                          "create answered "
                              + response.statusCode()
                              + ": "
                              + response.bodyAsString());
                    }
                    return response.bodyAsJsonObject().getLong("id");
                  }));
    }
    return Future.all(created).map(all -> all.<Long>list());
  }

  /**
   * Creates tasks in rounds of ten until {@code table} shows {@code workers} workers holding tasks
   * at once; returns that snapshot. A new consumer reaches the sending node's view of the cluster a
   * moment after it registered, so one burst right after a worker started may all go to the workers
   * that were there before it.
   */
  public Future<Progress> createUntilHeldBy(int workers, TaskTable table) {
    return Await.until(
        vertx,
        Duration.ofSeconds(20),
        () -> create(10).compose(created -> table.progress()),
        p -> p.holders().size() == workers);
  }
}
