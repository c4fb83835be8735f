package io.taskservice;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by its chromedriver, for the dashboard's browser tests. Both
 * come from the distribution ({@code apt-get install chromium chromium-driver}; {@code .ci/run}
 * installs them); nothing is downloaded at test time. Without them the tests fail on CI (where
 * {@code CI} is set) and are skipped, loudly, elsewhere.
 */
public final class Chromium {
  private static final Path BINARY = Path.of(env("CHROMIUM_BIN", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

  private Chromium() {}

  /** A fresh browser (its own profile) with a desktop-sized window. */
  public static ChromeDriver start() {
    requireInstalled();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments(
        "--headless=new",
        // CI runs as root, where Chromium's sandbox cannot start
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1280,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            // the driver's and browser's own chatter (D-Bus, GPU) stays out of the test output
            .withLogFile(new File("target/chromedriver.log"))
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    return driver;
  }

  /** The browser console's errors so far (each read returns only new entries). */
  public static List<String> consoleErrors(ChromeDriver driver) {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  /** A phone's viewport: 390 CSS pixels wide, as an iPhone 12-15. */
  public static void phone(ChromeDriver driver) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 390, "height", 844, "deviceScaleFactor", 3, "mobile", true));
  }

  private static void requireInstalled() {
    boolean installed = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    if (installed) {
      return;
    }
    String message =
        "Browser tests need Chromium and its driver at "
            + BINARY
            + " and "
            + DRIVER
            + " (Debian: apt-get install chromium chromium-driver; or set CHROMIUM_BIN and"
            + " CHROMEDRIVER_BIN)";
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(message);
    }
    System.err.println("SKIPPED: " + message);
    Assumptions.abort(message);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  public static File screenshotDir() {
    File dir = new File("target/dashboard-screenshots");
    dir.mkdirs();
    return dir;
  }
}
