package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return BenchMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void demo_fitsAutoFeatInScopesAndPrintsItsFiguresAsTheLastStdoutLine() throws Exception {
    assertThat(run("demo", "--steps", "2", "--tight-budget", "3m")).isZero();
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    String json = lines[lines.length - 1];
    assertThat(json).startsWith("{\"scenario\":\"demo\"").endsWith("}");
    assertThat(json)
        .contains(
            "\"features\":[",
            "\"lightweight\":true",
            "\"reservedAtEndBytes\":0",
            "\"leaksReported\":0",
            "\"testR2\":0.9",
            "\"lightweightTestR2\":0.9");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("GENERATE step 2/2 done", "lightweight mode", "scope tree", "test R^2");
  }

  @Test
  void autofeat_onACsvWithATestSplit_reportsQualityAndMemory(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("s.csv");
    Path idx = dir.resolve("s_idx.txt");
    assertThat(
            run(
                "gen-synthetic",
                "--rows",
                "600",
                "--out",
                csv.toString(),
                "--test-out",
                idx.toString()))
        .isZero();
    out.reset();
    assertThat(
            run(
                "autofeat",
                "--csv",
                csv.toString(),
                "--target",
                "target",
                "--test-rows",
                idx.toString(),
                "--steps",
                "2",
                "--featsel-runs",
                "2",
                "--budget",
                "64m"))
        .isZero();
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    String json = lines[lines.length - 1];
    assertThat(json)
        .startsWith("{\"scenario\":\"autofeat\"")
        .contains(
            "\"rows\":480",
            "\"testRows\":120",
            "\"fitSeconds\":",
            "\"candidatesGenerated\":",
            "\"featuresSelected\":",
            "\"testR2\":0.",
            "\"peakReservedBytes\":",
            "\"peakHeapUsedBytes\":",
            "\"peakRssBytes\":",
            "\"lightweight\":false",
            "\"batches\":",
            "\"features\":[",
            "\"budgetBytes\":67108864");
  }

  @Test
  void autofeat_missingTarget_isABadUsage() throws Exception {
    assertThat(run("autofeat", "--csv", "x.csv")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing required option --target");
  }

  @Test
  void badInput_isOneLineAndExit2_withoutAStackTrace(@TempDir Path dir) throws Exception {
    assertThat(run("demo", "--steps", "99999999999")).isEqualTo(2);
    assertThat(
            run(
                "autofeat",
                "--csv",
                dir.resolve("nonexistent.csv").toString(),
                "--target",
                "target"))
        .isEqualTo(2);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(e)
        .contains(
            "demo: --steps must be between",
            "got 99999999999",
            "autofeat: cannot read",
            "nonexistent.csv",
            "usage: autofeat");
    assertThat(e).doesNotContain("Exception", "\tat ");
    assertThat(out.size()).isZero();
  }

  @Test
  void help_goesToStdoutWithExit0_noArgumentsIsABadUsage() throws Exception {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("usage: java -jar memguard-bench.jar", "demo [--steps");
    assertThat(err.size()).isZero();
    out.reset();
    assertThat(run("corpus", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: corpus [--steps");
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("usage: java -jar memguard-bench.jar");
  }

  @Test
  void unknownOption_isRejectedWithUsage() throws Exception {
    assertThat(run("demo", "--stpes", "3")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown option(s): --stpes", "usage: demo");
    assertThat(out.size()).isZero();
  }

  @Test
  void unknownScenario_listsTheKnownOnes() throws Exception {
    assertThat(run("nope")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "unknown scenario 'nope'",
            "demo [--steps",
            "autofeat (--csv",
            "corpus [--steps",
            "fuzz [--cases");
  }

  @Test
  void corpusAndFuzz_rejectBadOptionsBeforeForking() throws Exception {
    assertThat(run("corpus", "--only", "nope")).isEqualTo(2);
    assertThat(run("corpus", "--classification", "x")).isEqualTo(2);
    assertThat(run("corpus", "--dir", "no/such/dir")).isEqualTo(2);
    assertThat(run("fuzz", "--cases", "0")).isEqualTo(2);
    assertThat(run("gen-data", "--generated", "what:1", "--out", "x", "--test-out", "y"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "unknown data set(s) [nope]",
            "--classification and --reference need --dir",
            "--dir: no/such/dir is not a directory",
            "--cases must be >= 1",
            "unknown data spec 'what:1'");
  }

  @Test
  void monitorScenarios_areRegistered_andRejectBadOptionsBeforeForking() throws Exception {
    assertThat(BenchMain.scenarios()).containsKeys("leak", "steady", "alerts");
    assertThat(run("leak", "--leak-rate", "0")).isEqualTo(2);
    assertThat(run("steady", "--leak-rate", "1m")).isEqualTo(2);
    assertThat(run("steady", "--live", "2")).isEqualTo(2);
    assertThat(run("leak", "--perid", "100")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "--leak-rate > 0",
            "steady does not leak",
            "--live must be in (0, 0.8)",
            "unknown option(s): --perid");
    assertThat(out.size()).isZero();
  }

  @Test
  void json_escapesAndWritesNonFiniteAsNull() {
    assertThat(
            Json.object()
                .put("s", "a\"b\n")
                .put("d", Double.NaN)
                .put("l", java.util.List.of(1, "x")))
        .hasToString("{\"s\":\"a\\\"b\\n\",\"d\":null,\"l\":[1,\"x\"]}");
  }
}
