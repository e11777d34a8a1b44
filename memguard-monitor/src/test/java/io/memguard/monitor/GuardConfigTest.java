package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GuardConfigTest {

  @Test
  void builder_startsFromTheDefaults() {
    GuardConfig d = GuardConfig.ofDefaults();
    assertThat(GuardConfig.builder().build()).isEqualTo(d).hasSameHashCodeAs(d);
    assertThat(d.elevated()).isEqualTo(0.80);
    assertThat(d.critical()).isEqualTo(0.90);
    assertThat(d.emergency()).isEqualTo(0.95);
    assertThat(d.recovery()).isEqualTo(0.85);
    assertThat(d.systemAvailableEmergency()).isEqualTo(0.05);
    assertThat(d.systemAvailableRecovery()).isEqualTo(0.10);
    assertThat(d.pauseBelowPriority()).isEqualTo(Integer.MAX_VALUE);
    assertThat(d.stopBelowPriority()).isEqualTo(Integer.MAX_VALUE);
    assertThat(d.maxStopsPerEvaluation()).isEqualTo(Integer.MAX_VALUE);
    assertThat(d.projectionHorizon()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void from_keepsWhatIsNotChanged() {
    GuardConfig base =
        GuardConfig.builder().thresholds(0.7, 0.8, 0.9, 0.75).stopBelowPriority(3).build();
    GuardConfig changed = GuardConfig.from(base).maxStopsPerEvaluation(2).build();
    assertThat(changed.elevated()).isEqualTo(0.7);
    assertThat(changed.recovery()).isEqualTo(0.75);
    assertThat(changed.stopBelowPriority()).isEqualTo(3);
    assertThat(changed.maxStopsPerEvaluation()).isEqualTo(2);
    assertThat(changed).isNotEqualTo(base);
    assertThat(changed.toString()).contains("elevated=0.7", "maxStopsPerEvaluation=2");
  }

  @Test
  void build_rejectsThresholdsOutOfOrder() {
    assertThatThrownBy(() -> GuardConfig.builder().thresholds(0.9, 0.8, 0.95, 0.85).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 < elevated <= critical <= emergency");
    assertThatThrownBy(() -> GuardConfig.builder().thresholds(0.8, 0.9, 0.95, 0.96).build())
        .hasMessageContaining("recovery (0.96)");
    assertThatThrownBy(() -> GuardConfig.builder().systemAvailable(0.2, 0.1).build())
        .hasMessageContaining("systemAvailableEmergency < systemAvailableRecovery");
    assertThatThrownBy(() -> GuardConfig.builder().projectionHorizon(Duration.ofMillis(-1)).build())
        .hasMessageContaining("projectionHorizon");
    assertThatThrownBy(() -> GuardConfig.builder().maxStopsPerEvaluation(-1).build())
        .hasMessageContaining("maxStopsPerEvaluation");
  }
}
