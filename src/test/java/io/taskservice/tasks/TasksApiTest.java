package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.http.RouterContract;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP contract as a client of the reference DRF service sees it. The node runs the API only
 * (no worker), so that stored statuses stay where the tests put them.
 */
class TasksApiTest {
  private static final String TASKS = "/api/v1/tasks/";

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  private static HttpResponse<Buffer> post(String contentType, String body) {
    return service
        .api()
        .send(HttpMethod.POST, TASKS, Map.of("Content-Type", contentType), Buffer.buffer(body));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String json) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(json));
  }

  @Nested
  class Create {
    @Test
    void answers201WithTheNewTask() {
      HttpResponse<Buffer> r = service.api().postJson(TASKS, "{\"title\": \"Process report\"}");
      assertThat(r.statusCode()).isEqualTo(201);
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      JsonObject task = r.bodyAsJsonObject();
      assertThat(task.fieldNames())
          .containsExactly(
              "id",
              "title",
              "status",
              "result",
              "queue",
              "priority",
              "run_after",
              "created_at",
              "updated_at");
      assertThat(task.getString("queue")).isEqualTo("default");
      assertThat(task.getInteger("priority")).isZero();
      assertThat(task.getValue("run_after")).isNull();
      assertThat(task.getLong("id")).isEqualTo(1L);
      assertThat(task.getString("title")).isEqualTo("Process report");
      assertThat(task.getString("status")).isEqualTo("new");
      assertThat(task.containsKey("result")).isTrue();
      assertThat(task.getValue("result")).isNull();
      assertThat(task.getString("created_at"))
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?Z");
      assertThat(task.getString("updated_at")).isEqualTo(task.getString("created_at"));
    }

    @Test
    void worksWithoutTheTrailingSlash() {
      HttpResponse<Buffer> r = service.api().postJson("/api/v1/tasks", "{\"title\": \"no slash\"}");
      assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void ignoresReadOnlyAndUnknownFields() {
      JsonObject task =
          service
              .api()
              .postJson(
                  TASKS,
                  "{\"title\": \"x\", \"id\": 99, \"status\": \"done\", \"result\": \"success\","
                      + " \"owner\": \"me\"}")
              .bodyAsJsonObject();
      assertThat(task.getLong("id")).isEqualTo(1L);
      assertThat(task.getString("status")).isEqualTo("new");
      assertThat(task.getValue("result")).isNull();
      assertThat(task.containsKey("owner")).isFalse();
    }

    @Test
    void trimsTheTitleAndCountsCharactersLikePython() {
      assertThat(service.api().create("  Отчёт 😀  ").getString("title")).isEqualTo("Отчёт 😀");
      assertThat(service.api().create("😀".repeat(255)).getString("title")).hasSize(510);
    }

    @Test
    void writesEveryCharacterAsUtf8LikeDrf() {
      // DRF renders with ensure_ascii=False: characters as UTF-8, also those beyond the BMP;
      // only quotes, backslashes and control characters are escaped
      String raw =
          service
              .api()
              .postJson(TASKS, "{\"title\": \"Отчёт \\ud83d\\ude00 \\\"q\\\" \\\\ a\\tb\"}")
              .bodyAsString(StandardCharsets.UTF_8.name());
      assertThat(raw).contains("\"title\":\"Отчёт 😀 \\\"q\\\" \\\\ a\\tb\"").doesNotContain("\\u");
    }

    @Test
    void acceptsNumbersAsTheirPythonText() {
      for (String[] number :
          new String[][] {
            {"2e23", "2e+23"},
            {"1e16", "1e+16"},
            {"1e-5", "1e-05"},
            {"5e-324", "5e-324"},
            {"123456789012345678901234567890", "123456789012345678901234567890"}
          }) {
        assertThat(
                service
                    .api()
                    .postJson(TASKS, "{\"title\": " + number[0] + "}")
                    .bodyAsJsonObject()
                    .getString("title"))
            .isEqualTo(number[1]);
      }
    }

    @Test
    void acceptsNumbersAsText() {
      assertThat(
              service
                  .api()
                  .postJson(TASKS, "{\"title\": 42}")
                  .bodyAsJsonObject()
                  .getString("title"))
          .isEqualTo("42");
      assertThat(
              service
                  .api()
                  .postJson(TASKS, "{\"title\": 1.5}")
                  .bodyAsJsonObject()
                  .getString("title"))
          .isEqualTo("1.5");
    }

    @Test
    void acceptsFormAndMultipartBodies() {
      HttpResponse<Buffer> form =
          post("application/x-www-form-urlencoded", "title=Process+report&title=last+wins");
      assertThat(form.statusCode()).isEqualTo(201);
      assertThat(form.bodyAsJsonObject().getString("title")).isEqualTo("last wins");
      String boundary = "XyZ";
      String multipart =
          "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nfrom multipart\r\n--XyZ--\r\n";
      HttpResponse<Buffer> mp = post("multipart/form-data; boundary=" + boundary, multipart);
      assertThat(mp.statusCode()).isEqualTo(201);
      assertThat(mp.bodyAsJsonObject().getString("title")).isEqualTo("from multipart");
    }

    @Test
    void rejectsInvalidTitlesWithDrfMessages() {
      assertError(
          service.api().postJson(TASKS, "{}"), 400, "{\"title\": [\"This field is required.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": null}"),
          400,
          "{\"title\": [\"This field may not be null.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": \" \\t \"}"),
          400,
          "{\"title\": [\"This field may not be blank.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": true}"),
          400,
          "{\"title\": [\"Not a valid string.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": [\"a\"]}"),
          400,
          "{\"title\": [\"Not a valid string.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": \"" + "a".repeat(256) + "\"}"),
          400,
          "{\"title\": [\"Ensure this field has no more than 255 characters.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": \"a\\u0000b\"}"),
          400,
          "{\"title\": [\"Null characters are not allowed.\"]}");
      assertError(
          service.api().postJson(TASKS, "{\"title\": \"a\\ud800b\"}"),
          400,
          "{\"title\": [\"Surrogate characters are not allowed: U+D800.\"]}");
      assertError(
          post("application/x-www-form-urlencoded", "name=x"),
          400,
          "{\"title\": [\"This field is required.\"]}");
      assertThat(service.api().get(TASKS).bodyAsJsonObject().getLong("count")).isZero();
    }

    @Test
    void rejectsBodiesThatAreNotObjects() {
      assertError(
          service.api().postJson(TASKS, "[1, 2]"),
          400,
          "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got list.\"]}");
      assertError(
          service.api().postJson(TASKS, "\"title\""),
          400,
          "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got str.\"]}");
      assertError(
          service.api().postJson(TASKS, "null"),
          400,
          "{\"non_field_errors\": [\"No data provided\"]}");
    }

    @Test
    void malformedJsonIsAParseErrorWithPythonsMessage() {
      Map<String, String> messages =
          Map.of(
              "{\"title\": ", "Expecting value: line 1 column 11 (char 10)",
              "{'title': 'x'}",
                  "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
              "   ", "Expecting value: line 1 column 4 (char 3)",
              "{\"title\": \"x\"} trailing", "Extra data: line 1 column 16 (char 15)",
              "{\"title\": \"a\"} // x", "Extra data: line 1 column 16 (char 15)",
              "NaN", "Out of range float values are not JSON compliant: 'NaN'",
              "\ufeff{}",
                  "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)");
      messages.forEach(
          (body, message) ->
              assertError(
                  service.api().postJson(TASKS, body),
                  400,
                  new JsonObject().put("detail", "JSON parse error - " + message).encode()));
      HttpResponse<Buffer> badUtf8 =
          service
              .api()
              .send(
                  HttpMethod.POST,
                  TASKS,
                  Map.of("Content-Type", "application/json"),
                  Buffer.buffer(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xff, '"', '}'}));
      assertError(
          badUtf8,
          400,
          "{\"detail\": \"JSON parse error - 'utf-8' codec can't decode byte 0xff in position 6:"
              + " invalid start byte\"}");
    }

    @Test
    void nestingBeyondWhatPythonParsesIsA400() {
      assertError(
          service.api().postJson(TASKS, "[".repeat(3000) + "]".repeat(3000)),
          400,
          "{\"detail\": \"JSON parse error - Nesting deeper than 965 levels is not supported\"}");
    }

    @Test
    void bodiesAreDecodedByTheirCharsetAsPythonDecodesThem() {
      HttpResponse<Buffer> latin1 =
          service
              .api()
              .send(
                  HttpMethod.POST,
                  TASKS,
                  Map.of("Content-Type", "application/json; charset=latin-1"),
                  Buffer.buffer(
                      "{\"title\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1)));
      assertThat(latin1.statusCode()).isEqualTo(201);
      assertThat(latin1.bodyAsJsonObject().getString("title")).isEqualTo("caf\u00e9");
      HttpResponse<Buffer> utf16 =
          service
              .api()
              .send(
                  HttpMethod.POST,
                  TASKS,
                  Map.of("Content-Type", "application/json; charset=UTF-16"),
                  Buffer.buffer("{\"title\": \"\u041e\u0442\"}".getBytes(StandardCharsets.UTF_16)));
      assertThat(utf16.bodyAsJsonObject().getString("title")).isEqualTo("\u041e\u0442");
      assertError(
          service
              .api()
              .send(
                  HttpMethod.POST,
                  TASKS,
                  Map.of("Content-Type", "application/json; charset=ascii"),
                  Buffer.buffer(
                      "{\"title\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1))),
          400,
          "{\"detail\": \"JSON parse error - 'ascii' codec can't decode byte 0xe9 in position 14:"
              + " ordinal not in range(128)\"}");
      // a charset Python does not know is read as UTF-8, as Django does
      HttpResponse<Buffer> unknown =
          service
              .api()
              .send(
                  HttpMethod.POST,
                  TASKS,
                  Map.of("Content-Type", "application/json; charset=no-such-codec"),
                  Buffer.buffer("{\"title\": \"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8)));
      assertThat(unknown.bodyAsJsonObject().getString("title")).isEqualTo("caf\u00e9");
    }

    @Test
    void multipartWithoutBoundaryIsAParseError() {
      assertError(
          post("multipart/form-data", "title=x"),
          400,
          "{\"detail\": \"Multipart form parse error - Invalid boundary in multipart: None\"}");
    }

    @Test
    void anEmptyBodyIsNoDataWhateverItsType() {
      assertError(post("text/plain", ""), 400, "{\"title\": [\"This field is required.\"]}");
    }

    @Test
    void otherMediaTypesAre415() {
      assertError(
          post("text/plain", "title=x"),
          415,
          "{\"detail\": \"Unsupported media type \\\"text/plain\\\" in request.\"}");
      assertError(
          post("application/xml; charset=utf-8", "<title/>"),
          415,
          "{\"detail\": \"Unsupported media type \\\"application/xml; charset=utf-8\\\" in request.\"}");
    }

    @Test
    void bodiesOverTheLimitAre413() {
      HttpResponse<Buffer> r =
          service.api().postJson(TASKS, "{\"title\": \"" + "a".repeat(2_000_000) + "\"}");
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.bodyAsJsonObject().containsKey("detail")).isTrue();
      assertThat(service.api().create("still serving").getLong("id")).isPositive();
    }
  }

  @Nested
  class Retrieve {
    @Test
    void answersTheTaskWithAndWithoutSlash() {
      JsonObject created = service.api().create("Process report");
      String path = TASKS + created.getLong("id");
      assertThat(service.api().get(path + "/").bodyAsJsonObject()).isEqualTo(created);
      assertThat(service.api().get(path).bodyAsJsonObject()).isEqualTo(created);
    }

    @Test
    void aMissingTaskIs404() {
      assertError(
          service.api().get(TASKS + "999/"),
          404,
          "{\"detail\": \"No Task matches the given query.\"}");
      assertError(
          service.api().get(TASKS + "99999999999999999999/"),
          404,
          "{\"detail\": \"No Task matches the given query.\"}");
      assertError(service.api().get(TASKS + "abc/"), 404, "{\"detail\": \"Not found.\"}");
    }
  }

  @Nested
  class ListTasks {
    private void createMany(int n) {
      IntStream.rangeClosed(1, n).forEach(i -> service.api().create("task " + i));
    }

    private static List<String> titles(JsonObject page) {
      JsonArray results = page.getJsonArray("results");
      return results.stream().map(o -> ((JsonObject) o).getString("title")).toList();
    }

    @Test
    void isPaginatedNewestFirstWithAbsoluteLinks() {
      createMany(25);
      JsonObject first = service.api().get(TASKS).bodyAsJsonObject();
      assertThat(first.fieldNames()).containsExactly("count", "next", "previous", "results");
      assertThat(first.getLong("count")).isEqualTo(25L);
      assertThat(first.getJsonArray("results")).hasSize(20);
      assertThat(titles(first).get(0)).isEqualTo("task 25");
      String host = "http://localhost:" + service.node().port();
      assertThat(first.getString("next")).isEqualTo(host + TASKS + "?page=2");
      assertThat(first.getValue("previous")).isNull();
      JsonObject second = service.api().get(TASKS + "?page=2").bodyAsJsonObject();
      assertThat(titles(second)).containsExactly("task 5", "task 4", "task 3", "task 2", "task 1");
      assertThat(second.getValue("next")).isNull();
      assertThat(second.getString("previous")).isEqualTo(host + TASKS);
    }

    @Test
    void readsUnescapedCharactersInTheQueryAsUtf8() {
      createMany(7);
      // sent as the raw UTF-8 bytes of U+FF15; Python's int() reads it as 5
      JsonObject page = service.api().get(TASKS + "?page_size=５").bodyAsJsonObject();
      assertThat(page.getJsonArray("results")).hasSize(5);
      assertThat(page.getString("next")).endsWith("?page=2&page_size=%EF%BC%95");
    }

    @Test
    void linksKeepTheOtherParametersSortedLikeDrf() {
      createMany(7);
      JsonObject page =
          service.api().get(TASKS + "?status=new&page_size=3&page=2").bodyAsJsonObject();
      String base = "http://localhost:" + service.node().port() + TASKS;
      assertThat(page.getString("next")).isEqualTo(base + "?page=3&page_size=3&status=new");
      assertThat(page.getString("previous")).isEqualTo(base + "?page_size=3&status=new");
    }

    @Test
    void pageSizeFollowsDrfRules() {
      createMany(105);
      assertThat(
              service.api().get(TASKS + "?page_size=5").bodyAsJsonObject().getJsonArray("results"))
          .hasSize(5);
      for (String big : new String[] {"1000", "99999999999999999999999"}) {
        assertThat(
                service
                    .api()
                    .get(TASKS + "?page_size=" + big)
                    .bodyAsJsonObject()
                    .getJsonArray("results"))
            .as("page_size=%s", big)
            .hasSize(100);
      }
      for (String odd : new String[] {"0", "-3", "abc", "", "2.5"}) {
        assertThat(
                service
                    .api()
                    .get(TASKS + "?page_size=" + odd)
                    .bodyAsJsonObject()
                    .getJsonArray("results"))
            .as("page_size=%s", odd)
            .hasSize(20);
      }
    }

    @Test
    void lastAndInvalidPages() {
      createMany(45);
      JsonObject last = service.api().get(TASKS + "?page=last").bodyAsJsonObject();
      assertThat(titles(last)).containsExactly("task 5", "task 4", "task 3", "task 2", "task 1");
      for (String bad : new String[] {"0", "4", "-1", "abc", "1.0"}) {
        assertError(
            service.api().get(TASKS + "?page=" + bad), 404, "{\"detail\": \"Invalid page.\"}");
      }
      assertThat(service.api().get(TASKS + "?page=").statusCode()).isEqualTo(200);
    }

    @Test
    void anEmptyTableHasOneEmptyPage() {
      JsonObject page = service.api().get(TASKS).bodyAsJsonObject();
      assertThat(page)
          .isEqualTo(
              new JsonObject("{\"count\":0,\"next\":null,\"previous\":null,\"results\":[]}"));
      assertError(service.api().get(TASKS + "?page=2"), 404, "{\"detail\": \"Invalid page.\"}");
    }

    @Test
    void filtersByStatus() {
      createMany(4);
      TestDatabase.execute(
          "UPDATE tasks SET status = 'done', result = 'success' WHERE id IN (1, 3)");
      JsonObject done = service.api().get(TASKS + "?status=done").bodyAsJsonObject();
      assertThat(done.getLong("count")).isEqualTo(2L);
      assertThat(titles(done)).containsExactly("task 3", "task 1");
      assertThat(service.api().get("/api/v1/tasks?status=new").bodyAsJsonObject().getLong("count"))
          .isEqualTo(2L);
      assertThat(service.api().get(TASKS + "?status=").bodyAsJsonObject().getLong("count"))
          .isEqualTo(4L);
      assertThat(service.api().get(TASKS + "?status=failed").bodyAsJsonObject().getLong("count"))
          .isZero();
    }

    @Test
    void anUnknownStatusIsADjangoFilterError() {
      assertError(
          service.api().get(TASKS + "?status=bogus"),
          400,
          "{\"status\": [\"Select a valid choice. bogus is not one of the available choices.\"]}");
      assertError(
          service.api().get(TASKS + "?status=NEW"),
          400,
          "{\"status\": [\"Select a valid choice. NEW is not one of the available choices.\"]}");
    }
  }

  /** DRF's CursorPagination; the expected cursors were produced by DRF's own code. */
  @Nested
  class CursorPages {
    private void createMany(int n) {
      IntStream.rangeClosed(1, n).forEach(i -> service.api().create("task " + i));
    }

    private String base() {
      return "http://localhost:" + service.node().port() + TASKS;
    }

    private JsonObject follow(String link) {
      HttpResponse<Buffer> r =
          service.api().get(link.substring(("http://localhost:" + service.node().port()).length()));
      assertThat(r.statusCode()).as(link).isEqualTo(200);
      return r.bodyAsJsonObject();
    }

    private List<Long> ids(JsonObject page) {
      return page.getJsonArray("results").stream()
          .map(o -> ((JsonObject) o).getLong("id"))
          .toList();
    }

    @Test
    void anEmptyCursorIsTheFirstPageWithoutCount() {
      createMany(7);
      JsonObject first = service.api().get(TASKS + "?cursor=&page_size=3").bodyAsJsonObject();
      assertThat(first.fieldNames()).containsExactly("next", "previous", "results");
      assertThat(ids(first)).containsExactly(7L, 6L, 5L);
      assertThat(first.getString("next")).isEqualTo(base() + "?cursor=cD01&page_size=3");
      assertThat(first.getValue("previous")).isNull();
    }

    @Test
    void nextLinksWalkToTheLastPageAndPreviousLinksBackToTheFirst() {
      createMany(7);
      JsonObject page = service.api().get(TASKS + "?cursor=&page_size=3").bodyAsJsonObject();
      List<Long> forward = new java.util.ArrayList<>(ids(page));
      while (page.getString("next") != null) {
        page = follow(page.getString("next"));
        forward.addAll(ids(page));
      }
      assertThat(forward).containsExactly(7L, 6L, 5L, 4L, 3L, 2L, 1L);
      // the last page, as DRF links it
      assertThat(ids(page)).containsExactly(1L);
      assertThat(page.getString("previous"))
          .isEqualTo(base() + "?cursor=cj0xJnA9MQ%3D%3D&page_size=3");

      JsonObject back = follow(page.getString("previous"));
      assertThat(ids(back)).containsExactly(4L, 3L, 2L);
      assertThat(back.getString("next")).isEqualTo(base() + "?cursor=cD0y&page_size=3");
      assertThat(back.getString("previous"))
          .isEqualTo(base() + "?cursor=cj0xJnA9NA%3D%3D&page_size=3");
      back = follow(back.getString("previous"));
      assertThat(ids(back)).containsExactly(7L, 6L, 5L);
      assertThat(back.getValue("previous")).isNull();
      assertThat(back.getString("next")).isEqualTo(base() + "?cursor=cD01&page_size=3");
    }

    @Test
    void tasksCreatedMeanwhileDoNotShiftThePages() {
      createMany(5);
      JsonObject first = service.api().get(TASKS + "?cursor=&page_size=2").bodyAsJsonObject();
      createMany(3);
      assertThat(ids(follow(first.getString("next")))).containsExactly(3L, 2L);
    }

    @Test
    void theStatusFilterAndPageSizeStayInTheLinks() {
      createMany(9);
      TestDatabase.execute("UPDATE tasks SET status = 'done', result = 'success' WHERE id % 2 = 1");
      JsonObject first =
          service.api().get(TASKS + "?status=done&page_size=2&cursor=").bodyAsJsonObject();
      assertThat(ids(first)).containsExactly(9L, 7L);
      assertThat(first.getString("next"))
          .isEqualTo(base() + "?cursor=cD03&page_size=2&status=done");
      JsonObject second = follow(first.getString("next"));
      assertThat(ids(second)).containsExactly(5L, 3L);
      assertThat(second.getString("previous"))
          .isEqualTo(base() + "?cursor=cj0xJnA9NQ%3D%3D&page_size=2&status=done");
      JsonObject last = follow(second.getString("next"));
      assertThat(ids(last)).containsExactly(1L);
      assertThat(last.getValue("next")).isNull();
    }

    @Test
    void anEmptyTableIsOneEmptyPage() {
      assertThat(service.api().get(TASKS + "?cursor=").bodyAsJsonObject())
          .isEqualTo(new JsonObject("{\"next\":null,\"previous\":null,\"results\":[]}"));
    }

    @Test
    void invalidCursorsAre404() {
      createMany(3);
      for (String bad :
          new String[] {
            "abc", // not base64: wrong padding
            "gA%3D%3D", // bytes that are not ASCII
            "bz0tMQ%3D%3D", // o=-1
            "bz14", // o=x
            "cj15", // r=y
            "cD14", // p=x: Django would fail on it; DRF answers 500, here it is invalid
            "%C3%A9" // not ASCII
          }) {
        assertError(
            service.api().get(TASKS + "?cursor=" + bad), 404, "{\"detail\": \"Invalid cursor\"}");
      }
      // the filter is checked first, as django-filter runs before the paginator
      assertThat(service.api().get(TASKS + "?status=bogus&cursor=abc").statusCode()).isEqualTo(400);
    }

    @Test
    void pageNumbersAreAnsweredAsBeforeWithoutACursor() {
      createMany(3);
      assertThat(service.api().get(TASKS + "?page_size=2").bodyAsJsonObject().fieldNames())
          .containsExactly("count", "next", "previous", "results");
    }
  }

  @Nested
  class Methods {
    @Test
    void unsupportedMethodsAre405WithAllow() {
      HttpResponse<Buffer> put = service.api().send(HttpMethod.PUT, TASKS, Map.of(), null);
      assertError(put, 405, "{\"detail\": \"Method \\\"PUT\\\" not allowed.\"}");
      assertThat(put.getHeader("Allow")).isEqualTo("GET, POST, HEAD, OPTIONS");
      service.api().create("x");
      HttpResponse<Buffer> delete =
          service.api().send(HttpMethod.DELETE, TASKS + "1/", Map.of(), null);
      assertError(delete, 405, "{\"detail\": \"Method \\\"DELETE\\\" not allowed.\"}");
      assertThat(delete.getHeader("Allow")).isEqualTo("GET, HEAD, OPTIONS");
      assertThat(service.api().get(TASKS + "1/").bodyAsJsonObject().getString("status"))
          .isEqualTo("new");
    }

    @Test
    void headAndOptionsWork() {
      service.api().create("x");
      HttpResponse<Buffer> head = service.api().send(HttpMethod.HEAD, TASKS + "1/", Map.of(), null);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isNull();
      HttpResponse<Buffer> options = service.api().send(HttpMethod.OPTIONS, TASKS, Map.of(), null);
      assertThat(options.statusCode()).isEqualTo(200);
      assertThat(options.bodyAsJsonObject().getString("name")).isEqualTo("Task List");
      assertThat(
              options
                  .bodyAsJsonObject()
                  .getJsonObject("actions")
                  .getJsonObject("POST")
                  .getJsonObject("title")
                  .getInteger("max_length"))
          .isEqualTo(255);
    }

    @Test
    void unknownPathsAre404InJson() {
      assertError(service.api().get("/api/v2/nothing"), 404, "{\"detail\": \"Not found.\"}");
    }

    @Test
    void anUnsatisfiableAcceptIs406() {
      HttpResponse<Buffer> r =
          service.api().send(HttpMethod.GET, TASKS, Map.of("Accept", "application/xml"), null);
      assertError(r, 406, "{\"detail\": \"Could not satisfy the request Accept header.\"}");
      assertThat(
              service
                  .api()
                  .send(HttpMethod.GET, TASKS, Map.of("Accept", "text/html,*/*;q=0.8"), null)
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Nested
  class Negotiation {
    private HttpResponse<Buffer> get(String uri, String accept) {
      return service
          .api()
          .send(HttpMethod.GET, uri, accept == null ? Map.of() : Map.of("Accept", accept), null);
    }

    @Test
    void aTextOnlyClientGetsTheBrowsablePageNot406() {
      HttpResponse<Buffer> page = get(TASKS, "text/*");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
      assertThat(page.getHeader("Allow")).isEqualTo("GET, POST, HEAD, OPTIONS");
      assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'");
    }

    @Test
    void theFormatParameterAndSuffixesChooseTheRepresentation() {
      service.api().create("x");
      assertThat(get(TASKS + "?format=api", null).getHeader("Content-Type"))
          .startsWith("text/html");
      assertThat(get(TASKS + "?format=json", "text/html,*/*").getHeader("Content-Type"))
          .isEqualTo("application/json");
      assertError(
          get(TASKS + "?format=json", "text/html"),
          406,
          "{\"detail\": \"Could not satisfy the request Accept header.\"}");
      assertError(get(TASKS + "?format=xml", null), 404, "{\"detail\": \"Not found.\"}");
      assertThat(get("/api/v1/tasks.json", "text/*, */*").bodyAsJsonObject().getLong("count"))
          .isEqualTo(1L);
      assertThat(get("/api/v1/tasks.json?format=api", null).getHeader("Content-Type"))
          .isEqualTo("application/json");
      assertThat(get(TASKS + "1.json", null).bodyAsJsonObject().getString("title")).isEqualTo("x");
      assertThat(get(TASKS + "1.api/", null).getHeader("Content-Type")).startsWith("text/html");
      assertError(get(TASKS + "1.xml", null), 404, "{\"detail\": \"Not found.\"}");
    }

    @Test
    void anIndentParameterIndentsTheJson() {
      service.api().create("x");
      assertThat(get(TASKS + "1/", "application/json; indent=2").bodyAsString())
          .startsWith("{\n  \"id\": 1,\n  \"title\": \"x\",\n");
    }

    @Test
    void theApiRootListsTheTaskListAsDrfsRouterDoes() {
      Map<String, String> host = Map.of("Host", "example.test");
      assertThat(service.api().send(HttpMethod.GET, "/api/v1/", host, null).bodyAsString())
          .isEqualTo("{\"tasks\":\"http://example.test/api/v1/tasks/\"}");
      assertThat(service.api().send(HttpMethod.GET, "/api/v1/.json", host, null).bodyAsString())
          .isEqualTo("{\"tasks\":\"http://example.test/api/v1/tasks.json\"}");
      HttpResponse<Buffer> post =
          service.api().send(HttpMethod.POST, "/api/v1/", Map.of(), Buffer.buffer("{}"));
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.getHeader("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    }
  }

  @Nested
  class BrowsablePage {
    private String page(String uri) {
      HttpResponse<Buffer> r =
          service.api().send(HttpMethod.GET, uri, Map.of("Accept", "text/html"), null);
      assertThat(r.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
      return r.bodyAsString();
    }

    @Test
    void showsTheRequestTheAnswerAndItsHeaders() {
      service.api().create("Process report");
      String html = page(TASKS + "?page_size=5");
      assertThat(html)
          .contains("<pre class=\"prettyprint\"><b>GET</b> /api/v1/tasks/?page_size=5</pre>")
          .contains("<b>HTTP 200 OK</b>")
          .contains("<b>Allow:</b> <span class=\"lit\">GET, POST, HEAD, OPTIONS</span>")
          .contains("<b>Content-Type:</b> <span class=\"lit\">application/json</span>")
          .contains("    &quot;count&quot;: 1,\n")
          .contains("&quot;title&quot;: &quot;Process report&quot;");
    }

    @Test
    void escapesEveryValue() {
      service.api().create("<script>alert('x')</script> & \"q\"");
      String html = page(TASKS + "1/?x=%3Cb%3E");
      assertThat(html)
          .doesNotContain("<script>alert")
          .doesNotContain("<b>\"")
          .contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; \\&quot;q\\&quot;")
          .contains("/api/v1/tasks/1/?x=%3Cb%3E");
      // scripts only from the service, so that script-src 'self' holds
      assertThat(html.split("<script")).allSatisfy(part -> assertThat(part).doesNotStartWith(">"));
    }

    @Test
    void offersAFormForEachMethodAndLinksToTheOtherTools() {
      String html = page(TASKS);
      assertThat(html)
          .contains("action=\"/api/v1/tasks/\" method=\"POST\" enctype=\"multipart/form-data\"")
          .contains("name=\"title\"")
          .contains("data-method=\"OPTIONS\"")
          .contains("name=\"status\"")
          .contains("href=\"/api/v1/tasks/?format=json\"")
          .contains("href=\"/swagger/\"")
          .contains("href=\"/dashboard/\"");
      service.api().create("x");
      assertThat(page(TASKS + "1/")).doesNotContain("method=\"POST\"").contains("OPTIONS");
    }

    @Test
    void linksInTheAnswerAreClickable() {
      for (int i = 0; i < 3; i++) {
        service.api().create("t" + i);
      }
      assertThat(page(TASKS + "?page_size=2"))
          .contains(
              "<a href=\"http://localhost:"
                  + service.node().port()
                  + "/api/v1/tasks/?page=2&amp;page_size=2\" rel=\"nofollow\">");
    }

    @Test
    void errorsArePagesWithTheirOwnStatus() {
      HttpResponse<Buffer> missing =
          service.api().send(HttpMethod.GET, TASKS + "99/", Map.of("Accept", "text/html"), null);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.bodyAsString()).contains("<b>HTTP 404 Not Found</b>");
      HttpResponse<Buffer> put =
          service.api().send(HttpMethod.PUT, TASKS, Map.of("Accept", "text/html"), null);
      assertThat(put.statusCode()).isEqualTo(405);
      assertThat(put.bodyAsString()).contains("Method \\&quot;PUT\\&quot; not allowed.");
    }

    @Test
    void itsStylesheetAndScriptComeFromTheService() {
      String html = page(TASKS);
      java.util.regex.Matcher assets =
          java.util.regex.Pattern.compile("(?:href|src)=\"(/static/drf/[^\"]+)\"").matcher(html);
      int found = 0;
      while (assets.find()) {
        HttpResponse<Buffer> asset = service.api().get(assets.group(1));
        assertThat(asset.statusCode()).as(assets.group(1)).isEqualTo(200);
        assertThat(asset.getHeader("Content-Type")).matches("text/(css|javascript); charset=utf-8");
        found++;
      }
      assertThat(found).isEqualTo(2);
      assertThat(service.api().get("/static/drf/0123456789ab/api.js").statusCode()).isEqualTo(404);
    }
  }

  @Nested
  class Docs {
    @Test
    void swaggerUiShowsTheContract() {
      HttpResponse<Buffer> page = service.api().get("/swagger/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.bodyAsString()).contains("swagger-ui-bundle.js");
      assertThat(service.api().get("/swagger/swagger-initializer.js").bodyAsString())
          .contains("/openapi.yaml");
      assertThat(service.api().get("/swagger/swagger-ui-bundle.js").statusCode()).isEqualTo(200);
      String contract = service.api().get("/openapi.yaml").bodyAsString();
      assertThat(contract).contains("openapi: 3.1.0").contains("operationId: createTask");
    }

    @Test
    void theServedContractNamesTheServerItCameFrom() {
      HttpResponse<Buffer> answer =
          service
              .api()
              .send(
                  HttpMethod.GET,
                  "/openapi.yaml",
                  Map.of("Host", "127.0.0.1:" + service.node().port()),
                  null);

      assertThat(answer.statusCode()).isEqualTo(200);
      JsonObject contract = RouterContract.from(answer.bodyAsString());
      assertThat(contract.getJsonArray("servers"))
          .containsExactly(
              new JsonObject()
                  .put("url", "/")
                  .put("description", "The server this contract was loaded from."));
      assertThat(answer.bodyAsString()).doesNotContain("url: http://localhost:8000");
      assertThat(contract.getJsonObject("paths").fieldNames())
          .contains("/api/v1/tasks/", "/api/v1/tasks/{id}/history/", "/api/v1/events/");
    }
  }
}
