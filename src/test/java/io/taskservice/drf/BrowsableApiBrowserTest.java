package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.BrowserTest;
import io.taskservice.Chromium;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browsable API in a real headless Chromium, under the service's Content-Security-Policy, on a
 * node with API tokens: the page shows the 401 and a token field, and with the token its script
 * shows the answers and sends the forms.
 */
class BrowsableApiBrowserTest extends BrowserTest {
  private static final String TOKEN = "browsable-token-81c2";
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node =
        Node.start(TestDatabase.config(Map.of("TASKS_API_TOKENS", TOKEN, "TASKS_ROLE", "http")))
            .await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void emptyTables() {
    TestDatabase.reset();
  }

  private String responseText() {
    return browser.findElement(By.cssSelector(".response-info pre")).getText();
  }

  @Test
  void thePageShowsThe401UntilATokenIsGivenThenSendsItWithEveryRequest() {
    // the script replaces the page's body with each answer: elements found before go stale
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    wait.ignoring(StaleElementReferenceException.class);
    browser.get("http://localhost:" + node.port() + "/api/v1/tasks/");
    assertThat(responseText())
        .startsWith("HTTP 401 Unauthorized")
        .contains("WWW-Authenticate: Bearer realm=\"api\"")
        .contains("\"detail\": \"Authentication credentials were not provided.\"");
    assertThat(browser.findElement(By.id("token-form")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.linkText("Swagger UI")).getAttribute("href"))
        .endsWith("/swagger/");

    browser.findElement(By.id("token")).sendKeys(TOKEN, Keys.ENTER);
    wait.until(d -> responseText().startsWith("HTTP 200 OK"));
    assertThat(responseText()).contains("\"count\": 0");

    // the HTML form, sent by the script with the token
    browser.findElement(By.id("post-title")).sendKeys("<b>from the page</b>");
    browser.findElement(By.cssSelector("form.html-form button")).click();
    wait.until(d -> responseText().startsWith("HTTP 201 Created"));
    assertThat(responseText()).contains("\"title\": \"<b>from the page</b>\"");
    assertThat(browser.findElements(By.tagName("b")).stream().map(e -> e.getText()))
        .doesNotContain("from the page");

    // the raw data form, in JSON
    browser.findElement(By.id("raw-content")).clear();
    browser.findElement(By.id("raw-content")).sendKeys("{\"title\": \"raw\"}");
    new Select(browser.findElement(By.id("raw-type"))).selectByVisibleText("application/json");
    browser.findElement(By.cssSelector("form.raw-form button")).click();
    wait.until(d -> responseText().contains("\"title\": \"raw\""));
    assertThat(responseText()).startsWith("HTTP 201 Created");

    // a link followed by the script keeps the token; a reload repeats the request with it
    browser.findElement(By.linkText("Task List")).click();
    wait.until(d -> responseText().contains("\"count\": 2"));
    browser.navigate().refresh();
    wait.until(d -> responseText().contains("\"count\": 2"));
    assertThat(
            ((JavascriptExecutor) browser)
                .executeScript("return sessionStorage.getItem('task-service.token')"))
        .isEqualTo(TOKEN);
    assertThat(Chromium.consoleErrors(browser)).filteredOn(e -> !e.contains("401")).isEmpty();
  }
}
