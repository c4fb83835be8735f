package io.taskservice.queues;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.bus.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue endpoints over HTTP, against states typed in SQL. The node serves the API only (no
 * worker), so that tasks stay where the tests put them; consumers are {@code workers} rows.
 */
class QueuesApiTest {
  private static final String QUEUES = "/api/v1/queues/";

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  @BeforeEach
  void emptySettingsAndConsumers() {
    TestDatabase.execute("DELETE FROM queues");
    TestDatabase.execute("DELETE FROM workers WHERE node_id LIKE 'test-%'");
  }

  private static HttpResponse<Buffer> get(String uri) {
    return service.api().get(uri);
  }

  private static HttpResponse<Buffer> patch(String name, String contentType, String body) {
    return service
        .api()
        .send(
            HttpMethod.PATCH,
            QUEUES + name + "/",
            Map.of("Content-Type", contentType),
            Buffer.buffer(body));
  }

  private static HttpResponse<Buffer> patchJson(String name, String body) {
    return patch(name, "application/json", body);
  }

  private static JsonObject ok(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    return r.bodyAsJsonObject();
  }

  private static void assertAnswer(HttpResponse<Buffer> r, int status, String json) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(json));
  }

  private static void settings(String name, boolean paused, Integer maxRunning) {
    TestDatabase.execute(
        "INSERT INTO queues (name, paused, max_running) VALUES ('"
            + name
            + "', "
            + paused
            + ", "
            + maxRunning
            + ")");
  }

  private static void worker(String id, String queues, String heartbeatAgo) {
    TestDatabase.execute(
        "INSERT INTO workers (node_id, role, queues, heartbeat) VALUES ('test-"
            + id
            + "', 'worker', '"
            + queues
            + "', now() - interval '"
            + heartbeatAgo
            + "')");
  }

  private static JsonObject counts(
      long news, long processing, long done, long failed, long cancelled, long scheduled) {
    return new JsonObject()
        .put("new", news)
        .put("processing", processing)
        .put("done", done)
        .put("failed", failed)
        .put("cancelled", cancelled)
        .put("scheduled", scheduled)
        .put("stalled", 0L);
  }

  @Nested
  class List_ {
    @Test
    void pagesAsDrfPageNumberPaginationInNameOrder() {
      settings("reports", false, null);
      settings("7", false, 3);
      settings("a.b", true, null);

      JsonObject first = ok(get(QUEUES + "?page_size=2"));
      String base = "http://localhost:" + service.node().port() + QUEUES;
      assertThat(first.fieldNames()).containsExactly("count", "next", "previous", "results");
      assertThat(first.getLong("count")).isEqualTo(3);
      assertThat(first.getString("next")).isEqualTo(base + "?page=2&page_size=2");
      assertThat(first.getValue("previous")).isNull();
      assertThat(names(first)).containsExactly("7", "a.b");
      assertThat(first.getJsonArray("results").getJsonObject(0))
          .isEqualTo(
              new JsonObject()
                  .put("name", "7")
                  .put("paused", false)
                  .put("max_running", 3)
                  .put("counts", counts(0, 0, 0, 0, 0, 0))
                  .put("backlog", 0)
                  .putNull("oldest_new_age_seconds")
                  .put("consumers", 0));

      JsonObject second = ok(get(QUEUES + "?page_size=2&page=2"));
      assertThat(second.getValue("next")).isNull();
      assertThat(second.getString("previous")).isEqualTo(base + "?page_size=2");
      assertThat(names(second)).containsExactly("reports");
      assertThat(ok(get(QUEUES + "?page=last&page_size=2")).getJsonArray("results").size())
          .isEqualTo(1);

      HttpResponse<Buffer> list = get(QUEUES);
      assertThat(list.getHeader("Allow")).isEqualTo("GET, HEAD, OPTIONS");
      assertThat(names(ok(list))).containsExactly("7", "a.b", "reports");
      assertAnswer(get(QUEUES + "?page=3&page_size=2"), 404, "{\"detail\": \"Invalid page.\"}");
      assertAnswer(get(QUEUES + "?page=x"), 404, "{\"detail\": \"Invalid page.\"}");
    }

    @Test
    void pagesMergeSettingsRowsWithQueuesKnownOnlyByTasksOrConsumers() {
      settings("a", false, null);
      TestDatabase.execute("INSERT INTO tasks (title, queue) VALUES ('t', 'b')");
      settings("c", true, null);
      worker("w", "{\"d\": 5}", "1 second");
      settings("e", false, 2);
      TestDatabase.execute("INSERT INTO tasks (title, queue) VALUES ('t', 'e')");

      assertThat(names(ok(get(QUEUES + "?page_size=2")))).containsExactly("a", "b");
      JsonObject second = ok(get(QUEUES + "?page_size=2&page=2"));
      assertThat(second.getLong("count")).isEqualTo(5);
      assertThat(names(second)).containsExactly("c", "d");
      assertThat(second.getJsonArray("results").getJsonObject(0).getBoolean("paused")).isTrue();
      assertThat(second.getJsonArray("results").getJsonObject(1).getLong("consumers")).isEqualTo(1);
      JsonObject last = ok(get(QUEUES + "?page_size=2&page=last"));
      assertThat(names(last)).containsExactly("e");
      assertThat(last.getJsonArray("results").getJsonObject(0).getInteger("max_running"))
          .isEqualTo(2);
      assertThat(
              last.getJsonArray("results").getJsonObject(0).getJsonObject("counts").getLong("new"))
          .isEqualTo(1);
      assertAnswer(get(QUEUES + "?page_size=2&page=4"), 404, "{\"detail\": \"Invalid page.\"}");
      assertAnswer(
          get(QUEUES + "?page=99999999999999999999"), 404, "{\"detail\": \"Invalid page.\"}");
    }

    @Test
    void aQueueExistsWhileATaskASettingsRowOrALiveConsumerNamesIt() {
      TestDatabase.execute("INSERT INTO tasks (title, queue) VALUES ('t', 'with-task')");
      settings("with-row", false, null);
      worker("a", "{\"named-live\": 5, \"*\": 10}", "1 second");
      worker("b", "{\"named-stale\": 5}", "11 seconds");
      // a queue whose tasks all went away no longer exists
      TestDatabase.execute("INSERT INTO tasks (title, queue) VALUES ('t', 'emptied')");
      TestDatabase.execute("DELETE FROM tasks WHERE queue = 'emptied'");

      assertThat(names(ok(get(QUEUES)))).containsExactly("named-live", "with-row", "with-task");
      assertThat(ok(get(QUEUES + "named-live/")).getLong("consumers")).isEqualTo(1);
      assertThat(ok(get(QUEUES + "with-task/")).getJsonObject("counts").getLong("new"))
          .isEqualTo(1);
      assertAnswer(
          get(QUEUES + "named-stale/"), 404, "{\"detail\": \"" + QueuesApi.NO_QUEUE + "\"}");
      assertAnswer(get(QUEUES + "emptied/"), 404, "{\"detail\": \"" + QueuesApi.NO_QUEUE + "\"}");
    }

    @Test
    void aThousandNamedQueuesAndAHundredKnownByTasksPageTogether() {
      TestDatabase.execute(
          "INSERT INTO queues (name) SELECT 'q' || lpad(i::text, 4, '0')"
              + " FROM generate_series(1, 1000) AS i");
      // 100 of them hold tasks (every tenth), 3 new and 1 processing each, and 100 more queues
      // exist only through their tasks
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, status, due_at)"
              + " SELECT 't', q, s, now() - interval '1 minute'"
              + " FROM (SELECT 'q' || lpad((i * 10)::text, 4, '0') AS q FROM generate_series(1, 100) i"
              + "  UNION ALL SELECT 'z' || lpad(i::text, 3, '0') FROM generate_series(1, 100) i) AS qs,"
              + " (VALUES ('new'), ('new'), ('new'), ('processing')) AS st(s)");

      JsonObject page = ok(get(QUEUES + "?page_size=100&page=1"));
      assertThat(page.getLong("count")).isEqualTo(1100);
      JsonArray results = page.getJsonArray("results");
      assertThat(results.size()).isEqualTo(100);
      assertThat(results.getJsonObject(0).getString("name")).isEqualTo("q0001");
      JsonObject tenth = results.getJsonObject(9);
      assertThat(tenth.getString("name")).isEqualTo("q0010");
      assertThat(tenth.getJsonObject("counts")).isEqualTo(counts(3, 1, 0, 0, 0, 0));
      assertThat(tenth.getLong("backlog")).isEqualTo(4);
      assertThat(tenth.getDouble("oldest_new_age_seconds")).isBetween(59.0, 120.0);
      assertThat(results.getJsonObject(8).getValue("oldest_new_age_seconds")).isNull();

      JsonObject last = ok(get(QUEUES + "?page_size=100&page=last"));
      assertThat(names(last)).startsWith("z001").endsWith("z100").hasSize(100);
      assertThat(last.getJsonArray("results").getJsonObject(99).getJsonObject("counts"))
          .isEqualTo(counts(3, 1, 0, 0, 0, 0));
    }
  }

  @Nested
  class Retrieve {
    @Test
    void namesWithDotsAndNumberLikeNamesMatch() {
      settings("reports.eu", true, 5);
      settings("7", false, null);
      settings("1.5", false, null);

      HttpResponse<Buffer> r = get(QUEUES + "reports.eu/");
      assertThat(r.getHeader("Allow")).isEqualTo("GET, PATCH, HEAD, OPTIONS");
      JsonObject queue = ok(r);
      assertThat(queue.fieldNames())
          .containsExactly(
              "name",
              "paused",
              "max_running",
              "counts",
              "backlog",
              "oldest_new_age_seconds",
              "consumers");
      assertThat(queue.getString("name")).isEqualTo("reports.eu");
      assertThat(queue.getBoolean("paused")).isTrue();
      assertThat(queue.getInteger("max_running")).isEqualTo(5);
      assertThat(queue.getJsonObject("counts").fieldNames())
          .containsExactly(
              "new", "processing", "done", "failed", "cancelled", "scheduled", "stalled");
      assertThat(ok(get(QUEUES + "7/")).getString("name")).isEqualTo("7");
      assertThat(ok(get(QUEUES + "1.5")).getString("name")).isEqualTo("1.5");
    }

    @Test
    void anUnknownOrInvalidNameIsDrfs404() {
      String body = "{\"detail\": \"No Queue matches the given query.\"}";
      assertAnswer(get(QUEUES + "nope/"), 404, body);
      assertAnswer(get(QUEUES + "NOPE/"), 404, body);
      assertAnswer(get(QUEUES + "-x/"), 404, body);
      assertAnswer(get(QUEUES + "a".repeat(65) + "/"), 404, body);
      assertThat(get(QUEUES + "nope/").getHeader("Allow")).isEqualTo("GET, PATCH, HEAD, OPTIONS");
    }

    private static JsonObject withoutScheduled(JsonObject counts) {
      JsonObject copy = counts.copy();
      copy.remove("scheduled");
      return copy;
    }

    @Test
    void countsAreExactAfterHandTypedSql() {
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue) SELECT 't' || i, 'reports' FROM generate_series(1, 7) i");
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, status) VALUES ('a', 'reports', 'done'),"
              + " ('b', 'reports', 'failed'), ('c', 'reports', 'cancelled'), ('d', 'other', 'new')");
      TestDatabase.execute("UPDATE tasks SET status = 'processing' WHERE id IN (1, 2)");
      TestDatabase.execute("UPDATE tasks SET queue = 'reports' WHERE title = 'd'");
      TestDatabase.execute("UPDATE tasks SET queue = 'other' WHERE id = 3");

      JsonObject reports = ok(get(QUEUES + "reports/"));
      // exact at once; the scheduled part is an index count cached up to a second per node
      assertThat(withoutScheduled(reports.getJsonObject("counts")))
          .isEqualTo(withoutScheduled(counts(5, 2, 1, 1, 1, 0)));
      // due new + processing: its scheduled part, too, is up to a second old
      io.taskservice.Await.until(
          "backlog",
          java.time.Duration.ofSeconds(10),
          () -> ok(get(QUEUES + "reports/")).getLong("backlog"),
          backlog -> backlog == 7);
      assertThat(withoutScheduled(ok(get(QUEUES + "other/")).getJsonObject("counts")))
          .isEqualTo(withoutScheduled(counts(1, 0, 0, 0, 0, 0)));
      // counts.new is the list count of ?status=new&queue=
      assertThat(ok(get("/api/v1/tasks/?status=new&queue=reports")).getLong("count")).isEqualTo(5);
    }

    @Test
    void processingTasksWhoseLeaseRanOutInAPausedQueueAreStalled() {
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, status, lease_until) VALUES"
              + " ('expired', 'reports', 'processing', now() - interval '1 minute'),"
              + " ('held', 'reports', 'processing', now() + interval '1 minute'),"
              + " ('elsewhere', 'other', 'processing', now() - interval '1 minute')");
      TestDatabase.execute("INSERT INTO queues (name, paused) VALUES ('reports', true)");

      // read at most once a second per node, like the scheduled count
      JsonObject reports =
          Await.until(
              "1 stalled",
              Duration.ofSeconds(5),
              () -> ok(get(QUEUES + "reports/")),
              q -> q.getJsonObject("counts").getLong("stalled") == 1);
      assertThat(reports.getJsonObject("counts").getLong("processing")).isEqualTo(2);
      assertThat(reports.getLong("backlog")).isEqualTo(2);
      // a queue that is not paused has its expired leases taken over by the next sweep
      assertThat(ok(get(QUEUES + "other/")).getJsonObject("counts").getLong("stalled")).isZero();

      TestDatabase.execute("UPDATE queues SET paused = false WHERE name = 'reports'");
      assertThat(ok(get(QUEUES + "reports/")).getJsonObject("counts").getLong("stalled")).isZero();
    }

    @Test
    void scheduledTasksAreNewButNotBacklog() {
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, run_after, due_at)"
              + " SELECT 's', 'reports', now() + interval '1 hour', now() + interval '1 hour'"
              + " FROM generate_series(1, 3)");
      // one whose time has come counts as due
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, run_after, due_at)"
              + " VALUES ('d', 'reports', now() - interval '5 seconds', now() - interval '5 seconds')");
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, status) VALUES ('p', 'reports', 'processing')");

      // the scheduled count is read at most once a second per node
      JsonObject reports =
          Await.until(
              "3 scheduled",
              Duration.ofSeconds(5),
              () -> ok(get(QUEUES + "reports/")),
              q -> q.getJsonObject("counts").getLong("scheduled") == 3);
      assertThat(reports.getJsonObject("counts")).isEqualTo(counts(4, 1, 0, 0, 0, 3));
      assertThat(reports.getLong("backlog")).isEqualTo(2);
      assertThat(reports.getDouble("oldest_new_age_seconds")).isBetween(5.0, 60.0);
    }

    @Test
    void theOldestDueTaskAcrossPrioritiesIsReportedWhilePaused() {
      settings("reports", true, null);
      assertThat(ok(get(QUEUES + "reports/")).getValue("oldest_new_age_seconds")).isNull();
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, priority, due_at) VALUES"
              + " ('urgent', 'reports', 0, now() - interval '10 seconds'),"
              + " ('old', 'reports', 7, now() - interval '100 seconds'),"
              + " ('later', 'reports', 3, now() + interval '1 hour')");
      TestDatabase.execute(
          "INSERT INTO tasks (title, queue, status, due_at) VALUES"
              + " ('claimed', 'reports', 'processing', now() - interval '1 hour')");

      double age = ok(get(QUEUES + "reports/")).getDouble("oldest_new_age_seconds");
      assertThat(age).isBetween(100.0, 160.0);
    }

    @Test
    void consumersAreLiveWorkersNamingTheQueueOrEveryQueue() {
      settings("reports", false, null);
      settings("default", false, null);
      worker("named", "{\"reports\": 50}", "2 seconds");
      worker("every", "{\"*\": 10000}", "0 seconds");
      worker("both", "{\"reports\": 5, \"*\": 10}", "9 seconds");
      worker("stale", "{\"reports\": 50, \"*\": 1}", "11 seconds");
      worker("http", "{}", "0 seconds");

      assertThat(ok(get(QUEUES + "reports/")).getLong("consumers")).isEqualTo(3);
      assertThat(ok(get(QUEUES + "default/")).getLong("consumers")).isEqualTo(2);
      JsonObject list = ok(get(QUEUES));
      assertThat(list.getJsonArray("results").getJsonObject(1).getLong("consumers")).isEqualTo(3);
    }
  }

  @Nested
  class Update {
    @Test
    void patchChangesOneFieldAndKeepsTheOther() {
      settings("reports", false, 4);

      JsonObject paused = ok(patchJson("reports", "{\"paused\": \"yes\"}"));
      assertThat(paused.getBoolean("paused")).isTrue();
      assertThat(paused.getInteger("max_running")).isEqualTo(4);
      JsonObject cleared = ok(patchJson("reports", "{\"max_running\": null, \"name\": \"x\"}"));
      assertThat(cleared.getBoolean("paused")).isTrue();
      assertThat(cleared.getValue("max_running")).isNull();
      assertThat(cleared.getString("name")).isEqualTo("reports");
      assertThat(ok(patchJson("reports", "{\"max_running\": \"7.0\"}")).getInteger("max_running"))
          .isEqualTo(7);
      assertThat(ok(patchJson("reports", "{\"max_running\": 2e1}")).getInteger("max_running"))
          .isEqualTo(20);
      assertThat(
              TestDatabase.count(
                  "SELECT count(*) FROM queues WHERE name = 'reports' AND paused"
                      + " AND max_running = 20 AND updated_at > now() - interval '1 minute'"))
          .isEqualTo(1);
    }

    @Test
    void formBodiesAsDrfReadsHtmlInput() {
      settings("reports", true, 4);
      String form = "application/x-www-form-urlencoded";

      // an empty paused is left out, an empty max_running clears the cap
      JsonObject q = ok(patch("reports", form, "paused=&max_running="));
      assertThat(q.getBoolean("paused")).isTrue();
      assertThat(q.getValue("max_running")).isNull();
      q = ok(patch("reports", form, "paused=off&max_running=3&max_running=9"));
      assertThat(q.getBoolean("paused")).isFalse();
      assertThat(q.getInteger("max_running")).isEqualTo(9);
      assertAnswer(
          patch("reports", form, "paused=null"),
          400,
          "{\"paused\": [\"Must be a valid boolean.\"]}");
    }

    @Test
    void invalidFieldsGetDrfsMessages() {
      settings("reports", false, null);
      String bool = "{\"paused\": [\"Must be a valid boolean.\"]}";
      String integer = "{\"max_running\": [\"A valid integer is required.\"]}";
      String min = "{\"max_running\": [\"Ensure this value is greater than or equal to 1.\"]}";
      String max =
          "{\"max_running\": [\"Ensure this value is less than or equal to 2147483647.\"]}";
      Map<String, String> cases =
          Map.ofEntries(
              Map.entry("{\"paused\": \"maybe\"}", bool),
              Map.entry("{\"paused\": 2}", bool),
              Map.entry("{\"paused\": \" true\"}", bool),
              Map.entry("{\"paused\": \"\"}", bool),
              Map.entry("{\"paused\": []}", bool),
              Map.entry("{\"paused\": null}", "{\"paused\": [\"This field may not be null.\"]}"),
              Map.entry("{\"max_running\": 0}", min),
              Map.entry("{\"max_running\": \"-0\"}", min),
              Map.entry("{\"max_running\": -1}", min),
              Map.entry("{\"max_running\": 2147483648}", max),
              Map.entry("{\"max_running\": 99999999999999999999999}", max),
              Map.entry("{\"max_running\": 1.5}", integer),
              Map.entry("{\"max_running\": 1e16}", integer),
              Map.entry("{\"max_running\": true}", integer),
              Map.entry("{\"max_running\": \"\"}", integer),
              Map.entry("{\"max_running\": \"1e2\"}", integer),
              Map.entry("{\"max_running\": {}}", integer),
              Map.entry(
                  "{\"max_running\": \"" + "1".repeat(1001) + "\"}",
                  "{\"max_running\": [\"String value too large.\"]}"),
              Map.entry(
                  "{\"max_running\": \"abc\", \"paused\": \"x\"}",
                  "{\"paused\": [\"Must be a valid boolean.\"],"
                      + " \"max_running\": [\"A valid integer is required.\"]}"),
              Map.entry(
                  "[]",
                  "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got list.\"]}"),
              Map.entry("null", "{\"non_field_errors\": [\"No data provided\"]}"),
              Map.entry(
                  "5",
                  "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got int.\"]}"),
              Map.entry(
                  "{",
                  "{\"detail\": \"JSON parse error - Expecting property name enclosed in double"
                      + " quotes: line 1 column 2 (char 1)\"}"));
      cases.forEach(
          (body, errors) -> {
            HttpResponse<Buffer> r = patchJson("reports", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.bodyAsString()).as(body).isEqualTo(new JsonObject(errors).encode());
          });
      assertThat(ok(get(QUEUES + "reports/")).getValue("max_running")).isNull();
      assertAnswer(
          patch("reports", "text/plain", "x"),
          415,
          "{\"detail\": \"Unsupported media type \\\"text/plain\\\" in request.\"}");
    }

    @Test
    void aValidUnknownNameGetsASettingsRowAnInvalidOneIsA404() {
      JsonObject created = ok(patchJson("fresh.q", "{\"max_running\": 2}"));
      assertThat(created.getString("name")).isEqualTo("fresh.q");
      assertThat(created.getBoolean("paused")).isFalse();
      assertThat(created.getInteger("max_running")).isEqualTo(2);
      assertThat(TestDatabase.count("SELECT count(*) FROM queues WHERE name = 'fresh.q'"))
          .isEqualTo(1);

      // DRF looks the queue up before it reads the body
      String none = "{\"detail\": \"No Queue matches the given query.\"}";
      assertAnswer(patchJson("NOPE", "{\"paused\": true}"), 404, none);
      assertAnswer(patchJson("NOPE", "{\"paused\": \"bad\"}"), 404, none);
      assertAnswer(patch("_x", "text/plain", "x"), 404, none);
      assertThat(TestDatabase.count("SELECT count(*) FROM queues")).isEqualTo(1);
    }

    @Test
    void patchWaitsForClaimsInFlightUnderTheQueuesLock() throws Exception {
      settings("reports", false, null);
      try (Connection claim = TestDatabase.connect()) {
        // a claim in progress: it holds the queue's lock (shared) until its transaction ends
        claim.setAutoCommit(false);
        try (Statement s = claim.createStatement()) {
          s.execute("SELECT pg_advisory_xact_lock_shared(74110, hashtext('reports'))");
        }
        CompletableFuture<HttpResponse<Buffer>> pause =
            CompletableFuture.supplyAsync(() -> patchJson("reports", "{\"paused\": true}"));
        Await.until(
            "the PATCH waiting for the lock",
            Duration.ofSeconds(5),
            () ->
                TestDatabase.count(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        + " AND classid = 74110 AND objsubid = 2 AND database ="
                        + " (SELECT oid FROM pg_database WHERE datname = current_database())"),
            n -> n == 1);
        assertThat(pause).isNotDone();
        claim.commit();
        assertThat(ok(pause.get(10, TimeUnit.SECONDS)).getBoolean("paused")).isTrue();
      }
    }

    @Test
    void putAndOtherMethodsAre405WithAllow() {
      settings("reports", false, null);
      HttpResponse<Buffer> put =
          service
              .api()
              .send(
                  HttpMethod.PUT,
                  QUEUES + "reports/",
                  Map.of("Content-Type", "application/json"),
                  Buffer.buffer("{\"paused\": true}"));
      assertAnswer(put, 405, "{\"detail\": \"Method \\\"PUT\\\" not allowed.\"}");
      assertThat(put.getHeader("Allow")).isEqualTo("GET, PATCH, HEAD, OPTIONS");
      HttpResponse<Buffer> delete =
          service.api().send(HttpMethod.DELETE, QUEUES + "nope/", Map.of(), null);
      assertAnswer(delete, 405, "{\"detail\": \"Method \\\"DELETE\\\" not allowed.\"}");
      HttpResponse<Buffer> post = service.api().postJson(QUEUES, "{}");
      assertAnswer(post, 405, "{\"detail\": \"Method \\\"POST\\\" not allowed.\"}");
      assertThat(post.getHeader("Allow")).isEqualTo("GET, HEAD, OPTIONS");
      assertThat(ok(get(QUEUES + "reports/")).getBoolean("paused")).isFalse();

      HttpResponse<Buffer> options =
          service.api().send(HttpMethod.OPTIONS, QUEUES + "reports/", Map.of(), null);
      assertThat(ok(options).getString("name")).isEqualTo("Queue Instance");
      assertThat(options.getHeader("Allow")).isEqualTo("GET, PATCH, HEAD, OPTIONS");
    }

    @Test
    void resumingOrRaisingTheCapWakesTheQueueAfterTheCommit() throws Exception {
      List<String> wakeUps = new CopyOnWriteArrayList<>();
      List<Boolean> pausedWhenWoken = new CopyOnWriteArrayList<>();
      MessageConsumer<String> consumer =
          service
              .node()
              .vertx()
              .eventBus()
              .consumer(
                  Addresses.WAKE_UP,
                  m -> {
                    // what a claim reading the settings now would see (recorded before the
                    // wake-up itself, which the test awaits)
                    pausedWhenWoken.add(
                        TestDatabase.count(
                                "SELECT count(*) FROM queues WHERE name = 'reports' AND paused")
                            == 1);
                    wakeUps.add(m.body());
                  });
      consumer.completion().await(5, TimeUnit.SECONDS);
      try {
        ok(patchJson("reports", "{\"paused\": true, \"max_running\": 5}"));
        ok(patchJson("reports", "{\"max_running\": 2}"));
        ok(patchJson("reports", "{\"paused\": false}"));
        Await.until("a wake-up", Duration.ofSeconds(5), () -> wakeUps.size(), n -> n >= 1);
        assertThat(wakeUps).containsExactly("reports");
        assertThat(pausedWhenWoken).containsExactly(false);

        ok(patchJson("reports", "{\"max_running\": 1}"));
        ok(patchJson("reports", "{\"max_running\": 3}"));
        Await.until("a second wake-up", Duration.ofSeconds(5), () -> wakeUps.size(), n -> n >= 2);
        ok(patchJson("reports", "{\"max_running\": null}"));
        Await.until("a third wake-up", Duration.ofSeconds(5), () -> wakeUps.size(), n -> n >= 3);
        ok(patchJson("reports", "{\"paused\": false}"));
        ok(patchJson("other", "{}"));
        // a request after them all: any wake-up they sent has arrived by its answer's time
        ok(patchJson("reports", "{\"paused\": true}"));
        ok(patchJson("reports", "{\"paused\": false}"));
        Await.until("the last wake-up", Duration.ofSeconds(5), () -> wakeUps.size(), n -> n >= 4);
        assertThat(wakeUps).containsExactly("reports", "reports", "reports", "reports");
      } finally {
        consumer.unregister().await(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void gaugesPerQueueAreExportedAndRefreshed() {
    settings("reports", true, null);
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, due_at) SELECT 't', 'reports', now() - interval '30 seconds'"
            + " FROM generate_series(1, 4)");
    String metrics =
        Await.until(
            "the queue's gauges",
            Duration.ofSeconds(5),
            () -> get("/metrics").bodyAsString(),
            text -> text.contains("tasks_queue_tasks{queue=\"reports\",status=\"new\"} 4.0"));
    assertThat(metrics)
        .contains("tasks_queue_tasks{queue=\"reports\",status=\"processing\"} 0.0")
        .contains("tasks_queue_paused{queue=\"reports\"} 1.0")
        .containsPattern(
            "tasks_queue_oldest_new_age_seconds\\{queue=\"reports\"} (3\\d|[4-9]\\d)\\.");

    TestDatabase.execute("DELETE FROM queues");
    TestDatabase.execute("DELETE FROM tasks");
    Await.until(
        "the series of a queue gone",
        Duration.ofSeconds(5),
        () -> get("/metrics").bodyAsString(),
        text -> !text.contains("queue=\"reports\""));
  }

  private static List<String> names(JsonObject page) {
    return page.getJsonArray("results").stream()
        .map(q -> ((JsonObject) q).getString("name"))
        .toList();
  }
}
