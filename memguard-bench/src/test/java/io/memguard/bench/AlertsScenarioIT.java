package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forked JVM drives its live set above a rule's threshold, into the hysteresis band and below the
 * clear threshold: the alert fires after its minimum duration, escalates, stays open inside the
 * band, resolves below it, and each event reaches a webhook on 127.0.0.1.
 */
class AlertsScenarioIT {

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void alert_firesEscalatesAndResolvesWithHysteresis_againstRealMemory() throws Exception {
    Json.JsonObject r =
        ScenarioRun.run("alerts", "--heap", "256m", "--period", "100", "--seconds", "60");
    assertThat(r.get("fired")).isEqualTo(true);
    assertThat(r.get("escalated")).isEqualTo(true);
    assertThat(r.get("freshReadingsInBand")).isEqualTo(15L);
    assertThat(r.get("resolvedInBand")).isEqualTo(false);
    assertThat(r.get("resolved")).isEqualTo(true);
    assertThat(r.get("events")).isEqualTo("FIRED WARNING,ESCALATED CRITICAL,RESOLVED CRITICAL");
    assertThat(((Number) r.get("firedValue")).doubleValue()).isGreaterThanOrEqualTo(0.50);
    assertThat(((Number) r.get("resolvedValue")).doubleValue()).isLessThan(0.35);
    assertThat(r.get("webhookPosts")).isEqualTo(3L);
    assertThat(r.get("webhookTypes")).isEqualTo("FIRED,ESCALATED,RESOLVED");
  }
}
