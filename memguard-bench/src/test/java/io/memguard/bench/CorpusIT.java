package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never an {@link OutOfMemoryError} on the corpus: every real data set with 1, 2 and 3 steps, each
 * fitted in a forked JVM with a 16 MiB heap and the default budget (the hardest of the required
 * heaps: most fits must refuse or go lightweight), either completes or refuses with {@code
 * InsufficientMemoryException}. The 200,000-row generated cases are left out here: their tables
 * alone do not fit 16 MiB (the caller's data, not the fit's memory). The runs with 64 and 256 MiB,
 * and the 200,000-row cases, are the {@code corpus} scenario's, reported in {@code
 * docs/performance.md}.
 */
class CorpusIT {

  @Test
  @Timeout(value = 25, unit = TimeUnit.MINUTES)
  void everyRealDataSetSteps1To3In16MiB_completesOrRefuses() throws Exception {
    String only =
        String.join(
            ",",
            CorpusScenario.CASES.stream()
                .filter(c -> c.generated() == null)
                .map(CorpusScenario.Case::name)
                .toList());
    ScenarioContext ctx =
        ScenarioContext.parse(
            new String[] {
              "--steps", "1,2,3", "--heap-mb", "16", "--only", only, "--timeout-seconds", "300"
            },
            0,
            System.out,
            System.err);
    Json.JsonObject result = new CorpusScenario().run(ctx);
    @SuppressWarnings("unchecked")
    List<Json.JsonObject> cases = (List<Json.JsonObject>) result.get("cases");
    assertThat(cases)
        .hasSize(
            3 * (int) CorpusScenario.CASES.stream().filter(c -> c.generated() == null).count());
    assertThat(cases)
        .allSatisfy(
            c ->
                assertThat(c.get("outcome"))
                    .as("%s, %s steps: %s", c.get("dataset"), c.get("steps"), c)
                    .isIn("ok", "insufficient-memory"));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aDirectoryOfDataSets_isFittedCaseByCase_withItsProblemsAndReference(@TempDir Path dir)
      throws Exception {
    StringBuilder reg = new StringBuilder("a,b,target\n");
    StringBuilder cls = new StringBuilder("a,b,target\n");
    for (int i = 0; i < 60; i++) {
      double a = 1 + i % 7;
      double b = 1 + (i * 13) % 11;
      reg.append(String.format(Locale.ROOT, "%s,%s,%s%n", a, b, a * a / b + 0.01 * (i % 3)));
      cls.append(String.format(Locale.ROOT, "%s,%s,%d%n", a, b, a > b ? 1 : 0));
    }
    String split = "0\n5\n10\n15\n20\n25\n30\n35\n40\n45\n50\n55\n";
    Files.writeString(dir.resolve("ratio.csv"), reg);
    Files.writeString(dir.resolve("ratio_seed0_test_idx.txt"), split);
    Files.writeString(dir.resolve("order.csv"), cls);
    Files.writeString(dir.resolve("order_seed0_test_idx.txt"), split);
    Files.writeString(dir.resolve("nosplit.csv"), reg); // no split file: not a case
    Files.writeString(
        dir.resolve(CorpusScenario.REFERENCE_FILE),
        "dataset\tsteps\tstatus\tfitSeconds\ttestScore\tfeaturesSelected\tpeakRssMiB\n"
            + "ratio\t1\tok\t2.5\t0.99\t2\t270.0\n");
    ScenarioContext ctx =
        ScenarioContext.parse(
            new String[] {
              "--dir",
              dir.toString(),
              "--classification",
              "order",
              "--steps",
              "1",
              "--heap-mb",
              "64"
            },
            0,
            System.out,
            System.err);
    @SuppressWarnings("unchecked")
    List<Json.JsonObject> cases =
        (List<Json.JsonObject>) new CorpusScenario().run(ctx).get("cases");
    assertThat(cases).extracting(c -> c.get("dataset")).containsExactly("order", "ratio");
    assertThat(cases).extracting(c -> c.get("outcome")).containsOnly("ok");
    assertThat(cases)
        .extracting(c -> c.get("problem"))
        .containsExactly("classification", "regression");
    assertThat(cases.get(1).get("pythonFitSeconds")).isEqualTo(2.5);
    assertThat(cases.get(0).get("pythonFitSeconds")).isNull();
  }
}
