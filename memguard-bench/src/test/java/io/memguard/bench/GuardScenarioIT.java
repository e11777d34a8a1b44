package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Six array-heavy tasks whose combined demand is three times a 256 MiB heap, in forked JVMs:
 * without protection the process runs into OutOfMemoryError; with it (the live-heap line, admission
 * that asks the heap, the guard, retries of stopped tasks), no OutOfMemoryError, a live set that
 * never passed 95% of the heap, all six tasks completed, in at most 1.5 times the time of running
 * them one after another.
 */
class GuardScenarioIT {

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void guard_losesNoWork_andPreventsOutOfMemory() throws Exception {
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
        .as("without protection the demand must exhaust the heap")
        .isEqualTo(true);

    Json.JsonObject guarded = (Json.JsonObject) result.get("guarded");
    assertThat(guarded.get("oom")).isEqualTo(false);
    assertThat(guarded.get("failed")).isEqualTo(0L);
    assertThat(guarded.get("completed")).isEqualTo(6L);
    assertThat(((Number) guarded.get("retried")).longValue()).isNotNegative();
    assertThat(((Number) guarded.get("maxLiveHeapFraction")).doubleValue())
        .isLessThanOrEqualTo(0.95);
    assertThat(guarded.get("recovered")).isEqualTo(true);

    assertThat(result.get("sequentialCompleted")).isEqualTo(6L);
    double sequential = ((Number) result.get("sequentialSeconds")).doubleValue();
    assertThat(((Number) guarded.get("seconds")).doubleValue())
        .as("guarded run against %s s one after another", sequential)
        .isLessThanOrEqualTo(1.5 * sequential);
  }
}
