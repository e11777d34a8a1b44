package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forked JVM with a 256 MiB heap leaks records of its own class at 1 MiB/s next to 64 MiB/s of
 * garbage; the monitor must report the leak within 60 s and name that class as the top suspect.
 */
class LeakScenarioIT {

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void deliberateLeak_isDetectedWithinAMinute_withItsClassAsTopSuspect() throws Exception {
    Json.JsonObject r =
        ScenarioRun.run(
            "leak", "--heap", "256m", "--leak-rate", "1m", "--seconds", "90", "--period", "100");
    assertThat(r.get("scenario")).isEqualTo("leak");
    assertThat(r.get("detected")).isEqualTo(true);
    assertThat(((Number) r.get("detectionSeconds")).doubleValue()).isLessThanOrEqualTo(60.0);
    assertThat(r.get("topSuspect")).isEqualTo("io.memguard.bench.workload.LeakedRecord");
    assertThat(r.get("falsePositives")).isEqualTo(0L);
    assertThat(((Number) r.get("histogramsCompared")).longValue()).isGreaterThanOrEqualTo(2);
    // The measured growth is of the order of the leak rate (the live set also holds the records'
    // headers).
    double growth = ((Number) r.get("growthBytesPerMinute")).doubleValue();
    double expected = ((Number) r.get("expectedBytesPerMinute")).doubleValue();
    assertThat(growth).isBetween(0.5 * expected, 2.0 * expected);
    assertThat(r.get("failedSamples")).isEqualTo(0L);
    assertThat(r.get("samplerCpuPercent")).isInstanceOf(Number.class);
  }
}
