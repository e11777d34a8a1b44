package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
}
