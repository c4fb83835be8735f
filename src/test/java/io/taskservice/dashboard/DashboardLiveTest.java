package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.Await;
import io.taskservice.BrowserTest;
import io.taskservice.Chromium;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard following the cluster live in a real headless Chromium: tasks created through the
 * API appear and change status in place, counts and chart follow, and the page resumes the event
 * stream after its node restarts, all without a reload.
 */
class DashboardLiveTest extends BrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(
          Map.of(
              "TASKS_PROCESSING_DELAY_MS", "300",
              "TASKS_NEW_GRACE_MS", "3600000",
              "TASKS_QUEUES", "default"));

  private final List<Node> extraNodes = new ArrayList<>();

  @AfterEach
  void stopExtraNodes() throws Exception {
    for (Node extra : extraNodes) {
      extra.close().await(30, TimeUnit.SECONDS);
    }
  }

  private Node extraNode(Map<String, String> settings) throws Exception {
    Node started = TestNodes.started(settings);
    extraNodes.add(started);
    return started;
  }

  /**
   * Opens the dashboard of the service.node() on {@code port}, waits until it follows the stream.
   */
  private void openDashboard(int port) {
    browser.get("http://localhost:" + port + "/dashboard/");
    waitForConnection("Live");
    // gone if the page ever reloads
    script("window.sameLoad = true");
  }

  private void waitForConnection(String state) {
    waiting().until(d -> text("connection-text").equals(state));
  }

  /** Waits for a condition; a timeout reports what the page showed then. */
  private WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    wait.withMessage(this::pageState);
    // a row found afresh may go between finding and reading it; the next probe finds it again. A
    // row held across probes that goes stale stays stale: that wait times out
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private String pageState() {
    try {
      return String.valueOf(
          script(
              "return 'connection: ' + document.getElementById('connection-text').textContent"
                  + " + '; counts: ' + ['new', 'processing', 'done', 'failed']"
                  + ".map(s => s + ' ' + document.getElementById('count-' + s).textContent)"
                  + " + '; chart: ' + JSON.stringify(document.getElementById('chart').dataset)"
                  + " + '; rows: ' + [...document.querySelectorAll('#tasks tr')]"
                  + ".map(r => r.dataset.id + ' ' + r.dataset.status).join(', ')"));
    } catch (RuntimeException e) {
      return "page not readable: " + e.getMessage();
    }
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  private By row(long id) {
    return By.cssSelector("#tasks tr[data-id='" + id + "']");
  }

  /** The row of task {@code id}, once the list shows it. */
  private static long createIn(ApiClient api, String title, String queue) {
    var response =
        api.postJson(
            "/api/v1/tasks/",
            new io.vertx.core.json.JsonObject().put("title", title).put("queue", queue).encode());
    assertThat(response.statusCode()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }

  private WebElement waitForRow(long id) {
    return waiting().until(d -> d.findElements(row(id)).stream().findFirst().orElse(null));
  }

  /** What a row's status cell says, e.g. "✓ done" (glyph and word, whatever the line breaks). */
  private static String badge(WebElement row) {
    return row.findElement(By.cssSelector("td.status")).getText().replaceAll("\\s+", " ").trim();
  }

  private static String shown(String status) {
    return switch (status) {
      case "new" -> "○ new";
      case "processing" -> "◔ processing";
      case "done" -> "✓ done";
      case "failed" -> "✕ failed";
      default -> throw new IllegalArgumentException(status);
    };
  }

  private void assertNotReloaded() {
    assertThat(script("return window.sameLoad === true")).isEqualTo(true);
  }

  /** The list's {@code count} for one status, as a DRF client reads it. */
  private static long apiCount(ApiClient client, String status) {
    return client.get("/api/v1/tasks/?status=" + status).bodyAsJsonObject().getLong("count");
  }

  private static String status(ApiClient client, long id) {
    return client.get("/api/v1/tasks/" + id + "/").bodyAsJsonObject().getString("status");
  }

  private long chartTotal(String series) {
    String value = browser.findElement(By.id("chart")).getAttribute("data-" + series);
    return value == null ? -1 : Long.parseLong(value);
  }

  /** How the processing ends: titles with an even number of characters end done. */
  private static String outcome(String title) {
    return title.length() % 2 == 0 ? "done" : "failed";
  }

  @Test
  void aTaskCreatedThroughTheApiAppearsAndTurnsFinalInPlace() {
    openDashboard(service.node().port());

    for (String title : new String[] {"Send invoice", "Resize images"}) {
      long id = service.api().create(title).getLong("id");
      WebElement row = waitForRow(id);
      assertThat(row.findElement(By.cssSelector(".title")).getText()).isEqualTo(title);
      // the row that appeared is the one that changes: a replaced row would be stale here
      waiting().until(d -> badge(row).equals(shown(outcome(title))));
      assertThat(status(service.api(), id)).isEqualTo(outcome(title));
      assertThat(row.getAttribute("data-status")).isEqualTo(outcome(title));
    }
    assertNotReloaded();
    assertThat(Chromium.consoleErrors(browser)).isEmpty();
  }

  @Test
  void everyStatusIsShownAsTheTaskMovesThroughIt() throws Exception {
    // a node that serves the API but processes nothing: its tasks stay new until a worker comes
    Node http = extraNode(Map.of("TASKS_ROLE", "http"));
    ApiClient httpApi = new ApiClient(http.vertx(), http.port());
    openDashboard(http.port());

    // in a queue no worker of the test's other nodes consumes
    long done = createIn(httpApi, "Nightly export", "nightly");
    long failed = createIn(httpApi, "Check links", "nightly");
    WebElement doneRow = waitForRow(done);
    WebElement failedRow = waitForRow(failed);
    waiting()
        .until(d -> badge(doneRow).equals(shown("new")) && badge(failedRow).equals(shown("new")));
    waiting().until(d -> text("count-new").equals("2"));

    // a worker that holds each task long enough to be seen processing
    extraNode(
        Map.of(
            "TASKS_ROLE", "worker",
            "TASKS_QUEUES", "nightly",
            "TASKS_PROCESSING_DELAY_MS", "6000",
            "TASKS_NEW_GRACE_MS", "100"));
    waiting()
        .until(
            d ->
                badge(doneRow).equals(shown("processing"))
                    && badge(failedRow).equals(shown("processing")));
    waiting().until(d -> text("count-processing").equals("2"));

    waiting().until(d -> badge(doneRow).equals(shown("done")));
    waiting().until(d -> badge(failedRow).equals(shown("failed")));
    waiting().until(d -> text("count-done").equals("1") && text("count-failed").equals("1"));
    assertNotReloaded();
  }

  @Test
  void theCountsShownAreTheApisOnceSettled() {
    openDashboard(service.node().port());
    String[] titles = {"ab", "abc", "abcd", "abcde", "abcdef", "x"};
    for (String title : titles) {
      service.api().create(title);
    }

    Await.until(
        "every task is final",
        PATIENCE,
        () -> apiCount(service.api(), "new") + apiCount(service.api(), "processing"),
        unfinished -> unfinished == 0);
    for (String status : new String[] {"new", "processing", "done", "failed"}) {
      String expected = Long.toString(apiCount(service.api(), status));
      waiting().until(d -> text("count-" + status).equals(expected));
    }
    assertThat(text("count-done")).isEqualTo("3");
    assertThat(text("count-failed")).isEqualTo("3");
    assertNotReloaded();
  }

  @Test
  void theChartAndPercentilesCountWhatWasCreatedAndFinished() {
    openDashboard(service.node().port());
    waiting().until(d -> chartTotal("created") >= 0);
    assertThat(browser.findElement(By.id("chart")).getAttribute("data-points")).isEqualTo("900");
    long created = chartTotal("created");
    long finished = chartTotal("finished");

    service.api().create("ab");
    service.api().create("abc");
    waiting().until(d -> chartTotal("created") == created + 2);
    waiting().until(d -> chartTotal("finished") == finished + 2);
    // the table emptied and its ids restarted: tasks 1 and 2 again, but other tasks
    TestDatabase.reset();
    service.api().create("abcd");
    service.api().create("abcde");
    waiting().until(d -> chartTotal("created") == created + 4);
    waiting().until(d -> chartTotal("finished") == finished + 4);

    assertThat(text("p50")).matches("[0-9.,]+ (ms|s)");
    assertThat(text("p95")).matches("[0-9.,]+ (ms|s)");
    assertThat(Long.parseLong(text("completions"))).isGreaterThanOrEqualTo(4);
    assertThat(text("chart-summary")).contains(" created, ");
    assertNotReloaded();
  }

  @Test
  void theFilterShowsOnlyTasksOfThatStatus() {
    for (String title : new String[] {"ab", "abc", "abcd", "abcde"}) {
      service.api().create(title);
    }
    Await.until(
        "every task is final",
        PATIENCE,
        () -> apiCount(service.api(), "new") + apiCount(service.api(), "processing"),
        unfinished -> unfinished == 0);
    openDashboard(service.node().port());
    waiting().until(d -> d.findElements(By.cssSelector("#tasks tr")).size() == 4);

    browser.findElement(By.cssSelector("input[name='filter'][value='failed']")).click();
    waiting().until(d -> d.findElements(By.cssSelector("#tasks tr")).size() == 2);
    assertThat(shownStatuses()).containsOnly("failed");

    // while filtered, a new failure shows up; a new success does not
    long success = service.api().create("abcdef").getLong("id");
    long failure = service.api().create("abcdefg").getLong("id");
    waitForRow(failure);
    Await.until("both are final", PATIENCE, () -> status(service.api(), success), "done"::equals);
    waiting().until(d -> badge(d.findElement(row(failure))).equals(shown("failed")));
    assertThat(browser.findElements(row(success))).isEmpty();
    assertThat(shownStatuses()).containsOnly("failed").hasSize(3);

    browser.findElement(By.cssSelector("input[name='filter'][value='done']")).click();
    waiting().until(d -> d.findElements(row(success)).size() == 1);
    assertThat(shownStatuses()).containsOnly("done").hasSize(3);
    assertNotReloaded();
  }

  /** The status word of every row shown. */
  private List<String> shownStatuses() {
    return browser.findElements(By.cssSelector("#tasks tr")).stream()
        .map(r -> badge(r).replaceAll("^\\S+ ", ""))
        .toList();
  }

  @Test
  void clickingATaskOpensItsHistory() {
    openDashboard(service.node().port());
    long id = service.api().create("Rebuild index").getLong("id");
    WebElement row = waitForRow(id);
    waiting().until(d -> badge(row).equals(shown("failed")));

    row.findElement(By.cssSelector(".title button")).click();
    WebElement dialog = browser.findElement(By.id("history"));
    waiting().until(d -> dialog.getAttribute("open") != null);
    assertThat(text("history-heading")).isEqualTo("Task " + id + ": Rebuild index");
    By entries = By.cssSelector("#history-events li");
    waiting().until(d -> d.findElements(entries).size() == 3);
    List<String> lines =
        browser.findElements(entries).stream()
            .map(e -> e.getText().replaceAll("\\s+", " "))
            .toList();
    assertThat(lines.get(0)).contains("created").contains("new");
    assertThat(lines.get(1)).contains("claimed").contains("processing");
    assertThat(lines.get(2)).contains("finished").contains("failed").contains("result error");
    JsonArray history = service.api().get("/api/v1/tasks/" + id + "/history/").bodyAsJsonArray();
    assertThat(history).hasSize(3);
  }

  @Test
  void afterItsNodeRestartsThePageResumesAndShowsWhatHappenedMeanwhile() throws Exception {
    Node first = extraNode(Map.of("TASKS_PROCESSING_DELAY_MS", "300"));
    int port = first.port();
    // another node of the cluster, up all along
    Node other = extraNode(Map.of("TASKS_PROCESSING_DELAY_MS", "300"));
    ApiClient otherApi = new ApiClient(other.vertx(), other.port());
    openDashboard(port);
    long before = otherApi.create("Before the restart").getLong("id");
    waiting().until(d -> badge(d.findElement(row(before))).equals(shown("done")));
    long listCalls = listCalls();

    first.close().await(30, TimeUnit.SECONDS);
    waitForConnection("Reconnecting…");
    long meanwhile = otherApi.create("Created meanwhile").getLong("id");
    Await.until("it is final", PATIENCE, () -> status(otherApi, meanwhile), "failed"::equals);

    Node again =
        extraNode(
            Map.of("TASKS_PROCESSING_DELAY_MS", "300", "TASKS_HTTP_PORT", Integer.toString(port)));
    assertThat(again.port()).isEqualTo(port);
    waitForConnection("Live");
    waiting().until(d -> !d.findElements(row(meanwhile)).isEmpty());
    waiting().until(d -> badge(d.findElement(row(meanwhile))).equals(shown("failed")));
    // it came from the resumed stream, not from listing the tasks again
    assertThat(listCalls()).isEqualTo(listCalls);
    assertNotReloaded();

    long after = otherApi.create("After the restart!").getLong("id");
    waiting().until(d -> badge(d.findElement(row(after))).equals(shown("done")));
  }

  /** How many times the page has listed the tasks (GET /api/v1/tasks/?...). */
  private long listCalls() {
    return (Long)
        script(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => new URL(e.name).pathname === '/api/v1/tasks/').length");
  }
}
