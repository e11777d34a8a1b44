package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The README's quick start, kept identical to it so that it always compiles and works. */
class QuickStartTest {

  @Test
  void readmeQuickStart() {
    // README quick start begins
    try (MemoryManager memory = MemoryManager.builder()
            .limit(MemorySize.percentOfMaxHeap(50))
            .build();
        MemoryScope pipeline = memory.openScope("feature-pipeline", MemorySize.ofMebibytes(64))) {

      memory.addLeakListener(leak -> System.err.println(leak.describe()));

      int rows = 10_000;
      try (MemoryScope batch = pipeline.openChild("batch-1");
          Reservation block = batch.reserve((long) rows * Double.BYTES)) {
        double[] column = new double[rows];
        // ... fill and use the column while its bytes are accounted ...
        System.out.println(memory.snapshot().toTreeString());
      }   // released here, or reported as a leak

      System.out.println(pipeline.peakReservedBytes() + " bytes at peak");
    }
    // README quick start ends
  }

  @Test
  void readmeSnippet_matchesThisTest() throws Exception {
    java.nio.file.Path readme = java.nio.file.Path.of("..", "README.md");
    java.nio.file.Path self =
        java.nio.file.Path.of("src", "test", "java", "io", "memguard", "core", "QuickStartTest.java");
    String test = java.nio.file.Files.readString(self);
    String snippet = between(test, "// README quick start begins\n", "    // README quick start ends");
    String readmeText = java.nio.file.Files.readString(readme);
    assertThat(normalize(readmeText)).contains(normalize(snippet));
  }

  private static String between(String text, String from, String to) {
    int start = text.indexOf(from) + from.length();
    return text.substring(start, text.indexOf(to, start));
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
