package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Registration;
import io.memguard.core.Reservation;
import io.memguard.monitor.internal.Dispatcher;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryMonitorTest {
  static final long MIB = 1L << 20;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final FakeTicker ticker = new FakeTicker();
  final ScriptedSampler sampler = new ScriptedSampler();
  final MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(100)).build();
  final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    memory.close();
  }

  MonitorConfig.Builder config() {
    return MonitorConfig.builder()
        .sampler(sampler)
        .ticker(ticker)
        .clock(Clock.fixed(T0, ZoneOffset.UTC))
        .dispatchers(Dispatcher::direct)
        .histogramSource(null);
  }

  MemoryMonitor manual(MonitorConfig.Builder config) {
    MemoryMonitor m = MemoryMonitor.manual(memory, config.build());
    toClose.add(m);
    return m;
  }

  MemorySnapshot step(MemoryMonitor m) {
    ticker.advance(Duration.ofSeconds(1));
    return m.sampleNow();
  }

  @Test
  void sampleNow_stampsSequenceAndTime_addsMemguardFigures_andDerivesRates() {
    MemoryMonitor m = manual(config());
    try (MemoryScope scope = memory.openScope("train");
        Reservation r = scope.reserve(10 * MIB)) {
      MemorySnapshot first = m.sampleNow();
      assertThat(first.sequence()).isEqualTo(1);
      assertThat(first.time()).isEqualTo(T0);
      assertThat(first.allocationRateBytesPerSecond()).isNaN();
      sampler.allocated = 50 * MIB;
      sampler.gcTimeMillis = 100;
      sampler.cpuNanos = 500_000_000L;
      MemorySnapshot second = step(m);
      assertThat(second.sequence()).isEqualTo(2);
      assertThat(second.time()).isEqualTo(T0.plusSeconds(1));
      assertThat(second.allocationRateBytesPerSecond()).isEqualTo(50.0 * MIB);
      assertThat(second.gcOverhead()).isCloseTo(0.1, within(1e-9));
      assertThat(second.processCpuLoad())
          .isCloseTo(0.5 / Runtime.getRuntime().availableProcessors(), within(1e-9));
      assertThat(second.reservedBytes()).isEqualTo(10 * MIB);
      assertThat(second.budgetBytes()).isEqualTo(100 * MIB);
      assertThat(second.openScopes()).isEqualTo(memory.openScopeCount());
      assertThat(second.sampleDurationNanos())
          .isZero(); // the fake ticker did not move during the sample
      assertThat(m.latest()).contains(second);
      assertThat(m.history().size()).isEqualTo(2);
      assertThat(r.bytes()).isEqualTo(10 * MIB);
    }
  }

  @Test
  void pressureSources_reportLiveHeapAndRss_andAreRemovedOnClose() {
    MemoryMonitor m = manual(config().defaultAlertRules(false).noEmergencyGuard());
    sampler.liveSet = 96 * sampler.heapMax / 100;
    m.sampleNow();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);
    sampler.liveSet = 10 * MIB;
    sampler.containerLimit = 320 * MIB;
    sampler.rss = 300 * MIB; // 94% of the container limit
    step(m);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
    m.close();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
  }

  @Test
  void guardEmergency_isAnAlert_firedAtTheStartAndResolvedAtRecovery() {
    MemoryMonitor m = manual(config());
    sampler.liveSet = 96 * sampler.heapMax / 100;
    m.sampleNow();
    sampler.liveSet = 50 * sampler.heapMax / 100;
    step(m);
    assertThat(m.alerts().history())
        .filteredOn(e -> e.alert().rule().equals("memory-emergency"))
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED);
    assertThat(m.alerts().history())
        .filteredOn(e -> e.alert().rule().equals("memory-emergency"))
        .first()
        .satisfies(e -> assertThat(e.alert().severity()).isEqualTo(Severity.EMERGENCY));
  }

  @Test
  void emergencyGuard_isFedEverySample_andClosedWithTheMonitor() {
    MemoryMonitor m = manual(config().defaultAlertRules(false));
    EmergencyGuard guard = m.emergencyGuard().orElseThrow();
    sampler.liveSet = 96 * sampler.heapMax / 100;
    m.sampleNow();
    assertThat(guard.inEmergency()).isTrue();
    assertThat(guard.stats().samples()).isEqualTo(1);
    sampler.liveSet = 50 * sampler.heapMax / 100;
    step(m);
    assertThat(guard.inEmergency()).isFalse();
    m.close();
    assertThat(manual(config().noEmergencyGuard()).emergencyGuard()).isEmpty();
  }

  @Test
  void guardSample_usesTheContainerWhenItHasALimit() {
    MemorySnapshot s =
        MemorySnapshot.builder()
            .heap(50, 60, 100)
            .liveSet(40, true)
            .process(80, 500)
            .system(1000, 900)
            .container(200, 150)
            .build();
    GuardSample g = MemoryMonitor.guardSample(s);
    assertThat(g.liveHeapFraction()).isEqualTo(0.4);
    assertThat(g.heapUsedFraction()).isEqualTo(0.5);
    assertThat(g.rssFraction()).isEqualTo(0.4);
    assertThat(g.systemTotalBytes()).isEqualTo(200);
    assertThat(g.systemAvailableBytes()).isEqualTo(50);
  }

  @Test
  void feedPressureOff_leavesTheManagerAlone() {
    MemoryMonitor m = manual(config().feedPressure(false).noEmergencyGuard());
    sampler.liveSet = sampler.heapMax;
    m.sampleNow();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
  }

  @Test
  void failingSampler_yieldsADegradedSnapshot_andTheNextSampleWorks() {
    MemoryMonitor m = manual(config());
    sampler.failWith = new IllegalStateException("MXBean gone");
    MemorySnapshot bad = m.sampleNow();
    assertThat(bad.unavailable())
        .containsEntry("sampler", "java.lang.IllegalStateException: MXBean gone");
    assertThat(bad.reservedBytes()).isEqualTo(memory.reservedBytes());
    sampler.failWith = null;
    MemorySnapshot good = step(m);
    assertThat(good.unavailable()).isEmpty();
    assertThat(good.heap().maxBytes()).isEqualTo(sampler.heapMax);
    MonitorStats stats = m.stats();
    assertThat(stats.samples()).isEqualTo(2);
    assertThat(stats.failedSamples()).isEqualTo(1);
    assertThat(stats.degradedSamples()).isEqualTo(1);
  }

  @Test
  void linkageErrorInTheSampler_isSurvivedToo() {
    MemoryMonitor m =
        manual(
            config()
                .sampler(
                    b -> {
                      throw new NoClassDefFoundError("com/sun/jna/Native");
                    }));
    assertThat(m.sampleNow().unavailable()).containsKey("sampler");
    assertThat(step(m).unavailable()).containsKey("sampler");
  }

  @Test
  void unavailableSource_isReportedPerSnapshot() {
    MemoryMonitor m = manual(config());
    sampler.unavailableSource = "cgroup";
    assertThat(m.sampleNow().unavailable()).containsOnlyKeys("cgroup");
    assertThat(m.stats().degradedSamples()).isEqualTo(1);
  }

  @Test
  void subscribers_getEverySnapshot_aThrowingOneIsIsolated_andHandlesUnsubscribe() {
    MemoryMonitor m = manual(config());
    List<MemorySnapshot> seen = new ArrayList<>();
    m.addListener(
        s -> {
          throw new IllegalStateException("dashboard bug");
        });
    Registration handle = m.addListener(seen::add);
    m.sampleNow();
    step(m);
    handle.close();
    handle.close();
    step(m);
    assertThat(seen).extracting(MemorySnapshot::sequence).containsExactly(1L, 2L);
  }

  @Test
  void defaultRules_fireOnAnEmergencyLiveHeap_andResolveWithHysteresis() {
    MemoryMonitor m = manual(config());
    List<AlertEvent> events = new ArrayList<>();
    m.alerts().addListener(events::add);
    assertThat(m.alerts().rules())
        .extracting(AlertRule::name)
        .containsExactly(
            "leak",
            "live-heap-high",
            "live-heap-emergency",
            "rss-high",
            "memory-emergency",
            "protection-rolled-back");
    sampler.liveSet = 97 * sampler.heapMax / 100;
    m.sampleNow();
    assertThat(events)
        .extracting(e -> e.alert().rule())
        .containsExactly("live-heap-emergency", "memory-emergency");
    assertThat(events.get(0).alert().severity()).isEqualTo(Severity.EMERGENCY);
    sampler.liveSet = 93 * sampler.heapMax / 100;
    step(m);
    assertThat(m.alerts().active()).extracting(Alert::rule).contains("live-heap-emergency");
    sampler.liveSet = 50 * sampler.heapMax / 100;
    step(m);
    assertThat(events).extracting(AlertEvent::type).contains(AlertEvent.Type.RESOLVED);
    assertThat(m.alerts().channelStats())
        .extracting(Alerts.ChannelStats::name)
        .containsExactly("listeners", "log");
  }

  @Test
  void leakInTheSampledSeries_raisesTheLeakAlertAndTellsLeakListeners() {
    MemoryMonitor m = manual(config());
    List<LeakReport> reports = new ArrayList<>();
    List<AlertEvent> events = new ArrayList<>();
    m.leakDetector().addListener(reports::add);
    m.alerts().addListener(events::add);
    for (int s = 0; s < 60; s++) {
      sampler.liveSet = 50 * MIB + s * MIB;
      step(m);
    }
    assertThat(reports).isNotEmpty();
    assertThat(reports.get(0).histogramNote()).contains("not available");
    assertThat(events).extracting(e -> e.alert().rule()).contains("leak");
    MonitorReport report = m.report(Duration.ofMinutes(5));
    assertThat(report.leaks()).isNotEmpty();
    assertThat(report.describe())
        .contains("Leaks: 1 report(s)")
        .contains("heap.live")
        .contains("leak");
    assertThat(report.toJson()).contains("\"leaks\":[{");
  }

  @Test
  void report_coversPeaksPerformanceAndAlerts() {
    MemoryMonitor m = manual(config());
    for (int s = 0; s < 30; s++) {
      sampler.heapUsed = (100 + s) * MIB;
      step(m);
    }
    MonitorReport r = m.report(Duration.ofMinutes(10));
    assertThat(r.samples()).isEqualTo(30);
    assertThat(r.from()).isEqualTo(T0.plusSeconds(1));
    assertThat(r.peaks())
        .anySatisfy(
            p -> {
              assertThat(p.metric()).isEqualTo("heap.used");
              assertThat(p.value()).isEqualTo(129.0 * MIB);
              assertThat(p.at()).isEqualTo(T0.plusSeconds(30));
            });
    assertThat(r.describe())
        .contains("Peaks:")
        .contains("heap.used")
        .contains("129.0 MiB")
        .contains("Alerts (0 events)");
    assertThat(r.toJson()).startsWith("{\"from\":").contains("\"heap.used\":{\"value\":");
    assertThatThrownBy(() -> m.report(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void report_beforeTheFirstSample_samplesFirst() {
    MemoryMonitor m = manual(config());
    assertThat(m.latest()).isEmpty();
    MonitorReport r = m.report(Duration.ofMinutes(1));
    assertThat(r.samples()).isEqualTo(1);
    assertThat(m.latest()).isPresent();
  }

  @Test
  void close_isIdempotent_andSamplingAfterwardsFailsClearly() {
    MemoryMonitor m = manual(config());
    m.sampleNow();
    m.close();
    m.close();
    assertThat(m.isRunning()).isFalse();
    assertThatThrownBy(m::sampleNow)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void config_rejectsATooShortPeriodWithTheNumbers() {
    assertThatThrownBy(() -> MonitorConfig.builder().period(Duration.ofMillis(5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 ms")
        .hasMessageContaining("PT0.005S");
    assertThat(MonitorConfig.ofDefaults().period()).isEqualTo(Duration.ofSeconds(1));
    assertThat(MonitorConfig.ofDefaults().toString()).contains("period=PT1S");
  }

  @Test
  void started_samplesOnANamedDaemonThread_withTheRealJvmSampler_andStopsOnClose()
      throws Exception {
    CountDownLatch three = new CountDownLatch(3);
    List<Thread> threads = new ArrayList<>();
    MemoryMonitor m =
        MemoryMonitor.start(memory, MonitorConfig.builder().period(Duration.ofMillis(20)).build());
    toClose.add(m);
    m.addListener(s -> three.countDown());
    m.addListener(
        s -> {
          synchronized (threads) {
            threads.add(Thread.currentThread());
          }
        });
    assertThat(three.await(30, TimeUnit.SECONDS)).isTrue();
    MemorySnapshot s = m.latest().orElseThrow();
    assertThat(s.heap().maxBytes()).isEqualTo(Runtime.getRuntime().maxMemory());
    assertThat(s.heap().usedBytes()).isPositive();
    assertThat(s.pools()).isNotEmpty();
    assertThat(s.collectors()).isNotEmpty();
    assertThat(s.bufferPools())
        .extracting(MemorySnapshot.BufferPool::name)
        .contains("direct", "mapped");
    assertThat(s.allocatedBytes()).isPositive();
    assertThat(s.processCpuNanos()).isPositive();
    assertThat(s.rssBytes()).isPositive();
    assertThat(s.virtualBytes()).isGreaterThanOrEqualTo(s.rssBytes());
    assertThat(s.systemTotalBytes()).isPositive();
    assertThat(s.unavailable()).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet())
        .anySatisfy(
            t -> {
              assertThat(t.getName()).isEqualTo(MemoryMonitor.SAMPLER_THREAD);
              assertThat(t.isDaemon()).isTrue();
            });
    synchronized (threads) {
      assertThat(threads)
          .allSatisfy(t -> assertThat(t.getName()).isEqualTo("memguard-monitor-events"));
    }
    m.close();
    // The executor has terminated; its worker thread may take a moment more to exit.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(MemoryMonitor.SAMPLER_THREAD)) {
        t.join(10_000);
      }
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneSatisfy(t -> assertThat(t.getName()).isEqualTo(MemoryMonitor.SAMPLER_THREAD));
    assertThat(m.stats().samplerCpuNanos()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void leakDecisions_inShadowMode_areSettledAsReported_whenTheGrowthIsReportedAsALeak() {
    memory
        .rollout()
        .set(
            io.memguard.core.Protection.LEAK_ACTIONS, io.memguard.core.ProtectionMode.OBSERVE, "t");
    MemoryMonitor m =
        manual(
            config()
                .defaultAlertRules(false)
                .noEmergencyGuard()
                .histogramSource(LeakDetectorTest.growingHistograms(ticker, ticker.read())));
    for (int t = 0; t < 120 && m.leakDetector().status().state() != LeakStatus.State.LEAK; t++) {
      sampler.liveSet = 80 * MIB + t * MIB;
      step(m);
    }
    assertThat(m.leakDetector().status().state()).isEqualTo(LeakStatus.State.LEAK);
    assertThat(memory.rollout().decisions())
        .isNotEmpty()
        .allSatisfy(
            d -> {
              assertThat(d.protection()).isEqualTo(io.memguard.core.Protection.LEAK_ACTIONS);
              assertThat(d.mode()).isEqualTo(io.memguard.core.ProtectionMode.OBSERVE);
              assertThat(d.outcome()).isEqualTo(io.memguard.core.Rollout.Outcome.LEAK_REPORTED);
            });
  }

  @Test
  void jvmSampler_seesGcEventsAndTheLiveSetAfterAGc() throws Exception {
    MemoryMonitor m =
        MemoryMonitor.manual(memory, MonitorConfig.builder().sampleRssAndHostMemory(false).build());
    toClose.add(m);
    m.sampleNow();
    // The monitor's GC listener was registered first; notifications reach listeners in order, so
    // once
    // this latch opens the monitor has seen the collection too.
    CountDownLatch gcSeen = new CountDownLatch(1);
    javax.management.NotificationListener latch = (n, h) -> gcSeen.countDown();
    List<javax.management.NotificationEmitter> emitters = new ArrayList<>();
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof javax.management.NotificationEmitter e) {
        e.addNotificationListener(latch, null, null);
        emitters.add(e);
      }
    }
    try {
      long sink = 0;
      // Allocate until a young collection happens (bounded) instead of calling System.gc().
      for (int i = 0; i < 10_000_000 && gcSeen.getCount() > 0; i++) {
        sink += new byte[64 * 1024].length;
      }
      assertThat(sink).isPositive();
      assertThat(gcSeen.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      for (var e : emitters) {
        e.removeNotificationListener(latch);
      }
    }
    MemorySnapshot s = m.sampleNow();
    assertThat(s.liveSetUpdated()).isTrue();
    assertThat(s.liveSetBytes()).isPositive().isLessThanOrEqualTo(s.heap().maxBytes());
    assertThat(s.pauses()).isNotEmpty();
    assertThat(s.pauses().get(0).heapBeforeBytes())
        .isGreaterThanOrEqualTo(s.pauses().get(0).heapAfterBytes());
    assertThat(s.oldGeneration()).isNotNull();
    assertThat(s.rssBytes()).isEqualTo(-1); // OSHI off
  }
}
