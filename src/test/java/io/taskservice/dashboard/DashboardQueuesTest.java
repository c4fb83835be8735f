package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.BrowserTest;
import io.taskservice.RunningNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's queues and task control in a real headless Chromium against a real node (API and
 * worker): the queues panel follows the API, and pausing, capping, cancelling a queue's waiting
 * tasks or one task from the page asks first, then changes what the API and the worker do.
 */
class DashboardQueuesTest extends BrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final Pattern CREATED = Pattern.compile("Created task (\\d+) in queue (\\S+)\\.");

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_PROCESSING_DELAY_MS", "300"));

  private void openDashboard() {
    browser.get("http://localhost:" + service.node().port() + "/dashboard/");
    waiting().until(d -> text("connection-text").equals("Live"));
  }

  /** Waits for a condition; a timeout reports what the page showed then. */
  private WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    wait.withMessage(this::pageState);
    // rows found afresh may be replaced between finding and reading: the next probe finds them
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private String pageState() {
    try {
      return String.valueOf(
          script(
              "return 'queues: ' + [...document.querySelectorAll('#queues tr')]"
                  + ".map(r => r.innerText.replace(/\\s+/g, ' ')).join(' | ')"
                  + " + '; queues message: ' + document.getElementById('queues-message').textContent"
                  + " + '; confirm: ' + document.getElementById('confirm').open + ' '"
                  + " + document.getElementById('confirm-message').textContent"
                  + " + '; tasks: ' + [...document.querySelectorAll('#tasks tr')]"
                  + ".map(r => r.dataset.id + ' ' + r.dataset.queue + ' ' + r.dataset.status)"
                  + ".join(', ')"));
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

  // --- the API, as a client sees it

  /** Creates a task from a JSON body; fails unless the answer is 201. */
  private static JsonObject create(JsonObject task) {
    HttpResponse<Buffer> response = service.api().postJson("/api/v1/tasks/", task.encode());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  /** A task that waits an hour for its time: it stays new whatever the worker does. */
  private static long scheduled(String title, String queue) {
    return create(
            new JsonObject()
                .put("title", title)
                .put("queue", queue)
                .put("run_after", Instant.now().plus(Duration.ofHours(1)).toString()))
        .getLong("id");
  }

  private static long due(String title, String queue) {
    return create(new JsonObject().put("title", title).put("queue", queue)).getLong("id");
  }

  private static JsonObject task(long id) {
    return service.api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject();
  }

  private static JsonObject queue(String name) {
    HttpResponse<Buffer> response = service.api().get("/api/v1/queues/" + name + "/");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static void patch(String name, JsonObject body) {
    HttpResponse<Buffer> response =
        service
            .api()
            .send(
                HttpMethod.PATCH,
                "/api/v1/queues/" + name + "/",
                Map.of("Content-Type", "application/json"),
                Buffer.buffer(body.encode()));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  // --- the page

  private By queueRow(String name) {
    return By.cssSelector("#queues tr[data-queue='" + name + "']");
  }

  /** What one cell of a queue's row says: a count by status, or age, consumers, state, cap. */
  private String queueCell(String name, String cell) {
    String selector =
        List.of("new", "scheduled", "processing", "stalled", "done", "failed", "cancelled")
                .contains(cell)
            ? "[data-count='" + cell + "']"
            : "[data-field='" + cell + "']";
    return browser
        .findElement(queueRow(name))
        .findElement(By.cssSelector(selector))
        .getText()
        .replaceAll("\\s+", " ")
        .trim();
  }

  private void waitForQueueRow(String name) {
    waiting().until(d -> !d.findElements(queueRow(name)).isEmpty());
  }

  /** Clicks one of a queue's actions: pause (or resume), cap, cancel. */
  private void queueAction(String name, String action) {
    browser
        .findElement(queueRow(name))
        .findElement(By.cssSelector("button[data-action='" + action + "']"))
        .click();
    waitForConfirmation();
  }

  private void waitForConfirmation() {
    waiting().until(d -> d.findElement(By.id("confirm")).getAttribute("open") != null);
  }

  private void confirm() {
    browser.findElement(By.id("confirm-ok")).click();
  }

  private void waitUntilConfirmationCloses() {
    waiting().until(d -> d.findElement(By.id("confirm")).getAttribute("open") == null);
  }

  private By taskRow(long id) {
    return By.cssSelector("#tasks tr[data-id='" + id + "']");
  }

  private WebElement waitForTaskRow(long id) {
    return waiting().until(d -> d.findElements(taskRow(id)).stream().findFirst().orElse(null));
  }

  private static String badge(WebElement row) {
    return row.findElement(By.cssSelector("td.status")).getText().replaceAll("\\s+", " ").trim();
  }

  // --- the behaviours

  @Test
  void aQueueNamedByATaskIsShownWithTheApisCountsAndFollowsThemLive() {
    scheduled("Quarterly report", "reports");
    openDashboard();

    waitForQueueRow("reports");
    waiting().until(d -> queueCell("reports", "new").equals("1"));
    // the scheduled part is an index count each node caches for up to a second
    waiting().until(d -> queueCell("reports", "scheduled").equals("1"));
    assertThat(queueCell("reports", "processing")).isEqualTo("0");
    assertThat(queueCell("reports", "cancelled")).isEqualTo("0");
    // nothing due waits yet: no age
    assertThat(queueCell("reports", "age")).isEqualTo("–");
    // this node's worker consumes every queue (once its heartbeat is in)
    Await.until(
        "the node's worker is a consumer",
        PATIENCE,
        () -> queue("reports").getInteger("consumers"),
        n -> n == 1);
    waiting().until(d -> queueCell("reports", "consumers").equals("1"));
    assertThat(queueCell("reports", "state")).isEqualTo("▸ running");
    assertThat(queueCell("reports", "cap")).isEqualTo("none");

    // followed without a reload: another task, and a queue that did not exist
    script("window.sameLoad = true");
    scheduled("Yearly report", "reports");
    scheduled("Welcome mail", "mail");
    waiting().until(d -> queueCell("reports", "new").equals("2"));
    waitForQueueRow("mail");
    // its scheduled count may be a second older than the row
    waiting().until(d -> queueCell("mail", "scheduled").equals("1"));
    assertThat(script("return window.sameLoad === true")).isEqualTo(true);
    // the queues offer themselves to the task filter
    assertThat(
            new Select(browser.findElement(By.id("queue-filter")))
                .getOptions().stream().map(WebElement::getText).toList())
        .contains("reports", "mail");
  }

  @Test
  void pausingAQueueFromThePageStopsItsClaimsUntilItIsResumed() {
    scheduled("Keeps the queue listed", "slow");
    openDashboard();
    waitForQueueRow("slow");

    queueAction("slow", "pause");
    assertThat(text("confirm-heading")).isEqualTo("Pause queue slow?");
    confirm();
    waitUntilConfirmationCloses();
    // shown as soon as the API answered, and what the API says
    waiting()
        .until(d -> "true".equals(d.findElement(queueRow("slow")).getAttribute("data-paused")));
    assertThat(queueCell("slow", "state")).isEqualTo("‖ paused");
    assertThat(text("queues-message")).isEqualTo("Queue slow paused.");
    assertThat(queue("slow").getBoolean("paused")).isTrue();

    // the worker claims other queues' tasks, not this one's
    long waiting = due("Waits for the resume", "slow");
    long other = due("Runs meanwhile", "default");
    Await.until(
        "the other queue's task is final",
        PATIENCE,
        () -> task(other).getString("status"),
        s -> s.equals("done") || s.equals("failed"));
    assertThat(task(waiting).getString("status")).isEqualTo("new");
    waiting().until(d -> queueCell("slow", "new").equals("2"));
    assertThat(queueCell("slow", "processing")).isEqualTo("0");

    queueAction("slow", "pause");
    assertThat(text("confirm-heading")).isEqualTo("Resume queue slow?");
    confirm();
    waitUntilConfirmationCloses();
    waiting()
        .until(d -> "false".equals(d.findElement(queueRow("slow")).getAttribute("data-paused")));
    assertThat(text("queues-message")).isEqualTo("Queue slow resumed.");
    assertThat(queue("slow").getBoolean("paused")).isFalse();
    Await.until(
        "the waiting task is processed once resumed",
        PATIENCE,
        () -> task(waiting).getString("status"),
        s -> s.equals("done") || s.equals("failed"));
  }

  @Test
  void goingBackFromTheQuestionChangesNothing() {
    scheduled("Keeps the queue listed", "calm");
    openDashboard();
    waitForQueueRow("calm");

    queueAction("calm", "pause");
    browser.findElement(By.id("confirm-back")).click();
    waitUntilConfirmationCloses();

    assertThat(queue("calm").getBoolean("paused")).isFalse();
    assertThat(text("queues-message")).isEmpty();
    assertThat(browser.findElement(queueRow("calm")).getAttribute("data-paused"))
        .isEqualTo("false");
  }

  @Test
  void theCapIsSetAndClearedFromThePageAndARefusalShowsTheApisMessage() {
    scheduled("Keeps the queue listed", "capped");
    openDashboard();
    waitForQueueRow("capped");

    queueAction("capped", "cap");
    WebElement input = browser.findElement(By.id("confirm-input"));
    assertThat(browser.switchTo().activeElement()).isEqualTo(input);
    input.clear();
    input.sendKeys("0");
    confirm();
    // refused: the question stays, with the API's own words
    waiting()
        .until(
            d ->
                text("confirm-message")
                    .equals("max_running: Ensure this value is greater than or equal to 1."));
    assertThat(input.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(queue("capped").getValue("max_running")).isNull();

    input.clear();
    input.sendKeys("3");
    confirm();
    waitUntilConfirmationCloses();
    waiting().until(d -> queueCell("capped", "cap").equals("3"));
    assertThat(text("queues-message")).isEqualTo("Queue capped: at most 3 processing at once.");
    assertThat(queue("capped").getInteger("max_running")).isEqualTo(3);

    queueAction("capped", "cap");
    assertThat(browser.findElement(By.id("confirm-input")).getAttribute("value")).isEqualTo("3");
    browser.findElement(By.id("confirm-input")).clear();
    confirm();
    waitUntilConfirmationCloses();
    waiting().until(d -> queueCell("capped", "cap").equals("none"));
    assertThat(queue("capped").getValue("max_running")).isNull();
  }

  @Test
  void cancellingAQueuesWaitingTasksShowsHowManyWereCancelled() {
    for (int i = 0; i < 3; i++) {
      scheduled("Batch " + i, "batch");
    }
    long elsewhere = scheduled("Another queue's", "other");
    openDashboard();
    waitForQueueRow("batch");
    waiting().until(d -> queueCell("batch", "new").equals("3"));
    // the scheduled count may be a second older than the others
    waiting().until(d -> queueCell("batch", "scheduled").equals("3"));

    queueAction("batch", "cancel");
    assertThat(text("confirm-text")).startsWith("3 waiting (new) now, 3 of them scheduled");
    confirm();
    waitUntilConfirmationCloses();

    waiting()
        .until(d -> text("queues-message").equals("Cancelled 3 waiting tasks of queue batch."));
    JsonObject counts = queue("batch").getJsonObject("counts");
    assertThat(counts.getLong("new")).isZero();
    assertThat(counts.getLong("cancelled")).isEqualTo(3);
    assertThat(task(elsewhere).getString("status")).isEqualTo("new");
    waiting().until(d -> queueCell("batch", "cancelled").equals("3"));
    assertThat(queueCell("batch", "new")).isEqualTo("0");
    waiting().until(d -> text("count-cancelled").equals("3"));
  }

  @Test
  void aTaskIsCancelledFromItsRow() {
    long id = scheduled("Send the newsletter", "default");
    openDashboard();
    WebElement row = waitForTaskRow(id);
    assertThat(row.findElement(By.cssSelector("td.queue")).getText()).isEqualTo("default");
    assertThat(row.findElement(By.cssSelector("td.run-after")).getText()).startsWith("⏲ ");

    row.findElement(By.cssSelector("td.action button")).click();
    waitForConfirmation();
    assertThat(text("confirm-heading")).isEqualTo("Cancel task " + id + "?");
    confirm();
    waitUntilConfirmationCloses();

    // the row that was there changes in place
    waiting().until(d -> "cancelled".equals(row.getAttribute("data-status")));
    assertThat(badge(row)).isEqualTo("⊘ cancelled");
    assertThat(text("tasks-message")).isEqualTo("Task " + id + " cancelled.");
    assertThat(task(id).getString("status")).isEqualTo("cancelled");
    // a final task offers no cancel
    assertThat(row.findElement(By.cssSelector("td.action button")).isDisplayed()).isFalse();
    // and the status filter knows the new status
    browser.findElement(By.cssSelector("input[name='filter'][value='cancelled']")).click();
    waiting().until(d -> d.findElements(By.cssSelector("#tasks tr")).size() == 1);
    assertThat(browser.findElements(taskRow(id))).hasSize(1);
  }

  @Test
  void aTaskIsCancelledFromItsHistory() {
    long id = scheduled("Rebuild the search index", "default");
    openDashboard();
    waitForTaskRow(id).findElement(By.cssSelector(".title button")).click();
    waiting().until(d -> d.findElement(By.id("history")).getAttribute("open") != null);
    waiting().until(d -> d.findElements(By.cssSelector("#history-events li")).size() == 1);

    browser.findElement(By.id("history-cancel")).click();
    waitForConfirmation();
    confirm();
    waitUntilConfirmationCloses();

    waiting().until(d -> text("history-message").equals("Task " + id + " cancelled."));
    waiting().until(d -> d.findElements(By.cssSelector("#history-events li")).size() == 2);
    assertThat(
            browser
                .findElements(By.cssSelector("#history-events li"))
                .get(1)
                .getText()
                .replaceAll("\\s+", " "))
        .contains("cancelled → ⊘ cancelled");
    assertThat(browser.findElement(By.id("history-cancel")).isDisplayed()).isFalse();
    assertThat(browser.findElement(By.id("history")).getAttribute("open")).isNotNull();
    assertThat(task(id).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void theCreateFormSetsQueuePriorityAndRunAfter() {
    openDashboard();
    browser.findElement(By.id("create-title")).sendKeys("Made with a queue");
    browser.findElement(By.id("create-queue")).sendKeys("mail");
    browser.findElement(By.id("create-priority")).sendKeys("4");
    // an hour ahead, in the browser's local time as the input takes it
    script(
        "const d = new Date(Date.now() + 3600e3), p = (n) => String(n).padStart(2, '0');"
            + "document.getElementById('create-run-after').value = d.getFullYear() + '-'"
            + " + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':'"
            + " + p(d.getMinutes()) + ':' + p(d.getSeconds());");
    Instant before = Instant.now();
    browser.findElement(By.cssSelector("#create-form button[type='submit']")).click();

    waiting().until(d -> CREATED.matcher(text("create-message")).matches());
    Matcher created = CREATED.matcher(text("create-message"));
    assertThat(created.matches()).isTrue();
    long id = Long.parseLong(created.group(1));
    assertThat(created.group(2)).isEqualTo("mail");
    JsonObject task = task(id);
    assertThat(task.getString("title")).isEqualTo("Made with a queue");
    assertThat(task.getString("queue")).isEqualTo("mail");
    assertThat(task.getInteger("priority")).isEqualTo(4);
    assertThat(task.getString("status")).isEqualTo("new");
    Instant runAfter = Instant.parse(task.getString("run_after"));
    assertThat(runAfter)
        .isAfter(before.plus(Duration.ofMinutes(59)))
        .isBefore(before.plus(Duration.ofMinutes(61)));
    WebElement row = waitForTaskRow(id);
    assertThat(row.findElement(By.cssSelector("td.queue")).getText()).isEqualTo("mail");
    assertThat(row.findElement(By.cssSelector("td.priority")).getText()).isEqualTo("4");
    waitForQueueRow("mail");

    // a priority out of range: the API's message, the field marked
    browser.findElement(By.id("create-title")).sendKeys("Too urgent");
    WebElement priority = browser.findElement(By.id("create-priority"));
    priority.clear();
    priority.sendKeys("12");
    browser.findElement(By.cssSelector("#create-form button[type='submit']")).click();
    waiting()
        .until(
            d ->
                text("create-message")
                    .equals("Priority: Ensure this value is less than or equal to 9."));
    assertThat(priority.getAttribute("aria-invalid")).isEqualTo("true");
  }

  @Test
  void theLatestTasksAreFilteredByQueue() {
    long alpha = scheduled("First of alpha", "alpha");
    long beta = scheduled("First of beta", "beta");
    openDashboard();
    waitForTaskRow(alpha);
    waitForTaskRow(beta);
    waitForQueueRow("beta");

    new Select(browser.findElement(By.id("queue-filter"))).selectByValue("beta");
    waiting().until(d -> shownIds().equals(List.of(beta)));

    // live: a new task of the queue shows up, one of another queue does not
    long alphaAgain = scheduled("Second of alpha", "alpha");
    long betaAgain = scheduled("Second of beta", "beta");
    waitForTaskRow(betaAgain);
    assertThat(browser.findElements(taskRow(alphaAgain))).isEmpty();
    assertThat(
            browser.findElements(By.cssSelector("#tasks tr")).stream()
                .map(r -> r.getAttribute("data-queue"))
                .toList())
        .containsOnly("beta");

    new Select(browser.findElement(By.id("queue-filter"))).selectByValue("");
    waiting().until(d -> shownIds().equals(List.of(betaAgain, alphaAgain, beta, alpha)));
  }

  /** The ids of the tasks listed, top to bottom. */
  private List<Long> shownIds() {
    return browser.findElements(By.cssSelector("#tasks tr")).stream()
        .map(r -> Long.parseLong(r.getAttribute("data-id")))
        .toList();
  }
}
