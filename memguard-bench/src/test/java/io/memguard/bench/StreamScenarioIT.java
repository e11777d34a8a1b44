package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15: a CSV file larger than the heap is fitted and transformed in a forked {@code -Xmx64m}
 * JVM (2,000,000 rows, about 150 MB, more than twice the heap): the fit's final model sees every
 * row, the transform streams them all, the live heap stays under the heap, and the model scores as
 * the in-memory fit does.
 */
class StreamScenarioIT {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aFileLargerThanTheHeap_isFittedOnEveryRowAndTransformed() throws Exception {
    long heap = 64L << 20;
    int rows = 2_000_000;
    ScenarioContext ctx = ScenarioContext.parse(new String[0], 0, System.out, System.err);
    Map<String, String> options = new LinkedHashMap<>();
    options.put("rows", Integer.toString(rows));
    options.put("steps", "3");
    options.put("test-rows", "20000");
    Json.JsonObject r =
        ForkedWorkload.run(
            ctx, "io.memguard.bench.BenchMain", "stream", heap, List.of(), options, 240);
    System.err.println("result: " + r);

    assertThat(number(r, "rows")).isEqualTo(rows);
    assertThat(number(r, "fileBytes")).isGreaterThan(2 * heap);
    assertThat(number(r, "finalModelRows")).isEqualTo(rows);
    assertThat(number(r, "sampleRows")).isLessThan(rows / 10);
    assertThat(number(r, "peakLiveHeapBytes")).isLessThan(heap);
    // The search runs on a lightweight plan whose rows follow the free heap (5,100 or 5,304 of
    // the 6,553 sampled, on the planner's grid): on one of those subsets it takes the pole's twin
    // 1/(x3 - 1/x2) for 1/(x2 - 1/x3) and scores 0.975 instead of 0.9999 (docs/performance.md).
    // What this test is about (every row, a flat heap) does not depend on it.
    assertThat(((Number) r.get("testR2")).doubleValue()).isGreaterThan(0.95);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aClassifier_isRefittedOnEveryRow_inPasses() throws Exception {
    long heap = 64L << 20;
    int rows = 500_000;
    ScenarioContext ctx = ScenarioContext.parse(new String[0], 0, System.out, System.err);
    Map<String, String> options = new LinkedHashMap<>();
    options.put("rows", Integer.toString(rows));
    options.put("steps", "1");
    options.put("test-rows", "20000");
    options.put("problem", "classification");
    Json.JsonObject r =
        ForkedWorkload.run(
            ctx, "io.memguard.bench.BenchMain", "stream", heap, List.of(), options, 240);
    System.err.println("result: " + r);

    assertThat(r.get("problem")).isEqualTo("classification");
    assertThat(number(r, "finalModelRows")).isEqualTo(rows);
    assertThat(number(r, "sampleRows")).isLessThan(rows / 10);
    assertThat(number(r, "peakLiveHeapBytes")).isLessThan(heap);
    assertThat(r.get("testR2")).isNull();
    assertThat(((Number) r.get("testAccuracy")).doubleValue()).isGreaterThan(0.75);
  }

  private static long number(Json.JsonObject r, String field) {
    return ((Number) r.get(field)).longValue();
  }
}
