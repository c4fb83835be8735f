package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.drf.python.RecordedCases;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same requests, in the same order, as {@code src/test/resources/drf/differential.py} sent to
 * the real DRF (the reference of SPEC §17), answered alike: status, {@code Content-Type}, {@code
 * Allow}, {@code WWW-Authenticate}, {@code Retry-After} (DRF never sends one) and the body, ids and
 * the server's timestamps masked ({@code run_after} is the client's, compared as it is); for a page
 * of the browsable API, what the page shows of the answer. Creates with queue, priority and
 * run_after, lists and cursor pages by queue, the bulk action and the cancel actions are among
 * them. The recording says which cases differ on purpose, and how the service answers those
 * instead.
 */
class DrfDifferentialTest {
  private static final String RECORDING = "/drf/differential.jsonl";
  private static final String HOST = "testserver";
  private static final List<String> KEPT_HEADERS =
      List.of("Content-Type", "Allow", "WWW-Authenticate", "Retry-After");
  private static final List<String> PAGE_HEADERS =
      List.of("Allow", "Content-Type", "Vary", "WWW-Authenticate");
  private static final Pattern ID = Pattern.compile("(?<!\\\\)(\"id\":\\s?)\\d+");
  private static final Pattern TIMESTAMP =
      Pattern.compile("(?<!\\\\)(\"(?:created_at|updated_at)\":\\s?)\"[^\"]*\"");
  private static final Pattern HEADER_LINE = Pattern.compile("^[A-Za-z][A-Za-z0-9-]*: .*");
  private static final Pattern TAG = Pattern.compile("<[^>]+>");
  private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);");

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  @Test
  void everyRecordedRequestIsAnsweredAsDrfAnsweredIt() throws IOException {
    List<JsonObject> recording = RecordedCases.read(RECORDING);
    List<String> differences = new ArrayList<>();
    int cases = 0;
    int deliberate = 0;
    for (JsonObject step : recording) {
      if (step.containsKey("setup")) {
        setUp(step);
        continue;
      }
      cases++;
      JsonObject answer = send(step.getJsonObject("request"));
      JsonObject expected = step.getJsonObject("answer");
      List<String> problems;
      if (step.containsKey("deliberate")) {
        deliberate++;
        problems = deliberately(step.getJsonObject("deliberate"), answer);
      } else {
        problems = compare(expected, answer);
      }
      if (!problems.isEmpty()) {
        differences.add(
            step.getString("name")
                + " ("
                + step.getJsonObject("request").getString("method")
                + " "
                + step.getJsonObject("request").getString("path")
                + "):\n    "
                + String.join("\n    ", problems));
      }
    }
    // the cancel actions' cases included
    assertThat(cases).isGreaterThan(630);
    assertThat(deliberate).isPositive();
    assertThat(differences)
        .as(
            differences.size()
                + " of "
                + cases
                + " cases differ ("
                + deliberate
                + " cases are deliberate differences, checked against the service's own"
                + " answer):\n"
                + String.join("\n", differences))
        .isEmpty();
  }

  /** What the recorder did to the reference's table, done to the service's. */
  private static void setUp(JsonObject step) {
    if (step.getString("setup").equals("reset")) {
      TestDatabase.reset();
      return;
    }
    String ids =
        step.getJsonArray("ids").stream().map(String::valueOf).collect(Collectors.joining(", "));
    String result =
        step.getString("result") == null ? "NULL" : "'" + step.getString("result") + "'";
    TestDatabase.execute(
        "UPDATE tasks SET status = '"
            + step.getString("status")
            + "', result = "
            + result
            + " WHERE id IN ("
            + ids
            + ")");
  }

  private static JsonObject send(JsonObject request) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", HOST);
    for (Object pair : request.getJsonArray("headers")) {
      JsonArray header = (JsonArray) pair;
      headers.put(header.getString(0), header.getString(1));
    }
    String body = request.getString("body");
    HttpResponse<Buffer> response =
        service
            .api()
            .send(
                HttpMethod.valueOf(request.getString("method")),
                request.getString("path"),
                headers,
                body == null ? null : Buffer.buffer(Base64.getDecoder().decode(body)));
    JsonObject kept = new JsonObject();
    for (String name : KEPT_HEADERS) {
      if (response.getHeader(name) != null) {
        kept.put(name, response.getHeader(name));
      }
    }
    JsonObject answer = new JsonObject().put("status", response.statusCode()).put("headers", kept);
    String contentType = Objects.requireNonNullElse(response.getHeader("Content-Type"), "");
    Buffer data = response.body();
    if (data == null || data.length() == 0) {
      return answer.put("kind", "empty").putNull("body");
    }
    String text = data.toString(StandardCharsets.UTF_8);
    if (contentType.startsWith("application/json")) {
      return answer.put("kind", "json").put("body", mask(text));
    }
    if (text.contains("class=\"response-info\"")) {
      return answer.put("kind", "page").put("body", page(text));
    }
    return answer.put("kind", "other").put("body", text);
  }

  private static List<String> compare(JsonObject expected, JsonObject actual) {
    List<String> problems = new ArrayList<>();
    if (!expected.getInteger("status").equals(actual.getInteger("status"))) {
      problems.add(
          "status " + actual.getInteger("status") + ", DRF " + expected.getInteger("status"));
    }
    if (expected.getString("kind").equals("django-404")) {
      // a path no DRF route matches: Django's HTML page there, DRF's JSON 404 here (SPEC §17)
      if (!actual.getString("kind").equals("json")
          || !"{\"detail\":\"Not found.\"}".equals(actual.getString("body"))) {
        problems.add("expected the JSON 404, got " + actual.encode());
      }
      return problems;
    }
    if (!expected.getJsonObject("headers").equals(actual.getJsonObject("headers"))) {
      problems.add(
          "headers "
              + actual.getJsonObject("headers").encode()
              + ", DRF "
              + expected.getJsonObject("headers").encode());
    }
    if (!expected.getString("kind").equals(actual.getString("kind"))
        || !Objects.equals(expected.getValue("body"), actual.getValue("body"))) {
      problems.add(
          "body ("
              + actual.getString("kind")
              + ")\n      "
              + actual.getValue("body")
              + "\n    DRF ("
              + expected.getString("kind")
              + ")\n      "
              + expected.getValue("body"));
    }
    return problems;
  }

  /** A deliberate difference: the service's own status, and its detail when one is named. */
  private static List<String> deliberately(JsonObject deliberate, JsonObject actual) {
    List<String> problems = new ArrayList<>();
    if (!deliberate.getInteger("status").equals(actual.getInteger("status"))) {
      problems.add(
          "status "
              + actual.getInteger("status")
              + ", deliberately "
              + deliberate.getInteger("status")
              + " ("
              + deliberate.getString("why")
              + ")");
    }
    if (deliberate.containsKey("detail")) {
      String detail = new JsonObject().put("detail", deliberate.getString("detail")).encode();
      if (!detail.equals(actual.getString("body"))) {
        problems.add("body " + actual.getString("body") + ", deliberately " + detail);
      }
    }
    return problems;
  }

  static String mask(String json) {
    String ids = ID.matcher(json).replaceAll("$1\"<id>\"");
    return TIMESTAMP.matcher(ids).replaceAll("$1\"<timestamp>\"");
  }

  /** What the page shows of the answer, as the recorder reads DRF's page. */
  static JsonObject page(String html) {
    String[] lines = preText(html, "response-info").split("\n", -1);
    JsonObject headers = new JsonObject();
    int at = 1;
    while (at < lines.length && HEADER_LINE.matcher(lines[at]).matches()) {
      String[] header = lines[at].split(": ", 2);
      if (PAGE_HEADERS.contains(header[0])) {
        headers.put(header[0], header[1]);
      }
      at++;
    }
    if (at < lines.length && lines[at].isEmpty()) {
      at++; // the blank line between the headers and the JSON
    }
    List<String> content = List.of(lines).subList(at, lines.length);
    return new JsonObject()
        .put("request", preText(html, "request-info"))
        .put("status", lines[0])
        .put("headers", headers)
        .put("content", mask(String.join("\n", content)));
  }

  private static String preText(String html, String cssClass) {
    Matcher found =
        Pattern.compile(
                "<div class=\"" + cssClass + "\"[^>]*>\\s*<pre[^>]*>(.*?)</pre>", Pattern.DOTALL)
            .matcher(html);
    if (!found.find()) {
      return "(no " + cssClass + ")";
    }
    return unescape(TAG.matcher(found.group(1)).replaceAll(""));
  }

  /** Python's {@code html.unescape} for the entities a page holds. */
  private static String unescape(String text) {
    Matcher entity = ENTITY.matcher(text);
    StringBuilder out = new StringBuilder();
    while (entity.find()) {
      String name = entity.group(1);
      String replacement =
          switch (name) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "nbsp" -> "\u00a0";
            default -> {
              if (name.startsWith("#x")) {
                yield Character.toString(Integer.parseInt(name.substring(2), 16));
              }
              if (name.startsWith("#")) {
                yield Character.toString(Integer.parseInt(name.substring(1)));
              }
              yield entity.group();
            }
          };
      entity.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    entity.appendTail(out);
    return out.toString();
  }
}
