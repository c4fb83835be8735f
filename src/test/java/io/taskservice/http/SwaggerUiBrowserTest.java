package io.taskservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.BrowserTest;
import io.taskservice.Chromium;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Swagger UI in a real headless Chromium, opened by the node's IP address rather than the
 * contract's localhost:8000: "Try it out" calls the node the page came from, with a token when the
 * API wants one.
 */
class SwaggerUiBrowserTest extends BrowserTest {
  private static final String TOKEN = "swagger-browser-token-3c1d";
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final By LIST = By.id("operations-tasks-listTasks");
  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  private void startNode(Map<String, String> settings) throws Exception {
    node = Node.start(TestDatabase.config(settings)).await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
    TestDatabase.reset();
    browser.get("http://127.0.0.1:" + node.port() + "/swagger/");
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, PATIENCE);
  }

  @Test
  void tryItOutListsTasksFromTheNodeThePageCameFrom() throws Exception {
    startNode(Map.of("TASKS_ROLE", "http"));
    new ApiClient(node.vertx(), node.port()).create("Seen through Swagger UI");

    String status = executeTheList();

    assertThat(status).isEqualTo("200");
    WebElement list = browser.findElement(LIST);
    assertThat(
            list.findElement(
                    By.cssSelector(".live-responses-table tbody .response-col_description"))
                .getText())
        .contains("Seen through Swagger UI");
    assertThat(list.findElement(By.cssSelector(".request-url")).getText())
        .contains("http://127.0.0.1:" + node.port() + "/api/v1/tasks/")
        .doesNotContain("localhost");
    assertThat(Chromium.consoleErrors(browser)).isEmpty();
  }

  @Test
  void withTokensOnTryItOutNeedsAuthorize() throws Exception {
    startNode(Map.of("TASKS_ROLE", "http", "TASKS_API_TOKENS", TOKEN));

    assertThat(executeTheList()).isEqualTo("401");

    browser.findElement(By.cssSelector(".auth-wrapper .authorize")).click();
    WebElement dialog =
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".modal-ux")));
    dialog
        .findElement(By.cssSelector("input[type='text'], input[type='password']"))
        .sendKeys(TOKEN);
    dialog.findElement(By.cssSelector("button.modal-btn.authorize")).click();
    waiting()
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.xpath(
                    "//div[contains(@class,'modal-ux')]//button[normalize-space()='Logout']")));
    dialog.findElement(By.cssSelector("button.btn-done")).click();

    browser.findElement(LIST).findElement(By.cssSelector("button.execute")).click();
    waiting().until(d -> responseStatus().equals("200"));
    assertThat(responseStatus()).isEqualTo("200");
  }

  /**
   * Expands the list operation, presses "Try it out" and "Execute"; the live status code. Each
   * button is awaited until the expanded panel has rendered it, then until it can be clicked.
   */
  private String executeTheList() {
    WebElement list = waiting().until(ExpectedConditions.presenceOfElementLocated(LIST));
    list.findElement(By.cssSelector(".opblock-summary-control")).click();
    waiting()
        .until(
            ExpectedConditions.elementToBeClickable(
                waiting()
                    .until(
                        ExpectedConditions.presenceOfNestedElementLocatedBy(
                            list, By.cssSelector(".try-out__btn")))))
        .click();
    waiting()
        .until(
            ExpectedConditions.elementToBeClickable(
                waiting()
                    .until(
                        ExpectedConditions.presenceOfNestedElementLocatedBy(
                            list, By.cssSelector("button.execute")))))
        .click();
    waiting().until(d -> !responseStatus().isEmpty());
    return responseStatus();
  }

  private String responseStatus() {
    return browser
        .findElements(
            By.cssSelector(
                "#operations-tasks-listTasks .live-responses-table .response .response-col_status"))
        .stream()
        .map(WebElement::getText)
        .map(String::trim)
        .findFirst()
        .orElse("");
  }
}
