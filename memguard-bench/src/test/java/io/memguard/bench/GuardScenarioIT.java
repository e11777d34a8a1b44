package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Six array-heavy tasks whose combined demand is three times a 256 MiB heap, in forked JVMs:
 * without the guard the process runs into OutOfMemoryError; with it, no OutOfMemoryError, a live
 * set that never passed 95% of the heap, every task completed or stopped by the guard with a reason
 * (none failed, at least one completed: the guard sheds load, not all work), and the guard
 * recovered.
 */
class GuardScenarioIT {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void guard_preventsOutOfMemory_andEveryTaskEndsCompletedOrStopped() throws Exception {
    ScenarioContext ctx =
        ScenarioContext.parse(
            new String[] {"--heap", "256m", "--tasks", "6", "--task-mb", "128", "--pace-ms", "25"},
            0,
            System.out,
            System.err);
    Json.JsonObject result = new GuardScenario().run(ctx);
    System.err.println("result: " + result);

    Json.JsonObject unguarded = (Json.JsonObject) result.get("unguarded");
    assertThat(
            ((Number) unguarded.get("completed")).longValue()
                + ((Number) unguarded.get("failed")).longValue()
                + ((Number) unguarded.get("stoppedByGuard")).longValue())
        .isEqualTo(6);
    assertThat(unguarded.get("stoppedByGuard")).isEqualTo(0L);
    assertThat(unguarded.get("oom"))
        .as("without the guard the demand must exhaust the heap")
        .isEqualTo(true);

    Json.JsonObject guarded = (Json.JsonObject) result.get("guarded");
    assertThat(guarded.get("oom")).isEqualTo(false);
    assertThat(guarded.get("failed")).isEqualTo(0L);
    assertThat(
            ((Number) guarded.get("completed")).longValue()
                + ((Number) guarded.get("stoppedByGuard")).longValue())
        .isEqualTo(6);
    assertThat(((Number) guarded.get("emergencies")).longValue()).isGreaterThanOrEqualTo(1);
    assertThat(((Number) guarded.get("maxLiveHeapFraction")).doubleValue())
        .isLessThanOrEqualTo(0.95);
    assertThat(((Number) guarded.get("completed")).longValue()).isGreaterThanOrEqualTo(1);
    assertThat(guarded.get("recovered")).isEqualTo(true);
  }
}
