package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.dashboard.DashboardConfig;
import io.memguard.dashboard.MemoryDashboard;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MonitorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every shell command of docs/runbook.md against a live dashboard of this JVM (a manager, its
 * monitor and guard, a few tasks and an AutoFeat fit), from the repository's root, with {@code
 * DASHBOARD}, {@code TOKEN} and {@code PID} set: each block must exit 0, print something, and get
 * no error from the dashboard.
 */
class RunbookIT {
  private static final Pattern SH = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
  private static final String TOKEN = "runbook-token-0123456789";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyShellCommandOfTheRunbook_runsAgainstALiveDashboard() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    String runbook = Files.readString(root.resolve("docs/runbook.md"), StandardCharsets.UTF_8);
    List<String> blocks = new ArrayList<>();
    Matcher m = SH.matcher(runbook);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(8);
    try (MemoryManager manager =
            MemoryManager.builder().name("runbook").limit(MemorySize.ofMebibytes(128)).build();
        MemoryMonitor monitor =
            MemoryMonitor.start(
                manager, MonitorConfig.builder().period(Duration.ofMillis(200)).build());
        MemoryDashboard dashboard =
            MemoryDashboard.start(monitor, DashboardConfig.builder().token(TOKEN).build());
        MemoryScope scope = manager.openScope("pipeline");
        Reservation held = scope.reserve(4L << 20)) {
      manager.allocator().run(TaskRequest.named("nightly-batch").minBytes(1L << 20), g -> 1);
      try (MemoryScope fit = manager.openScope("fit");
          AutoFeatModel model =
              AutoFeatProcessor.builder()
                  .featureEngineeringSteps(2)
                  .listener(dashboard.fitListener("runbook fit"))
                  .build()
                  .fit(fit, DemoScenario.bundled().train())) {
        assertThat(model.report().completed()).isTrue();
      }
      monitor.sampleNow();
      String url = dashboard.url().toString().replaceAll("/$", "");
      try {
        runBlocks(blocks, root, url);
      } finally {
        // the runbook's incident recording, named after this JVM's pid
        Files.deleteIfExists(
            Path.of("/tmp", "memguard-incident-" + ProcessHandle.current().pid() + ".jfr"));
      }
    }
  }

  private static void runBlocks(List<String> blocks, Path root, String url) throws Exception {
    for (String block : blocks) {
      ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-c", block).directory(root.toFile());
      pb.environment().put("DASHBOARD", url);
      pb.environment().put("TOKEN", TOKEN);
      pb.environment().put("PID", Long.toString(ProcessHandle.current().pid()));
      pb.redirectErrorStream(true);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s timed out", block).isTrue();
      System.err.println("runbook block:\n" + block + "-> " + out.lines().limit(3).toList());
      assertThat(p.exitValue()).as("exit code of:\n%s\noutput:\n%s", block, out).isZero();
      assertThat(out).as("output of:\n%s", block).isNotBlank().doesNotContain("\"error\":");
    }
  }
}
