package io.taskservice;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.chrome.ChromeDriver;

/** A test with a fresh headless Chromium ({@link Chromium}) for each test method, quit after it. */
public abstract class BrowserTest {
  protected ChromeDriver browser;

  @BeforeEach
  void startBrowser() {
    browser = Chromium.start();
  }

  @AfterEach
  void quitBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }
}
