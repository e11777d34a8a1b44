package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricHistoryTest {
  static final long MIB = 1L << 20;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static MemorySnapshot snap(long second, long heapUsed, long max) {
    return MemorySnapshot.builder()
        .sequence(second + 1)
        .nanoTime(second * 1_000_000_000L)
        .time(T0.plusSeconds(second))
        .heap(heapUsed, heapUsed, max)
        .liveSet(heapUsed / 2, true)
        .allocationRate(1000.0 * second)
        .sampleDurationNanos(100_000 + second)
        .build();
  }

  @Test
  void ring_keepsTheLatestAndAnswersWindows() {
    MetricHistory h = new MetricHistory(10, 60, List.of());
    assertThat(h.latest()).isEmpty();
    for (long s = 0; s < 25; s++) {
      h.add(snap(s, s * MIB, 100 * MIB));
    }
    assertThat(h.size()).isEqualTo(10);
    assertThat(h.capacity()).isEqualTo(10);
    assertThat(h.latest()).get().extracting(MemorySnapshot::sequence).isEqualTo(25L);
    assertThat(h.snapshots(Duration.ofSeconds(4)))
        .extracting(MemorySnapshot::sequence)
        .containsExactly(21L, 22L, 23L, 24L, 25L);
    assertThat(h.snapshots(Duration.ofHours(1))).hasSize(10);
    assertThat(h.series(Metric.HEAP_USED, Duration.ofSeconds(1)))
        .extracting(MetricHistory.Point::value)
        .containsExactly(23.0 * MIB, 24.0 * MIB);
  }

  @Test
  void aggregates_perMinuteMinMeanMax_beyondTheRing() {
    MetricHistory h = new MetricHistory(10, 60, List.of());
    for (long s = 0; s < 180; s++) {
      h.add(snap(s, s * MIB, 1000 * MIB));
    }
    List<MetricHistory.Aggregate> a = h.aggregates(Metric.HEAP_USED, Duration.ofMinutes(10));
    assertThat(a).hasSize(3);
    assertThat(a.get(0).start()).isEqualTo(T0);
    assertThat(a.get(0).min()).isEqualTo(0);
    assertThat(a.get(0).max()).isEqualTo(59.0 * MIB);
    assertThat(a.get(0).mean()).isCloseTo(29.5 * MIB, within(1.0));
    assertThat(a.get(0).count()).isEqualTo(60);
    assertThat(a.get(2).start()).isEqualTo(T0.plusSeconds(120));
    assertThat(h.aggregates(Metric.HEAP_USED, Duration.ofSeconds(30))).hasSize(1);
  }

  @Test
  void aggregates_oldMinutesFallOff() {
    MetricHistory h = new MetricHistory(10, 2, List.of());
    for (long s = 0; s < 300; s += 10) {
      h.add(snap(s, MIB, 10 * MIB));
    }
    assertThat(h.aggregates(Metric.HEAP_USED, Duration.ofDays(1))).hasSize(2);
  }

  @Test
  void aggregates_ofAnUnknownMetric_namesTheFix() {
    MetricHistory h = new MetricHistory(10, 2, List.of());
    Metric custom = Metric.of("custom", Metric.COUNT, s -> 1);
    assertThatThrownBy(() -> h.aggregates(custom, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("custom")
        .hasMessageContaining("aggregate(metric)");
    MetricHistory withCustom = new MetricHistory(10, 2, List.of(custom));
    withCustom.add(snap(0, 1, 2));
    assertThat(withCustom.aggregates(custom, Duration.ofMinutes(1))).hasSize(1);
  }

  @Test
  void trend_fromTheRing_slopeAndTimeToExhaustion() {
    MetricHistory h = new MetricHistory(100, 60, List.of());
    for (long s = 0; s < 60; s++) {
      h.add(snap(s, 100 * MIB + s * MIB, 200 * MIB));
    }
    Trend t = h.trend(Metric.HEAP_USED, Duration.ofMinutes(1));
    assertThat(t.points()).isEqualTo(60);
    assertThat(t.slopePerSecond()).isCloseTo(MIB, within(1.0));
    assertThat(t.slopePerMinute()).isCloseTo(60.0 * MIB, within(100.0));
    assertThat(t.increasing(0.01)).isTrue();
    assertThat(t.capacity()).isEqualTo(200.0 * MIB);
    assertThat(t.timeToExhaustion()).get().isEqualTo(Duration.ofSeconds(41));
  }

  @Test
  void trend_beyondTheRing_usesMinuteMeans() {
    MetricHistory h = new MetricHistory(10, 600, List.of());
    for (long s = 0; s < 3600; s += 5) {
      h.add(snap(s, 100 * MIB + s * 1024, 1000 * MIB));
    }
    Trend t = h.trend(Metric.HEAP_USED, Duration.ofMinutes(50));
    assertThat(t.points()).isBetween(49, 51);
    assertThat(t.slopePerSecond()).isCloseTo(1024, within(5.0));
  }

  @Test
  void trend_ofAFlatMetric_isNotIncreasingAndNeverExhausts() {
    MetricHistory h = new MetricHistory(100, 60, List.of());
    for (long s = 0; s < 60; s++) {
      h.add(snap(s, 100 * MIB + (s % 2) * MIB, 200 * MIB));
    }
    Trend t = h.trend(Metric.HEAP_USED, Duration.ofMinutes(1));
    assertThat(t.increasing(0.01)).isFalse();
    assertThat(t.timeToExhaustion()).isEmpty();
    assertThatThrownBy(() -> h.trend(Metric.HEAP_USED, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void performance_overheadRatesPausesAndSampleDurations() {
    MetricHistory h = new MetricHistory(100, 60, List.of());
    for (long s = 0; s <= 10; s++) {
      MemorySnapshot.Builder b =
          snap(s, MIB, 10 * MIB).toBuilder()
              .addCollector(new MemorySnapshot.Collector("Young", s * 2, s * 20, true))
              .addCollector(new MemorySnapshot.Collector("Cycles", s, s * 500, false));
      if (s > 0) {
        b.addPause(
            new MemorySnapshot.GcPause(
                "Young", "end of minor GC", "test", s * 1_000_000_000L, 10 * s, 2, 1, true));
        b.addPause(
            new MemorySnapshot.GcPause(
                "Cycles", "end of major GC", "test", s * 1_000_000_000L, 400, 2, 1, false));
      }
      h.add(b.build());
    }
    PerformanceMetrics p = h.performance(Duration.ofMinutes(1));
    assertThat(p.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.gcOverheadPercent()).isCloseTo(2.0, within(1e-9)); // 200 ms of pauses in 10 s
    assertThat(p.gcCount()).isEqualTo(30);
    assertThat(p.gcPauseCount()).isEqualTo(10);
    assertThat(p.pauseP50Millis()).isEqualTo(50);
    assertThat(p.pauseP90Millis()).isEqualTo(90);
    assertThat(p.pauseP99Millis()).isEqualTo(100);
    assertThat(p.pauseMaxMillis()).isEqualTo(100);
    assertThat(p.allocationRateMeanBytesPerSecond()).isEqualTo(5000);
    assertThat(p.allocationRateMaxBytesPerSecond()).isEqualTo(10000);
    assertThat(p.sampleDurationMaxNanos()).isEqualTo(100_010);
    assertThat(h.pauses(Duration.ofSeconds(2))).hasSize(6);
  }

  @Test
  void performance_ofAnEmptyHistory_isNaNNotAnError() {
    PerformanceMetrics p = new MetricHistory(10, 10, List.of()).performance(Duration.ofMinutes(1));
    assertThat(p.gcOverheadPercent()).isNaN();
    assertThat(p.pauseP99Millis()).isNaN();
  }

  @Test
  void constructor_rejectsTinySizes() {
    assertThatThrownBy(() -> new MetricHistory(1, 10, List.of()))
        .hasMessageContaining("at least 2");
    assertThatThrownBy(() -> new MetricHistory(10, 0, List.of()))
        .hasMessageContaining("at least 1");
  }
}
