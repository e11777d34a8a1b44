package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allocation audit: every byte a fit holds is reserved before it is allocated, checked against
 * the real heap. Each case is fitted in a JVM of its own ({@code -Xmx256m} unless said otherwise,
 * default flags otherwise) by {@link AllocationAuditMain}, which measures the live heap after full
 * collections during the fit; the live heap above the baseline before the fit must stay within
 * {@code 1.25 x peak reserved + 16 MiB}, and the fit must end in a model or in {@code
 * InsufficientMemoryException}.
 *
 * <p>In the build: eight cases covering regression and classification, tiny to 16,000 training
 * rows, 1 to 3 steps, and four cases of the memory fuzz, two of them in a 16 MiB heap. With {@code
 * -Daudit.cases=all} every corpus data set with steps 1, 2 and 3; with {@code -Daudit.dir=DIR}
 * every {@code NAME.csv} of DIR with its {@code NAME_seed0_test_idx.txt} (classification for the
 * names in {@code -Daudit.classification=NAME,...}), with steps 1, 2 and 3; with {@code
 * -Daudit.fuzz=SEED:COUNT} the fuzz scenario's cases SEED to SEED + COUNT - 1 with its steps, and
 * with {@code -Daudit.heap=fuzz} in the fuzz's own heaps (16 to 64 MiB, more for large data)
 * instead of 256 MiB (long runs, reported in {@code docs/autofeat.md}). The table goes to {@code
 * target/allocation-audit.md} either way.
 */
class AllocationAuditIT {

  private static final List<String> ROWS = new ArrayList<>();

  private static final int AUDIT_HEAP_MB = 256;

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> chosen = new ArrayList<>();
    if ("all".equals(System.getProperty("audit.cases"))) {
      for (CorpusScenario.Case c : CorpusScenario.CASES) {
        withEverySteps(c.name(), chosen);
      }
    }
    String dir = System.getProperty("audit.dir");
    if (dir != null) {
      // the classification names are checked against the directory here, before any fork
      for (CorpusScenario.Case c :
          CorpusScenario.directoryCases(Path.of(dir), System.getProperty("audit.classification"))) {
        withEverySteps(c.csv(), chosen);
      }
    }
    String fuzz = System.getProperty("audit.fuzz");
    if (fuzz != null) {
      String[] seedAndCount = fuzz.split(":");
      long seed = Long.parseLong(seedAndCount[0]);
      int count = Integer.parseInt(seedAndCount[1]);
      boolean ownHeap = "fuzz".equals(System.getProperty("audit.heap"));
      for (int i = 0; i < count; i++) {
        FuzzScenario.Drawn d = FuzzScenario.draw(seed + i, -1);
        int heapMb = ownHeap ? d.heapMbFor(GeneratedData.generate(d.spec()).data()) : AUDIT_HEAP_MB;
        chosen.add(Arguments.of(d.spec(), d.steps(), heapMb));
      }
    }
    if (!chosen.isEmpty()) {
      return chosen.stream();
    }
    return Stream.of(
        Arguments.of("stackloss", 3, AUDIT_HEAP_MB),
        Arguments.of("iris", 2, AUDIT_HEAP_MB),
        Arguments.of("synthetic", 3, AUDIT_HEAP_MB),
        Arguments.of("diabetes", 2, AUDIT_HEAP_MB),
        Arguments.of("wine", 1, AUDIT_HEAP_MB),
        Arguments.of("randhie", 2, AUDIT_HEAP_MB),
        Arguments.of("fair", 1, AUDIT_HEAP_MB),
        Arguments.of("macrodata", 2, AUDIT_HEAP_MB),
        Arguments.of("fuzz:2", 2, AUDIT_HEAP_MB),
        Arguments.of("fuzz:18", 3, AUDIT_HEAP_MB),
        // in the fuzz's own 16 MiB, where the bound is as large as the heap: a tight lightweight
        // plan that completes and one refused by its pilot, under a collection every 10 ms
        Arguments.of("fuzz:1200002", 3, 16),
        Arguments.of("fuzz:1200010", 3, 16));
  }

  private static void withEverySteps(String name, List<Arguments> into) {
    for (int steps = 1; steps <= 3; steps++) {
      into.add(Arguments.of(name, steps, AUDIT_HEAP_MB));
    }
  }

  @ParameterizedTest(name = "{0}, {1} steps, {2} MiB")
  @MethodSource("cases")
  void liveHeapStaysWithinWhatTheFitReserved(String dataset, int steps, int heapMb)
      throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + heapMb + "m",
            "-XX:+ExitOnOutOfMemoryError",
            "-Daudit.classification=" + System.getProperty("audit.classification", ""),
            "-cp",
            ForkedWorkload.ownClassPath(),
            AllocationAuditMain.class.getName(),
            dataset,
            Integer.toString(steps));
    String label = Path.of(dataset).getFileName().toString().replace(':', '-');
    Path err = Files.createTempFile(Path.of("target"), "audit-" + label + "-" + steps, ".err");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(dataset + " " + steps + " steps: no result within 10 minutes");
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    Files.deleteIfExists(err);
    assertThat(p.exitValue()).as("exit code of %s (%s)", dataset, stderr).isZero();
    String[] lines = stdout.strip().split("\n");
    Json.JsonObject r = Json.parse(lines[lines.length - 1]);
    ROWS.add(
        String.format(
            Locale.ROOT,
            "| %s | %d | %d | %s | %.1f | %.1f | %.1f | %s | %.0f | %.0f | %.0f | %.0f | %s |",
            label,
            steps,
            heapMb,
            r.get("outcome"),
            mib(r.get("peakReservedBytes")),
            mib(r.get("peakLiveHeapBytes")),
            mib(r.get("boundBytes")),
            Boolean.TRUE.equals(r.get("lightweight")) ? "lightweight" : "normal",
            mib(r.get("allocatedPlan")),
            mib(r.get("allocatedGenerate")),
            mib(r.get("allocatedSelect")),
            mib(r.get("allocatedModel")),
            r.get("samples")));
    assertThat(r.get("outcome")).isIn("ok", "insufficient-memory");
    assertThat(r.get("withinBound"))
        .as("live heap within 1.25 x peak reserved + 16 MiB: %s", r)
        .isEqualTo(true);
  }

  @AfterAll
  static void writeTable() throws IOException {
    List<String> out = new ArrayList<>();
    out.add(
        "| data | steps | heap MiB | outcome | peak reserved MiB | peak live heap MiB | bound MiB | plan"
            + " | allocated MiB: plan | generate | select | model | live samples |");
    out.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    out.addAll(ROWS);
    Files.write(Path.of("target", "allocation-audit.md"), out, StandardCharsets.UTF_8);
  }

  private static double mib(Object v) {
    return v instanceof Number n ? n.doubleValue() / (1 << 20) : Double.NaN;
  }
}
