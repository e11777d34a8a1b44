package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forked JVM with a 256 MiB heap runs a steady sawtooth for three minutes: a flat live set near
 * 60% of the heap, 128 MiB/s of garbage and a slow turnover of the live set. No leak may be
 * reported and no leak alert raised.
 */
class SteadyScenarioIT {

  @Test
  @Timeout(value = 7, unit = TimeUnit.MINUTES)
  void steadySawtooth_runsThreeMinutes_withoutALeakAlert() throws Exception {
    Json.JsonObject r =
        ScenarioRun.run("steady", "--heap", "256m", "--seconds", "180", "--period", "100");
    assertThat(r.get("scenario")).isEqualTo("steady");
    assertThat(r.get("detected")).isEqualTo(false);
    assertThat(r.get("falsePositives")).isEqualTo(0L);
    assertThat(r.get("leakAlerts")).isEqualTo(0L);
    assertThat(((Number) r.get("seconds")).doubleValue()).isGreaterThanOrEqualTo(180.0);
    assertThat(((Number) r.get("liveSetFraction")).doubleValue()).isBetween(0.5, 0.85);
    assertThat(((Number) r.get("gcCount")).longValue()).isGreaterThan(50); // much garbage indeed
    assertThat(r.get("failedSamples")).isEqualTo(0L);
  }
}
