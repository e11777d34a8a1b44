package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fit's model does not depend on the garbage the heap holds when it starts: the same data fitted
 * twice in one {@code -Xmx256m} JVM, the second time with old-generation garbage that makes the
 * last (young) collection report about 100 MiB in use, gives the same plan, features, coefficients
 * and score (at 97.5 MiB the fit planned otherwise before). Before plans were made on the heap's
 * live floor, the garbage shrank the second fit's headroom and its selection took other columns
 * (the long profile's {@code real-data-sets} check).
 *
 * <p>G1 is pinned: the JVM picks Serial on one processor, whose old-generation garbage counts as
 * live until a full collection, so there the second fit may narrow a selection width
 * (docs/autofeat.md, "What a fit guarantees about memory").
 */
class PlanUnderGarbageIT {

  @Test
  void theSecondFitInAHeapFullOfGarbageGivesTheSameModel() throws Exception {
    ForkedWorkload.Forked run =
        ForkedWorkload.fork(
            ScenarioContext.parse(new String[0], 0, System.out, System.err),
            "plan-under-garbage",
            256,
            List.of("-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC"),
            PlanUnderGarbageMain.class.getName(),
            List.of("synthetic", "3", "100"),
            null,
            300);
    assertThat(run.exitCode()).as("exit code (%s)", run.failure()).isZero();
    Json.JsonObject r = run.json();
    assertThat(r).as("result line (%s)", run.failure()).isNotNull();
    Json.JsonObject first = (Json.JsonObject) r.get("first");
    Json.JsonObject second = (Json.JsonObject) r.get("second");
    // the first fit's own data is unreachable by then: what the last collection reported is its
    // promoted garbage and the dropped arrays
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
