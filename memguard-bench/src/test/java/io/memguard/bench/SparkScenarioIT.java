package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: the {@code spark} scenario's short form, in a forked JVM on the build's Spark class
 * path: both transform paths and the in-process one run over the same rows, the estimator's final
 * model sees every row while the search saw a sample, and the in-process streamed fit runs beside
 * it.
 */
class SparkScenarioIT {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sparkScenario_shortForm_measuresEveryPath() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        BenchMain.run(
            new String[] {
              "spark", "--rows", "50000", "--fit-rows", "60000", "--steps", "2", "--heap-mb", "1024"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    Json.JsonObject r = Json.parse(lines[lines.length - 1]);
    System.err.println("result: " + r);
    assertThat(exit).isZero();
    assertThat(number(r, "rows")).isEqualTo(50_000);
    for (String f :
        new String[] {
          "catalystRowsPerSecondPerCore",
          "partitionsRowsPerSecondPerCore",
          "inProcessRowsPerSecondPerCore"
        }) {
      assertThat(((Number) r.get(f)).doubleValue()).as(f).isPositive();
    }
    assertThat(number(r, "estimatorFinalModelRows")).isEqualTo(60_000);
    assertThat(number(r, "estimatorSampleRows")).isLessThan(60_000);
    assertThat(number(r, "streamFinalModelRows")).isEqualTo(60_000);
    assertThat(((Number) r.get("estimatorTestR2")).doubleValue()).isGreaterThan(0.2);
    assertThat(number(r, "heapMb")).isEqualTo(1024);
  }

  private static long number(Json.JsonObject r, String field) {
    return ((Number) r.get(field)).longValue();
  }
}
