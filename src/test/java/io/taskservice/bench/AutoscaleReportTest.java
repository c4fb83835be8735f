package io.taskservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.BrowserTest;
import io.taskservice.Chromium;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The picture of bench/autoscale.sh as a browser shows it: bench/autoscale/report.py draws a fixed
 * sample run (src/test/resources/autoscale/samples.csv, 73 s of a smoke run: one to three worker
 * nodes) into autoscale.svg and autoscale.html, and a real headless Chromium renders the page:
 * three panels with their axes and ticks, every series with one point per sampled second, the node
 * counts drawn as steps that change exactly where the samples do and reach the right tick, the
 * legend, and the throughput table per node count.
 */
class AutoscaleReportTest extends BrowserTest {
  private static final Path SAMPLE = Path.of("src/test/resources/autoscale/samples.csv");
  private static final Path OUT = Path.of("target/autoscale-report");

  @Test
  void theReportDrawsLoadBacklogAndNodeStepsThatTheBrowserRenders() throws Exception {
    List<Map<String, String>> rows = samples();
    draw();

    browser.get(OUT.resolve("autoscale.html").toAbsolutePath().toUri().toString());
    WebElement chart = browser.findElement(By.id("autoscale-chart"));
    assertThat(chart.isDisplayed()).isTrue();
    assertThat(chart.getRect().getWidth()).isGreaterThan(800);

    // three panels, each with an x and a y axis and labelled ticks
    List<WebElement> panels = chart.findElements(By.cssSelector("g.panel"));
    assertThat(panels)
        .extracting(p -> p.getAttribute("data-panel"))
        .containsExactly("rate", "backlog", "nodes");
    for (WebElement panel : panels) {
      assertThat(panel.findElements(By.cssSelector("line.axis.x"))).hasSize(1);
      assertThat(panel.findElements(By.cssSelector("line.axis.y"))).hasSize(1);
      assertThat(panel.findElements(By.cssSelector("text.tick.x")))
          .extracting(WebElement::getText)
          .startsWith("0 s", "10 s")
          .contains("70 s");
      assertThat(panel.findElements(By.cssSelector("text.tick.y")))
          .extracting(WebElement::getText)
          .startsWith("0");
    }

    // every series drawn, with one point per sampled second, inside its panel's axes
    Map<String, List<String>> seriesOf =
        Map.of(
            "rate", List.of("offered", "created", "finished"),
            "backlog", List.of("backlog", "held"),
            "nodes", List.of("desired", "nodes", "ready"));
    for (WebElement panel : panels) {
      String name = panel.getAttribute("data-panel");
      assertThat(panel.findElements(By.cssSelector(".series")))
          .extracting(s -> s.getAttribute("data-series"))
          .containsExactlyElementsOf(seriesOf.get(name));
      for (String series : seriesOf.get(name)) {
        WebElement line =
            panel.findElement(By.cssSelector(".series[data-series='" + series + "']"));
        assertThat(line.getAttribute("data-points")).isEqualTo(String.valueOf(rows.size()));
        @SuppressWarnings("unchecked")
        Map<String, Number> inside =
            (Map<String, Number>)
                script(
                    "const s = arguments[0], p = arguments[1];"
                        + "const b = s.getBBox();"
                        + "const x = p.querySelector('line.axis.x').getBBox();"
                        + "const y = p.querySelector('line.axis.y').getBBox();"
                        + "return {length: s.getTotalLength(), left: b.x - y.x,"
                        + " right: x.x + x.width - (b.x + b.width), top: b.y - y.y,"
                        + " bottom: y.y + y.height - (b.y + b.height)};",
                    line,
                    panel);
        assertThat(inside.get("length").doubleValue()).as(series).isGreaterThan(100);
        for (String edge : List.of("left", "right", "top", "bottom")) {
          assertThat(inside.get(edge).doubleValue()).as(series + " " + edge).isGreaterThan(-1.0);
        }
      }
      for (String series : seriesOf.get(name)) {
        WebElement legend =
            panel.findElement(By.cssSelector("g.legend[data-series='" + series + "'] text"));
        assertThat(legend.isDisplayed()).isTrue();
        assertThat(legend.getText()).isNotBlank();
      }
    }

    // the node counts are steps: they change where the samples change, to the right tick
    WebElement nodes = panels.get(2);
    for (String series : List.of("desired", "nodes", "ready")) {
      String d =
          nodes
              .findElement(By.cssSelector(".series[data-series='" + series + "']"))
              .getAttribute("d");
      List<Double> levels = new ArrayList<>();
      Matcher m = Pattern.compile("(?:M[\\d.]+,|V)([\\d.]+)").matcher(d);
      while (m.find()) {
        levels.add(Double.parseDouble(m.group(1)));
      }
      assertThat(levels).as(series).hasSize(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        int value = Integer.parseInt(rows.get(i).get(series));
        assertThat(levels.get(i))
            .as("%s at %s s", series, rows.get(i).get("second"))
            .isCloseTo(
                tickY(nodes, String.valueOf(value)), org.assertj.core.data.Offset.offset(1.0));
      }
    }
    assertThat(rows.stream().map(r -> r.get("ready")).distinct()).containsExactly("1", "2", "3");

    // the table of throughput per node count beside it
    List<WebElement> cells = browser.findElements(By.cssSelector("#throughput tr td:first-child"));
    assertThat(cells).extracting(WebElement::getText).containsExactly("1", "2", "3");
    assertThat(Chromium.consoleErrors(browser)).isEmpty();
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(
        shot.toPath(),
        new File(Chromium.screenshotDir(), "autoscale-report.png").toPath(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The y of the nodes panel's tick labelled {@code label}, centred on its grid line. */
  private double tickY(WebElement panel, String label) {
    Number y =
        (Number)
            script(
                "const t = [...arguments[0].querySelectorAll('text.tick.y')]"
                    + ".find(e => e.textContent === arguments[1]);"
                    + "return t ? Number(t.getAttribute('y')) - 4 : null;",
                panel,
                label);
    assertThat(y).as("tick " + label).isNotNull();
    return y.doubleValue();
  }

  private Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  private static void draw() throws IOException, InterruptedException {
    Process python =
        new ProcessBuilder(
                "python3",
                "bench/autoscale/report.py",
                "--csv",
                SAMPLE.toString(),
                "--out",
                OUT.toString(),
                "--capacity",
                "200",
                "--delay-ms",
                "1000",
                "--title",
                "sample run: 1-3 workers of 200, delay 1000 ms")
            .redirectErrorStream(true)
            .start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(output).isZero();
    assertThat(OUT.resolve("autoscale.svg")).exists();
  }

  private static List<Map<String, String>> samples() throws IOException {
    List<String> lines = Files.readAllLines(SAMPLE);
    List<String> header = Arrays.asList(lines.get(0).split(",", -1));
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      Map<String, String> row = new java.util.HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), cells[i]);
      }
      rows.add(row);
    }
    return rows;
  }
}
