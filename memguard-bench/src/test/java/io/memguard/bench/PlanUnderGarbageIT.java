package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fit's model does not depend on the garbage the heap holds when it starts: the same data fitted
 * twice in one {@code -Xmx256m} JVM, the second time with 96 MiB of old-generation garbage that the
 * last (young) collection still reported as in use, gives the same plan, features, coefficients and
 * score. Before plans were made on the heap's live floor, the garbage shrank the second fit's
 * headroom and its selection took other columns (the long profile's {@code real-data-sets} check).
 */
class PlanUnderGarbageIT {

  @Test
  void theSecondFitInAHeapFullOfGarbageGivesTheSameModel() throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            ForkedWorkload.ownClassPath(),
            PlanUnderGarbageMain.class.getName(),
            "synthetic",
            "3",
            "96");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished in 5 minutes").isTrue();
    assertThat(p.exitValue()).as("exit code; output:%n%s", out).isZero();
    String[] lines = out.strip().split("\n");
    Json.JsonObject r = Json.parse(lines[lines.length - 1]);
    Json.JsonObject first = (Json.JsonObject) r.get("first");
    Json.JsonObject second = (Json.JsonObject) r.get("second");
    // the first fit's own data is unreachable by then: what the last collection reported is the
    // dropped arrays (and whatever garbage of the first fit was promoted too)
    assertThat(((Number) second.get("heapAfterLastCollectionBytes")).longValue())
        .as("the heap after the last collection holds the garbage before the second fit: %s", r)
        .isGreaterThan(64L << 20);
    for (String field : List.of("plan", "features", "coefficients", "score")) {
      assertThat(second.get(field))
          .as("%s of the second fit: %s", field, r)
          .isEqualTo(first.get(field));
    }
  }
}
