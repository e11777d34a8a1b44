package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.WeakRegistry;
import io.memguard.monitor.internal.ClassHistogram;
import io.memguard.monitor.internal.Dispatcher;
import io.memguard.monitor.internal.HistogramSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeakDetectorTest {
  static final long MIB = 1L << 20;
  static final long HEAP = 256 * MIB;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * Drives a detector with one snapshot per second: a GC per snapshot, live set from a function of
   * time.
   */
  static final class Driver {
    final FakeTicker ticker = new FakeTicker();
    final long origin = ticker.read();
    final List<LeakReport> reports = new ArrayList<>();
    final List<Instant> cleared = new ArrayList<>();
    final LeakDetector detector;
    int histogramsTaken;
    double seconds;

    Driver(
        LeakDetectorConfig config,
        HistogramSource histograms,
        Supplier<Map<String, Long>> scopes,
        Supplier<Map<String, Long>> registries) {
      HistogramSource counting =
          histograms == null
              ? null
              : t -> {
                histogramsTaken++;
                return histograms.take(t);
              };
      detector =
          new LeakDetector(
              config,
              ticker::read,
              counting,
              Runnable::run,
              scopes,
              registries,
              Dispatcher.direct("test"));
      detector.addListener(
          new LeakListener() {
            @Override
            public void onLeakReport(LeakReport report) {
              reports.add(report);
            }

            @Override
            public void onLeakCleared(Instant at) {
              cleared.add(at);
            }
          });
    }

    Driver(LeakDetectorConfig config, HistogramSource histograms) {
      this(config, histograms, null, null);
    }

    /** Runs until {@code untilSeconds}, feeding liveSet(t) in bytes every second. */
    void run(double untilSeconds, DoubleUnaryOperator liveSet) {
      while (seconds < untilSeconds) {
        seconds += 1;
        ticker.advance(Duration.ofSeconds(1));
        long nanos = ticker.read();
        MemorySnapshot s =
            MemorySnapshot.builder()
                .nanoTime(nanos)
                .time(T0.plusNanos(nanos - origin))
                .heap(0, 0, HEAP)
                .liveSet((long) liveSet.applyAsDouble(seconds), true)
                .build();
        detector.onSnapshot(s);
      }
    }

    double firstReportSeconds() {
      return reports.isEmpty()
          ? Double.NaN
          : Duration.between(T0, reports.get(0).detectedAt()).toMillis() / 1000.0;
    }
  }

  /**
   * Fake histograms: an application class and byte arrays grow with time, a string count wobbles.
   */
  static HistogramSource growingHistograms(FakeTicker ticker, long origin) {
    SplittableRandom random = new SplittableRandom(3);
    return nanoTime -> {
      double t = (ticker.read() - origin) / 1e9;
      long leaked = (long) (1000 * t);
      Map<String, ClassHistogram.Entry> e = new HashMap<>();
      e.put(
          "com.example.Cache$Entry",
          new ClassHistogram.Entry("com.example.Cache$Entry", null, leaked, leaked * 32));
      e.put(
          "[B",
          new ClassHistogram.Entry("[B", "java.base", 5000 + leaked, 4_000_000 + leaked * 1040));
      e.put(
          "java.lang.String",
          new ClassHistogram.Entry("java.lang.String", "java.base", 9000 + random.nextInt(50), 0));
      e.put(
          "io.memguard.monitor.MemorySnapshot",
          new ClassHistogram.Entry(
              "io.memguard.monitor.MemorySnapshot", null, (long) (10 * t), (long) (1600 * t)));
      e.put("com.example.Stable", new ClassHistogram.Entry("com.example.Stable", null, 10, 320));
      return new ClassHistogram(nanoTime, e, 0);
    };
  }

  static LeakDetectorConfig defaults() {
    return LeakDetectorConfig.ofDefaults();
  }

  @Test
  void steadyLeak_isReportedWithinFiftySecondsWithTheLeakingClassOnTop() {
    Driver run = driverWith(defaults(), true);
    SplittableRandom noise = new SplittableRandom(7);
    run.run(120, t -> 100 * MIB + t * MIB + noise.nextDouble() * 2 * MIB);
    assertThat(run.reports).isNotEmpty();
    assertThat(run.firstReportSeconds()).isLessThanOrEqualTo(45);
    LeakReport r = run.reports.get(0);
    assertThat(r.growthBytesPerMinute()).isCloseTo(60.0 * MIB, within(6.0 * MIB));
    assertThat(r.confidence()).isGreaterThan(0.995);
    assertThat(r.histogramsCompared()).isGreaterThanOrEqualTo(2);
    assertThat(r.topSuspect())
        .get()
        .extracting(LeakSuspect::name)
        .isEqualTo("com.example.Cache$Entry");
    assertThat(r.suspects())
        .extracting(LeakSuspect::name)
        .contains("[B")
        .doesNotContain(
            "io.memguard.monitor.MemorySnapshot", "com.example.Stable", "java.lang.String");
    assertThat(r.timeToExhaustion()).isPresent();
    assertThat(r.timeToExhaustion().get()).isBetween(Duration.ofMinutes(1), Duration.ofMinutes(4));
    assertThat(run.detector.status().state()).isEqualTo(LeakStatus.State.LEAK);
    assertThat(run.histogramsTaken).isEqualTo(2);
    assertThat(r.describe())
        .contains("com.example.Cache$Entry")
        .contains("What to do")
        .contains("MiB/min");
    assertThat(r.toJson()).startsWith("{\"detectedAt\":").contains("\"kind\":\"CLASS\"");
  }

  private static Driver driverWith(LeakDetectorConfig config, boolean histograms) {
    FakeTicker[] ticker = new FakeTicker[1];
    long[] origin = new long[1];
    HistogramSource lazy = t -> growingHistograms(ticker[0], origin[0]).take(t);
    Driver d = new Driver(config, histograms ? lazy : null);
    ticker[0] = d.ticker;
    origin[0] = d.origin;
    return d;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void sawtoothWithFlatLiveSet_neverTriggers(long seed) {
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(seed);
    // Promoted garbage piles up for 25-45 s, then an old-generation cycle clears it.
    double[] cycleStart = {0};
    double[] cycleLength = {30};
    d.run(
        3600,
        t -> {
          if (t - cycleStart[0] >= cycleLength[0]) {
            cycleStart[0] = t;
            cycleLength[0] = 25 + random.nextInt(21);
          }
          double promoted = (t - cycleStart[0]) * 0.8 * MIB;
          return 150 * MIB + promoted + random.nextDouble() * 3 * MIB;
        });
    assertThat(d.reports).isEmpty();
    assertThat(d.histogramsTaken).isLessThanOrEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14, 15})
  void flatNoise_neverTriggersInAnHour(long seed) {
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(seed);
    d.run(3600, t -> 150 * MIB + random.nextGaussian() * MIB);
    assertThat(d.reports).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
  void heapSawtoothWithFlatLiveSet_andOccasionalSpikes_neverTriggers(long seed) {
    // The classic sawtooth: heap use climbs and falls with every GC, the post-GC live set stays
    // put.
    // A GC every 1-3 s; now and then a reading is high (a large batch was alive during the GC).
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(seed);
    long[] nextGc = {0};
    d.detector.onSnapshot(
        MemorySnapshot.builder().nanoTime(d.ticker.read()).time(T0).heap(0, 0, HEAP).build());
    for (int i = 0; i < 3600; i++) {
      d.ticker.advance(Duration.ofSeconds(1));
      long nanos = d.ticker.read();
      boolean gc = i >= nextGc[0];
      if (gc) {
        nextGc[0] = i + 1 + random.nextInt(3);
      }
      double live =
          155 * MIB + random.nextDouble() * 2 * MIB + (random.nextInt(50) == 0 ? 30 * MIB : 0);
      d.detector.onSnapshot(
          MemorySnapshot.builder()
              .nanoTime(nanos)
              .time(T0.plusNanos(nanos - d.origin))
              .heap((long) (live + random.nextDouble() * 60 * MIB), 0, HEAP)
              .liveSet((long) live, gc)
              .build());
    }
    assertThat(d.reports).isEmpty();
    assertThat(d.histogramsTaken).isZero();
  }

  @Test
  void leakInsideASawtooth_isFoundOnceTheFloorRisesOverSeveralCycles() {
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(4);
    double[] cycleStart = {0};
    d.run(
        1800,
        t -> {
          if (t - cycleStart[0] >= 30) {
            cycleStart[0] = t;
          }
          double promoted = (t - cycleStart[0]) * 0.5 * MIB;
          double leaked = t / 60.0 * 3 * MIB; // 3 MiB per minute
          return 100 * MIB + leaked + promoted + random.nextDouble() * MIB;
        });
    assertThat(d.reports).isNotEmpty();
    assertThat(d.detector.status().cycle()).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
    assertThat(d.reports.get(0).window()).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    assertThat(d.reports.get(0).growthBytesPerMinute()).isCloseTo(3.0 * MIB, within(1.5 * MIB));
  }

  @ParameterizedTest
  @ValueSource(longs = {31, 32, 33, 34, 35})
  void slowCreepOfTheFloor_belowTheLeastReportableGrowth_doesNotTrigger(long seed) {
    // Seen in the steady scenario: the floor creeps up ~1.3 MiB in 30 s (Mann-Kendall p ~ 3e-4),
    // then settles. Significant, but far below 2% of max heap per window.
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(seed);
    d.run(1800, t -> 180 * MIB + (t % 90) * 0.045 * MIB + random.nextDouble() * 0.2 * MIB);
    assertThat(d.reports).isEmpty();
    assertThat(d.histogramsTaken).isZero();
  }

  @Test
  void warmupRamp_thenFlat_doesNotTrigger() {
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(5);
    d.run(600, t -> (t < 8 ? 10 * MIB + t * 18 * MIB : 155 * MIB) + random.nextDouble() * 2 * MIB);
    assertThat(d.reports).isEmpty();
  }

  @Test
  void slowLeak_isFoundByTheLongWindow() {
    Driver d = driverWith(defaults(), true);
    SplittableRandom random = new SplittableRandom(9);
    // 1 MiB per minute with 2 MiB of noise: invisible in one minute, clear over half an hour.
    d.run(3600, t -> 100 * MIB + t / 60.0 * MIB + random.nextDouble() * 2 * MIB);
    assertThat(d.reports).isNotEmpty();
    assertThat(d.firstReportSeconds()).isLessThan(1800);
    assertThat(d.reports.get(0).growthBytesPerMinute()).isCloseTo(MIB, within(0.5 * MIB));
  }

  @Test
  void histogramsOff_reportsAtConfirmationWithANote() {
    LeakDetectorConfig config = LeakDetectorConfig.builder().classHistograms(false).build();
    Driver d = driverWith(config, true);
    d.run(60, t -> 100 * MIB + t * MIB);
    assertThat(d.reports).isNotEmpty();
    assertThat(d.histogramsTaken).isZero();
    assertThat(d.reports.get(0).histogramNote()).contains("switched off");
    assertThat(d.reports.get(0).describe()).contains("switched off");
  }

  @Test
  void histogramsGatedOff_byTheRollout_reportWithoutThemAndSaySo() {
    Driver d = driverWith(defaults(), true);
    d.detector.gateHistograms(() -> false);
    d.run(60, t -> 100 * MIB + t * MIB);
    assertThat(d.reports).isNotEmpty();
    assertThat(d.histogramsTaken).isZero();
    assertThat(d.reports.get(0).histogramNote()).contains("LEAK_ACTIONS in OBSERVE or OFF");
  }

  @Test
  void failingHistogram_stillReportsWithTheReason() {
    Driver d =
        new Driver(
            defaults(),
            t -> {
              throw new IllegalStateException("DiagnosticCommand unavailable");
            });
    d.run(60, t -> 100 * MIB + t * MIB);
    assertThat(d.reports).hasSize(1);
    assertThat(d.reports.get(0).histogramNote()).contains("DiagnosticCommand unavailable");
    assertThat(d.reports.get(0).suspects()).isEmpty();
  }

  @Test
  void leakThatStops_isClearedAndListenersAreTold() {
    Driver d = driverWith(defaults(), true);
    d.run(60, t -> 100 * MIB + t * MIB);
    assertThat(d.reports).isNotEmpty();
    SplittableRandom random = new SplittableRandom(1);
    d.run(200, t -> 160 * MIB + random.nextDouble() * MIB);
    assertThat(d.cleared).hasSize(1);
    assertThat(d.detector.status().state()).isEqualTo(LeakStatus.State.NONE);
  }

  @Test
  void continuingLeak_isReportedAgainEveryReportInterval_withinTheHistogramBudget() {
    LeakDetectorConfig config =
        LeakDetectorConfig.builder()
            .reportInterval(Duration.ofMinutes(1))
            .maxHistogramsPerHour(4)
            .build();
    Driver d = driverWith(config, true);
    d.run(600, t -> 10 * MIB + t * 0.3 * MIB);
    assertThat(d.histogramsTaken).isLessThanOrEqualTo(4);
    assertThat(d.reports.size()).isGreaterThanOrEqualTo(5);
    // Once the budget is spent, later reports say so instead of waiting for a histogram forever.
    assertThat(d.reports.get(d.reports.size() - 1).describe()).contains("class");
  }

  @Test
  void updateReport_waitsForTheHistogramInterval_thenStillComes() {
    // Updates are due every minute but histograms may only be taken every 90 s: the update waits.
    LeakDetectorConfig config =
        LeakDetectorConfig.builder()
            .reportInterval(Duration.ofMinutes(1))
            .histogramInterval(Duration.ofSeconds(90))
            .build();
    Driver d = driverWith(config, true);
    d.run(400, t -> 10 * MIB + t * 0.3 * MIB);
    assertThat(d.reports.size()).isGreaterThanOrEqualTo(3);
    for (int i = 1; i < d.reports.size(); i++) {
      Duration gap =
          Duration.between(d.reports.get(i - 1).detectedAt(), d.reports.get(i).detectedAt());
      assertThat(gap).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
      assertThat(d.reports.get(i).histogramsCompared()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void growingScopesAndRegistries_areSuspects_childBeforeParent() {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(512)).build();
        MemoryScope train = memory.openScope("train");
        MemoryScope batch = train.openChild("batch")) {
      WeakRegistry<Object> models = memory.newWeakRegistry("models");
      List<Object> strong = new ArrayList<>();
      List<Reservation> held = new ArrayList<>();
      Supplier<Map<String, Long>> scopes =
          () -> {
            Map<String, Long> out = new HashMap<>();
            collect(memory.snapshot(), out);
            return out;
          };
      Supplier<Map<String, Long>> registries = () -> Map.of("models", (long) models.liveCount());
      Driver d =
          new Driver(
              LeakDetectorConfig.builder().classHistograms(false).build(),
              null,
              scopes,
              registries);
      AtomicInteger step = new AtomicInteger();
      d.run(
          60,
          t -> {
            if (step.incrementAndGet() % 2 == 0) {
              held.add(batch.reserve(MIB));
              Object model = new Object();
              strong.add(model);
              models.add(model);
            }
            return 100 * MIB + t * MIB;
          });
      assertThat(d.reports).isNotEmpty();
      List<LeakSuspect> suspects = d.reports.get(0).suspects();
      assertThat(suspects).extracting(LeakSuspect::name).contains(batch.path(), "models");
      assertThat(suspects).extracting(LeakSuspect::name).doesNotContain(train.path());
      LeakSuspect scope =
          suspects.stream()
              .filter(s -> s.kind() == LeakSuspect.Kind.SCOPE)
              .findFirst()
              .orElseThrow();
      assertThat(scope.bytesPerMinute()).isCloseTo(30.0 * MIB, within(5.0 * MIB));
      assertThat(d.reports.get(0).recommendation()).contains(batch.path());
      held.forEach(Reservation::close);
      assertThat(strong).isNotEmpty();
    }
  }

  private static void collect(io.memguard.core.ScopeSnapshot s, Map<String, Long> out) {
    out.put(s.path(), s.reservedBytes());
    s.children().forEach(c -> collect(c, out));
  }

  @Test
  void disabled_doesNothing() {
    Driver d = driverWith(LeakDetectorConfig.builder().enabled(false).build(), true);
    d.run(120, t -> 100 * MIB + t * MIB);
    assertThat(d.reports).isEmpty();
    assertThat(d.detector.status().state()).isEqualTo(LeakStatus.State.NONE);
  }

  @Test
  void config_rejectsNonsense() {
    assertThatThrownBy(() -> LeakDetectorConfig.builder().significance(0.7).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("significance");
    assertThatThrownBy(() -> LeakDetectorConfig.builder().window(Duration.ofSeconds(8)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("per segment");
    assertThatThrownBy(
            () -> LeakDetectorConfig.builder().longWindow(Duration.ofSeconds(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longWindow");
    assertThatThrownBy(() -> LeakDetectorConfig.builder().maxHistogramsPerHour(1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two");
  }

  @Test
  void dumpHeap_validatesTheNameAndWritesAFile(@TempDir Path dir) throws Exception {
    Driver d = driverWith(defaults(), false);
    assertThatThrownBy(() -> d.detector.dumpHeap(dir.resolve("heap.bin"), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(".hprof");
    Path written = d.detector.dumpHeap(dir.resolve("heap.hprof"), true);
    assertThat(written).exists();
    assertThat(java.nio.file.Files.size(written)).isGreaterThan(1000);
    assertThatThrownBy(() -> d.detector.dumpHeap(written, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists");
  }
}
