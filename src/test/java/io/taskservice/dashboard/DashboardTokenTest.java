package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.BrowserTest;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard of a node with API tokens, in a real headless Chromium. */
class DashboardTokenTest extends BrowserTest {
  private static final String TOKEN = "dash-browser-token-5e7a";
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node =
        Node.start(TestDatabase.config(Map.of("TASKS_API_TOKENS", TOKEN)))
            .await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void thePageAsksForTheTokenOnceAndKeepsItForTheTab() {
    browser.get("http://localhost:" + node.port() + "/dashboard/");
    WebElement dialog = browser.findElement(By.id("token"));
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    wait.until(d -> dialog.getAttribute("open") != null);
    // the page's own files came without a token: its title and form are there
    assertThat(browser.getTitle()).isEqualTo("task-service dashboard");
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("token-input");

    browser.switchTo().activeElement().sendKeys("not-the-token", Keys.ENTER);
    wait.until(d -> d.findElement(By.id("token-reason")).getText().contains("not accepted"));
    assertThat(dialog.getAttribute("open")).isNotNull();

    browser.findElement(By.id("token-input")).sendKeys(TOKEN, Keys.ENTER);
    wait.until(d -> dialog.getAttribute("open") == null);
    // the data calls now carry it: the figures arrive
    wait.until(d -> d.findElement(By.id("completions")).getText().equals("0"));
    assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);

    browser.navigate().refresh();
    wait.until(d -> d.findElement(By.id("completions")).getText().equals("0"));
    assertThat(browser.findElement(By.id("token")).getAttribute("open")).isNull();
    assertThat(
            ((JavascriptExecutor) browser)
                .executeScript("return sessionStorage.getItem('task-service.token')"))
        .isEqualTo(TOKEN);
    assertThat(((JavascriptExecutor) browser).executeScript("return localStorage.length"))
        .isEqualTo(0L);
  }
}
