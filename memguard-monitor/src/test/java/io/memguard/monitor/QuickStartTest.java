package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's quick start and the first snippet of docs/monitor.md, kept identical to them (the
 * last two tests compare the text) so that they always compile and do what they say.
 */
class QuickStartTest {
  private static final Logger log = LoggerFactory.getLogger(QuickStartTest.class);

  @Test
  void readmeQuickStart_leavesNothingReservedAndReportsNoLeak() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      // README quick start begins
      try (MemoryManager memory =
              MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(50)).build();
          MemoryMonitor monitor = MemoryMonitor.start(memory);
          MemoryScope pipeline = memory.openScope("feature-pipeline", MemorySize.ofMebibytes(64))) {

        monitor.alerts().addListener(event -> System.err.println("ALERT " + event));
        memory.addLeakListener(leak -> System.err.println("LEAK " + leak.describe()));

        int rows = 10_000;
        try (MemoryScope batch = pipeline.openChild("batch-1");
            Reservation block = batch.reserve((long) rows * Double.BYTES)) {
          double[] column = new double[rows];
          // ... fill and use the column while its bytes are accounted ...
          System.out.println(memory.snapshot().toTreeString());
        } // released here, or reported as a leak

        System.out.println(
            pipeline.peakReservedBytes()
                + " bytes at peak, "
                + memory.reservedBytes()
                + " still reserved");
      }
      // README quick start ends
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("feature-pipeline", "batch-1", "80000 bytes at peak, 0 still reserved");
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("LEAK", "ALERT");
  }

  @Test
  void monitorDocSnippet_runs() {
    // docs/monitor.md snippet begins
    try (MemoryManager memory =
            MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(80)).build();
        MemoryMonitor monitor = MemoryMonitor.start(memory)) { // 1 s period, all defaults
      monitor.alerts().addListener(event -> log.warn("{}", event));
      monitor
          .alerts()
          .addChannel(
              AlertChannels.webhook(URI.create("https://ops.example/hook")), Severity.CRITICAL);
      monitor.leakDetector().addListener(report -> log.warn(report.describe()));
      // ... the pipeline runs here ...
      System.out.println(monitor.report(Duration.ofHours(1)).describe());
    }
    // docs/monitor.md snippet ends
  }

  @Test
  void readmeSnippet_matchesThisTest() throws Exception {
    assertThat(normalize(Files.readString(Path.of("..", "README.md"))))
        .contains(
            normalize(snippet("// README quick start begins\n", "// README quick start ends")));
  }

  @Test
  void monitorDocSnippet_matchesThisTest() throws Exception {
    assertThat(normalize(Files.readString(Path.of("..", "docs", "monitor.md"))))
        .contains(
            normalize(
                snippet("// docs/monitor.md snippet begins\n", "// docs/monitor.md snippet ends")));
  }

  private static String snippet(String from, String to) throws Exception {
    String test =
        Files.readString(
            Path.of("src", "test", "java", "io", "memguard", "monitor", "QuickStartTest.java"));
    int start = test.indexOf(from) + from.length();
    String text = test.substring(start, test.indexOf(to, start));
    return text.substring(0, text.lastIndexOf('\n'));
  }

  private static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
