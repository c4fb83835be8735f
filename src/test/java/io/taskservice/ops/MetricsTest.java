package io.taskservice.ops;

import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.metric;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class MetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private Node node;
  private Client client;

  // a new task the sweep claims counts as recovered only once it waited an hour: the tasks these
  // tests create never do, whether a wake-up or the sweep claims them
  private static final Map<String, String> BUS_ONLY = Map.of("TASKS_NEW_GRACE_MS", "3600000");

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  private void start(Vertx vertx, Map<String, String> settings) {
    node = startNode(settings);
    client = new Client(vertx, node.port());
    OpsTesting.await(node.startup());
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(node);
  }

  private String scrape() {
    HttpResponse<Buffer> response = client.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsString();
  }

  @Test
  void everyTaskSeriesExistsFromTheStart(Vertx vertx) {
    start(vertx, Map.of());
    HttpResponse<Buffer> response = client.get("/metrics");

    assertThat(response.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
    String scrape = response.bodyAsString();
    assertThat(metric(scrape, "tasks_created_total")).isZero();
    assertThat(metric(scrape, "tasks_finished_total{status=\"done\"}")).isZero();
    assertThat(metric(scrape, "tasks_finished_total{status=\"failed\"}")).isZero();
    assertThat(metric(scrape, "tasks_in_flight")).isZero();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"new_unclaimed\"}")).isZero();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"lease_expired\"}")).isZero();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"member_left\"}")).isZero();
    assertThat(metric(scrape, "tasks_worker_errors_total")).isZero();
    assertThat(metric(scrape, "tasks_pruned_total")).isZero();
    assertThat(metric(scrape, "tasks_completion_seconds_count")).isZero();
    assertThat(metric(scrape, "tasks_worker_consumers")).isEqualTo(1.0);
    assertThat(scrape).contains("# TYPE tasks_created_total counter");
    assertThat(scrape).contains("# TYPE tasks_completion_seconds histogram");
  }

  @Test
  void tasksAreCountedInFlightWhileTheWorkerHoldsThem(Vertx vertx) {
    // a delay no test waits for: the tasks stay in flight until the node stops
    Map<String, String> settings = new HashMap<>(BUS_ONLY);
    settings.put("TASKS_PROCESSING_DELAY_MS", "600000");
    settings.put("TASKS_LEASE_MS", "1200000");
    settings.put("TASKS_SHUTDOWN_GRACE_MS", "0");
    start(vertx, settings);
    client.create("ab");
    client.create("abc");

    eventually(vertx, WAIT, () -> metric(scrape(), "tasks_in_flight") == 2.0);

    String scrape = scrape();
    assertThat(metric(scrape, "tasks_created_total")).isEqualTo(2.0);
    assertThat(metric(scrape, "tasks_completion_seconds_count")).isZero();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"new_unclaimed\"}")).isZero();
  }

  @Test
  void finishedTasksAreCountedAndTimedFromCreationToTheirFinalStatus(Vertx vertx) {
    Map<String, String> settings = new HashMap<>(BUS_ONLY);
    settings.put("TASKS_PROCESSING_DELAY_MS", "800");
    start(vertx, settings);
    client.create("ab"); // even length: done
    client.create("abc"); // odd length: failed

    eventually(vertx, WAIT, () -> metric(scrape(), "tasks_completion_seconds_count") == 2.0);

    String scrape = scrape();
    assertThat(metric(scrape, "tasks_created_total")).isEqualTo(2.0);
    assertThat(metric(scrape, "tasks_finished_total{status=\"done\"}")).isEqualTo(1.0);
    assertThat(metric(scrape, "tasks_finished_total{status=\"failed\"}")).isEqualTo(1.0);
    assertThat(metric(scrape, "tasks_in_flight")).isZero();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"new_unclaimed\"}")).isZero();
    // the histogram holds exactly the times the database recorded, creation to final status:
    // each bucket counts the tasks that took at most its bound
    Map<Long, Double> buckets = completionBuckets(scrape);
    assertThat(buckets).hasSizeGreaterThan(5);
    buckets.forEach(
        (boundMs, count) ->
            assertThat(count)
                .as("tasks_completion_seconds_bucket{le=%s ms}", boundMs)
                .isEqualTo(
                    (double)
                        TestDatabase.count(
                            "SELECT count(*) FROM tasks WHERE updated_at - created_at <= "
                                + boundMs
                                + " * interval '1 millisecond'")));
    double sumMs =
        TestDatabase.count(
                "SELECT round(extract(epoch FROM sum(updated_at - created_at)) * 1000000) FROM tasks")
            / 1000.0;
    assertThat(metric(scrape, "tasks_completion_seconds_sum") * 1000)
        .isCloseTo(sumMs, within(0.01));
    assertThat(sumMs).as("both waited the delay").isGreaterThanOrEqualTo(2 * 800);
  }

  /** The finite buckets of {@code tasks_completion_seconds}: bound in ms → cumulative count. */
  private static Map<Long, Double> completionBuckets(String scrape) {
    Map<Long, Double> buckets = new TreeMap<>();
    Matcher m =
        Pattern.compile("(?m)^tasks_completion_seconds_bucket\\{le=\"([0-9.]+)\"\\} (\\S+)$")
            .matcher(scrape);
    while (m.find()) {
      buckets.put(
          Math.round(Double.parseDouble(m.group(1)) * 1000), Double.parseDouble(m.group(2)));
    }
    return buckets;
  }

  @Test
  void recoveredTasksAreCountedByReason(Vertx vertx) {
    start(
        vertx,
        Map.of(
            "TASKS_PROCESSING_DELAY_MS", "800",
            "TASKS_LEASE_MS", "2000",
            "TASKS_SWEEP_INTERVAL_MS", "100",
            "TASKS_NEW_GRACE_MS", "300"));
    // a task whose wake-up was lost (due for longer than the grace), one whose worker died
    // holding it
    TestDatabase.execute(
        "INSERT INTO tasks (title, due_at) VALUES ('lost', now() - interval '1 second')");
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, claim_token, claimed_by, lease_until)"
            + " VALUES ('held', 'processing', gen_random_uuid(), 'dead-worker',"
            + " now() - interval '1 second')");
    // and one handed back by a survivor because its holder's cluster member left
    TestDatabase.execute(
        "WITH t AS (INSERT INTO tasks (title, status, claim_token, claimed_by, lease_until)"
            + " VALUES ('left', 'processing', gen_random_uuid(), 'departed-worker', now())"
            + " RETURNING id, updated_at)"
            + " INSERT INTO task_history (task_id, at, event, status, worker, reason)"
            + " SELECT id, updated_at, 'handed_back', 'processing', 'departed-worker',"
            + " 'member_left' FROM t");

    eventually(vertx, WAIT, () -> metric(scrape(), "tasks_completion_seconds_count") == 3.0);

    String scrape = scrape();
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"new_unclaimed\"}")).isEqualTo(1.0);
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"lease_expired\"}")).isEqualTo(1.0);
    assertThat(metric(scrape, "tasks_recovered_total{reason=\"member_left\"}")).isEqualTo(1.0);
    assertThat(metric(scrape, "tasks_created_total")).isZero();
  }

  @Test
  void storedTasksPerStatusFollowTheExactCountsIncludingHandTypedSql(Vertx vertx) {
    start(vertx, Map.of("TASKS_PROCESSING_DELAY_MS", "800"));
    client.create("ab"); // done
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result)"
            + " SELECT 'imported', 'failed', 'error' FROM generate_series(1, 7)");

    eventually(
        vertx,
        WAIT,
        () -> {
          String scrape = scrape();
          return metric(scrape, "tasks_stored{status=\"done\"}") == 1.0
              && metric(scrape, "tasks_stored{status=\"failed\"}") == 7.0
              && metric(scrape, "tasks_stored{status=\"new\"}") == 0.0
              && metric(scrape, "tasks_stored{status=\"processing\"}") == 0.0;
        });
    TestDatabase.execute("DELETE FROM tasks WHERE status = 'failed'");
    eventually(vertx, WAIT, () -> metric(scrape(), "tasks_stored{status=\"failed\"}") == 0.0);
  }

  @Test
  void vertxAndJvmMetricsAreServedToo(Vertx vertx) {
    start(vertx, Map.of());
    client.get("/api/v1/tasks/");

    String scrape = scrape();

    assertThat(metric(scrape, "vertx_http_server_requests_total{code=\"200\",method=\"GET\"}"))
        .isPositive();
    assertThat(scrape)
        .contains("vertx_pool_in_use{pool_name=\"tasks\",pool_type=\"sql\"}")
        .contains("vertx_pool_queue_pending{pool_name=\"tasks\",pool_type=\"sql\"}")
        .contains("vertx_sql_processing_time_seconds")
        .contains("vertx_eventbus_handlers")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_threads_live_threads")
        .contains("process_cpu_usage");
  }

  @Test
  void bucketsSurroundTheDelayAndTheLease() {
    assertThat(TaskMetrics.buckets(3000, 30_000))
        .extracting(Duration::toMillis)
        .startsWith(3050L, 3100L, 3250L, 3500L, 4000L, 5000L, 8000L, 13_000L)
        .contains(33_000L, 63_000L, 300_000L, 900_000L)
        .isSorted();
  }
}
