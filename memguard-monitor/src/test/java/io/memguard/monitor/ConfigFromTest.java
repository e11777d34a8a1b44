package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every config has {@code from(base)}: a builder that keeps what the caller does not change. */
class ConfigFromTest {

  @Test
  void monitorConfig_from_keepsEverySettingNotChanged() {
    LeakDetectorConfig leaks = LeakDetectorConfig.builder().window(Duration.ofSeconds(40)).build();
    GuardConfig guard = GuardConfig.builder().maxStopsPerEvaluation(2).build();
    MonitorConfig base =
        MonitorConfig.builder()
            .period(Duration.ofMillis(250))
            .historySize(10)
            .aggregate(Metric.HEAP_USED)
            .sampleRssAndHostMemory(false)
            .leakDetector(leaks)
            .emergencyGuard(guard)
            .logAlerts(false)
            .alertHistorySize(7)
            .build();
    MonitorConfig changed = MonitorConfig.from(base).historySize(20).build();
    assertThat(changed.period()).isEqualTo(Duration.ofMillis(250));
    assertThat(changed.historySize()).isEqualTo(20);
    assertThat(changed.aggregated()).isEqualTo(base.aggregated());
    assertThat(changed.samplesRssAndHostMemory()).isFalse();
    assertThat(changed.leakDetector()).isSameAs(leaks);
    assertThat(changed.emergencyGuard()).contains(guard);
    assertThat(changed.logAlerts()).isFalse();
    assertThat(changed.alertHistorySize()).isEqualTo(7);
    assertThat(MonitorConfig.from(base).noEmergencyGuard().build().emergencyGuard()).isEmpty();
    assertThat(MonitorConfig.ofDefaults().emergencyGuard()).contains(GuardConfig.ofDefaults());
  }

  @Test
  void leakDetectorConfig_from_keepsEverySettingNotChanged() {
    LeakDetectorConfig base =
        LeakDetectorConfig.builder()
            .segments(12)
            .confirmations(3)
            .maxSuspects(4)
            .classHistograms(false)
            .build();
    LeakDetectorConfig changed = LeakDetectorConfig.from(base).maxSuspects(5).build();
    assertThat(changed.segments()).isEqualTo(12);
    assertThat(changed.confirmations()).isEqualTo(3);
    assertThat(changed.classHistograms()).isFalse();
    assertThat(changed.maxSuspects()).isEqualTo(5);
    assertThat(changed.toString())
        .isEqualTo(base.toString().replace("maxSuspects=4", "maxSuspects=5"));
  }
}
