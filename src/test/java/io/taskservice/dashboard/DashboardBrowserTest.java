package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.BrowserTest;
import io.taskservice.Chromium;
import io.taskservice.RunningNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real node: it loads clean, follows the
 * cluster live without a reload, and works by keyboard and at a phone's width.
 */
class DashboardBrowserTest extends BrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_PROCESSING_DELAY_MS", "300"));

  private String url() {
    return "http://localhost:" + service.node().port() + "/dashboard/";
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, PATIENCE);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  @Test
  void phoneWidthNeedsNoSidewaysScroll() throws Exception {
    Chromium.phone(browser);
    // long titles without spaces are the hardest to fit
    service.api().create("x".repeat(255));
    service.api().create("Quarterly-report-for-the-north-eastern-region-with-all-attachments");
    browser.get(url());
    waiting().until(d -> browser.findElements(By.cssSelector("#tasks tr")).size() == 2);

    long viewport = (Long) script("return window.innerWidth");
    long scrollWidth = (Long) script("return document.documentElement.scrollWidth");
    assertThat(viewport).isEqualTo(390);
    assertThat(scrollWidth).isLessThanOrEqualTo(viewport);
    screenshot("phone");
  }

  @Test
  void keyboardReachesTheFormTheFilterAndATasksHistory() {
    long id = service.api().create("Keyboard task").getLong("id");
    browser.get(url());
    By row = By.cssSelector("#tasks tr[data-id='" + id + "'] button");
    waiting().until(ExpectedConditions.presenceOfElementLocated(row));

    assertThat(tabUntil(By.id("create-title"))).isTrue();
    assertThat(tabUntil(By.cssSelector("input[name='filter'][value='']"))).isTrue();
    assertThat(tabUntil(row)).isTrue();
    browser.switchTo().activeElement().sendKeys(Keys.ENTER);

    WebElement dialog = browser.findElement(By.id("history"));
    waiting().until(d -> dialog.getAttribute("open") != null);
    assertThat(text("history-heading")).isEqualTo("Task " + id + ": Keyboard task");
    browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
    waiting().until(d -> dialog.getAttribute("open") == null);
  }

  /** Presses Tab until {@code target} has the focus; false if it never gets it. */
  private boolean tabUntil(By target) {
    WebElement wanted = browser.findElement(target);
    for (int i = 0; i < 40; i++) {
      if (browser.switchTo().activeElement().equals(wanted)) {
        return true;
      }
      browser.switchTo().activeElement().sendKeys(Keys.TAB);
    }
    return false;
  }

  @Test
  void theCreateFormAddsATask() {
    browser.get(url());
    WebElement title = browser.findElement(By.id("create-title"));
    title.sendKeys("Made in the form", Keys.ENTER);

    waiting().until(d -> text("create-message").startsWith("Created task "));
    long id = Long.parseLong(text("create-message").replaceAll("\\D", ""));
    assertThat(service.api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject().getString("title"))
        .isEqualTo("Made in the form");
    waiting()
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#tasks tr[data-id='" + id + "']")));
  }

  @Test
  void aBlankTitleIsRefusedWithTheApisMessage() {
    browser.get(url());
    browser.findElement(By.id("create-title")).sendKeys("   ", Keys.ENTER);

    waiting().until(d -> text("create-message").contains("may not be blank"));
    assertThat(browser.findElement(By.id("create-title")).getAttribute("aria-invalid"))
        .isEqualTo("true");
  }

  @Test
  void theCountsAreTheApis() {
    for (String title : new String[] {"even", "odd", "four", "three", "ab"}) {
      service.api().create(title);
    }
    browser.get(url());

    Await.until(
        "every task is final",
        PATIENCE,
        () -> apiCount("new") + apiCount("processing"),
        unfinished -> unfinished == 0);
    for (String status : new String[] {"new", "processing", "done", "failed"}) {
      String expected = Long.toString(apiCount(status));
      waiting().until(d -> text("count-" + status).equals(expected));
    }
    assertThat(text("count-done")).isEqualTo("3");
    assertThat(text("count-failed")).isEqualTo("2");
  }

  /** The list's {@code count} for one status, as a DRF client reads it. */
  private static long apiCount(String status) {
    return service.api().get("/api/v1/tasks/?status=" + status).bodyAsJsonObject().getLong("count");
  }

  private void screenshot(String name) throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(
        shot.toPath(),
        new File(Chromium.screenshotDir(), "dashboard-" + name + ".png").toPath(),
        StandardCopyOption.REPLACE_EXISTING);
  }
}
