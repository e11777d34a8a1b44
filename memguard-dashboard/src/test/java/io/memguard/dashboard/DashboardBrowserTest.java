package io.memguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, which {@code .ci/run} installs) driven by Selenium. Without a browser the test
 * fails, saying what to install: the page is part of the product.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM =
      Path.of(System.getProperty("memguard.chromium", "/usr/bin/chromium"));
  private static final Path DRIVER =
      Path.of(System.getProperty("memguard.chromedriver", "/usr/bin/chromedriver"));

  @Test
  void page_showsLiveValuesAndEveryPanel_andClicksThrough() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER))
        .as(
            "a browser for the dashboard test: %s and %s (apt-get install chromium chromium-driver,"
                + " or set -Dmemguard.chromium and -Dmemguard.chromedriver)",
            CHROMIUM, DRIVER)
        .isTrue();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> workload = new ArrayList<>();
    try (MemoryManager manager =
            MemoryManager.builder().name("browser-test").limit(MemorySize.ofMebibytes(96)).build();
        MemoryMonitor monitor =
            MemoryMonitor.start(
                manager, MonitorConfig.builder().period(Duration.ofMillis(200)).build());
        MemoryDashboard dashboard = MemoryDashboard.start(monitor);
        MemoryScope pipeline = manager.openScope("pipeline");
        MemoryScope features = pipeline.openChild("features");
        Reservation held = features.reserve(8 << 20)) {
      monitor
          .alerts()
          .addRule(
              AlertRule.builder("reserved-over-1-mib")
                  .metric(Metric.RESERVED)
                  .above(1 << 20)
                  .build());
      Thread load =
          new Thread(
              () -> {
                int i = 0;
                while (running.get()) {
                  try (MemoryScope batch = pipeline.openChild("batch-" + (i++ % 3));
                      Reservation r = batch.reserve((1 + i % 5) << 20)) {
                    byte[] garbage = new byte[(1 + i % 5) << 20];
                    garbage[i % garbage.length] = 1;
                    manager
                        .allocator()
                        .run(
                            TaskRequest.named("task-" + (i % 4)).minBytes(1 << 20),
                            g -> garbage.length);
                    // a workload's pace (about 100 batches a second), not a wait for anything
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                  }
                }
              },
              "workload");
      load.setDaemon(true);
      load.start();
      workload.add(load);
      try {
        checkThePage(manager, dashboard);
      } finally {
        running.set(false);
        for (Thread t : workload) {
          t.join(10_000);
        }
      }
    }
  }

  private static void checkThePage(MemoryManager manager, MemoryDashboard dashboard)
      throws Exception {
    manager
        .rollout()
        .record(
            Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "nightly", "hold task 'nightly'");
    manager.rollout().settle("nightly", io.memguard.core.Rollout.Outcome.OUT_OF_MEMORY);
    {
      try (MemoryScope fitScope = manager.openScope("fit");
          AutoFeatModel model =
              AutoFeatProcessor.builder()
                  .featureEngineeringSteps(2)
                  .featureSelectionRuns(2)
                  .listener(dashboard.fitListener("browser fit"))
                  .build()
                  .fit(fitScope, MemoryDashboardTest.tiny())) {
        assertThat(model.report().completed()).isTrue();
      }

      WebDriver browser = browser();
      try {
        browser.get(dashboard.url().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(d -> d.findElement(By.id("status")).getText().equals("live"));
        String firstSample = wait.until(d -> nonBlank(d, "sample-time"));
        wait.until(d -> !d.findElement(By.id("sample-time")).getText().equals(firstSample));
        wait.until(
            d -> Integer.parseInt(d.findElement(By.id("chart")).getAttribute("data-points")) >= 3);
        assertThat(browser.findElement(By.id("pressure")).getText())
            .isIn("NORMAL", "ELEVATED", "CRITICAL", "EMERGENCY");
        assertThat(browser.findElement(By.id("heap-used")).getText()).endsWith("iB");
        assertThat(browser.findElement(By.id("reserved")).getText()).contains("/ 96.0 MiB");
        assertThat(rows(browser, "trends")).isGreaterThanOrEqualTo(4);

        click(browser, "scopes");
        wait.until(d -> d.findElements(By.cssSelector("#scopes .scope")).size() >= 3);
        WebElement pipelineNode =
            browser.findElements(By.cssSelector("#scopes .scope > .name")).stream()
                .filter(e -> e.getText().equals("pipeline"))
                .findFirst()
                .orElseThrow();
        pipelineNode.click();
        assertThat(pipelineNode.findElement(By.xpath("..")).getAttribute("class"))
            .contains("collapsed");

        click(browser, "tasks");
        wait.until(d -> rows(d, "tasks-ended") >= 1);
        assertThat(browser.findElement(By.id("tasks-ended")).getText()).contains("COMPLETED");

        click(browser, "fits");
        wait.until(d -> d.findElement(By.id("fits-finished")).getText().contains("browser fit"));
        assertThat(browser.findElement(By.id("fits-finished")).getText()).contains("completed");

        click(browser, "alerts");
        wait.until(
            d -> d.findElement(By.id("alerts-history")).getText().contains("reserved-over-1-mib"));

        click(browser, "leaks");
        wait.until(d -> rows(d, "leak-status") >= 5);
        assertThat(browser.findElement(By.id("leak-status")).getText()).contains("state");

        click(browser, "guard");
        wait.until(d -> rows(d, "guard-state") >= 1);
        assertThat(browser.findElement(By.id("guard-level")).getText()).isNotBlank();

        click(browser, "rollout");
        wait.until(d -> rows(d, "rollout-protections") == Protection.values().length);
        assertThat(browser.findElement(By.id("rollout-protections")).getText())
            .contains("EMERGENCY_GUARD")
            .contains("out of memory 1");
        assertThat(browser.findElement(By.id("rollout-decisions")).getText())
            .contains("hold task 'nightly'")
            .contains("out of memory");

        click(browser, "overview");
        wait.until(d -> d.findElement(By.id("events")).getText().contains("alert"));
        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(10_000);
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void page_whoseStreamIsRefused_retriesUntilAStreamFrees() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)).isTrue();
    try (MemoryManager manager = MemoryManager.builder().name("refused-stream").build();
        MemoryMonitor monitor =
            MemoryMonitor.start(
                manager, MonitorConfig.builder().period(Duration.ofMillis(100)).build());
        MemoryDashboard dashboard =
            MemoryDashboard.start(monitor, DashboardConfig.builder().maxStreams(1).build())) {
      // another client holds the only stream: the page's is answered 503, which EventSource
      // never retries by itself
      java.net.HttpURLConnection other =
          (java.net.HttpURLConnection)
              dashboard.url().resolve("/api/events").toURL().openConnection();
      assertThat(other.getResponseCode()).isEqualTo(200);
      java.io.InputStream otherStream = other.getInputStream();
      assertThat(otherStream.read()).isNotEqualTo(-1);
      WebDriver browser = browser();
      try {
        browser.get(dashboard.url().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(d -> d.findElement(By.id("status")).getText().equals("reconnecting"));
        other.disconnect(); // the server frees the stream at its next write, within 100 ms
        wait.until(d -> d.findElement(By.id("status")).getText().equals("live"));
        String firstSample = wait.until(d -> nonBlank(d, "sample-time"));
        wait.until(d -> !d.findElement(By.id("sample-time")).getText().equals(firstSample));
      } finally {
        browser.quit();
      }
    }
  }

  private static WebDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static String nonBlank(WebDriver d, String id) {
    String text = d.findElement(By.id(id)).getText();
    return text.isBlank() ? null : text;
  }

  private static int rows(WebDriver d, String tableId) {
    return d.findElements(By.cssSelector("#" + tableId + " tbody tr")).size();
  }

  private static void click(WebDriver d, String tab) {
    d.findElement(By.cssSelector("#tabs button[data-tab='" + tab + "']")).click();
    assertThat(d.findElement(By.id("panel-" + tab)).getAttribute("class")).contains("active");
  }
}
