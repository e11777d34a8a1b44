package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.CleanupStage;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.TaskRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guard's logic with made-up samples and a hand-driven clock: nothing sleeps. */
class EmergencyGuardTest {
  private static final long MS = 1_000_000;
  private final AtomicLong now = new AtomicLong();
  private final MemoryManager memory =
      MemoryManager.builder().limit(MemorySize.ofMebibytes(100)).ticker(now::get).build();
  private final ResourceAllocator allocator = memory.allocator();
  private final EmergencyGuard guard = EmergencyGuard.of(memory);
  private final List<GuardEvent> events = new CopyOnWriteArrayList<>();
  private final List<String> cleaned = new CopyOnWriteArrayList<>();

  {
    guard.addListener(events::add);
    memory.cleanup().register("feature-cache", CleanupStage.CACHES, () -> { cleaned.add("caches"); return 10L << 20; });
    memory.cleanup().register("buffer-pool", CleanupStage.POOLS, () -> { cleaned.add("pools"); return 5L << 20; });
    memory.cleanup().register("models", CleanupStage.MODELS, () -> { cleaned.add("models"); return 1; });
  }

  @AfterEach
  void close() {
    guard.close();
    memory.close();
  }

  private PressureLevel heap(long atMs, double live, double used) {
    now.set(atMs * MS);
    return guard.evaluate(GuardSample.ofHeap(atMs * MS, live, used));
  }

  private List<GuardEvent.Type> types() {
    return events.stream().map(GuardEvent::type).toList();
  }

  @Test
  void garbage_isNoEmergency_evenWithTheHeap96PercentFull() {
    assertThat(heap(0, 0.30, 0.96)).isEqualTo(PressureLevel.ELEVATED);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.limit()).isEqualTo(GuardLimit.HEAP_USED);
      assertThat(e.message()).contains("early warning only");
    });
    assertThat(guard.inEmergency()).isFalse();
    assertThat(allocator.isPaused()).isFalse();
    assertThat(cleaned).isEmpty();
    assertThat(heap(100, 0.30, 0.35)).isEqualTo(PressureLevel.NORMAL);
  }

  @Test
  void levelsBelowEmergency_areReportedButTakeNoAction() {
    assertThat(heap(0, 0.82, 0.9)).isEqualTo(PressureLevel.ELEVATED);
    assertThat(heap(10_000, 0.91, 0.92)).as("slow growth: projected 91.5%").isEqualTo(PressureLevel.CRITICAL);
    assertThat(types()).containsExactly(GuardEvent.Type.LEVEL_CHANGED, GuardEvent.Type.LEVEL_CHANGED);
    assertThat(allocator.isPaused()).isFalse();
  }

  @Test
  void emergency_pausesStopsLowestPriorityLargestFirst_runsStagesInOrder_andRecoversWithHysteresis() throws Exception {
    Grant important = allocator.acquire(TaskRequest.named("important").priority(9).minBytes(10L << 20));
    Grant smallLow = allocator.acquire(TaskRequest.named("small-low").priority(1).minBytes(10L << 20));
    Grant bigLow = allocator.acquire(TaskRequest.named("big-low").priority(1).minBytes(30L << 20));
    bigLow.scope().reserve(25L << 20);
    smallLow.scope().reserve(5L << 20);

    assertThat(heap(1000, 0.96, 0.97)).isEqualTo(PressureLevel.EMERGENCY);
    assertThat(allocator.isPaused()).isTrue();
    assertThat(allocator.tryAcquire(TaskRequest.named("new").priority(5).minBytes(1))).isEmpty();
    assertThat(bigLow.cancellation().isCancelled()).isTrue();
    assertThat(bigLow.cancellation().reason()).contains("heap live set after GC at 96.0%", "lowest priority (1)");
    assertThat(smallLow.cancellation().isCancelled()).isFalse();
    assertThat(cleaned).containsExactly("caches");
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);

    assertThat(heap(1100, 0.955, 0.96)).isEqualTo(PressureLevel.EMERGENCY);
    assertThat(smallLow.cancellation().isCancelled()).isTrue();
    assertThat(important.cancellation().isCancelled()).isFalse();
    assertThat(cleaned).containsExactly("caches", "pools");

    assertThat(heap(1300, 0.90, 0.91)).isEqualTo(PressureLevel.CRITICAL);
    assertThat(guard.inEmergency()).isTrue();
    assertThat(allocator.isPaused()).as("hysteresis: not yet below 85%").isTrue();
    assertThat(heap(1400, 0.86, 0.88)).isEqualTo(PressureLevel.ELEVATED);
    assertThat(allocator.isPaused()).isTrue();
    assertThat(cleaned).containsExactly("caches", "pools");

    assertThat(heap(1500, 0.50, 0.60)).isEqualTo(PressureLevel.NORMAL);
    assertThat(guard.inEmergency()).isFalse();
    assertThat(allocator.isPaused()).isFalse();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);

    assertThat(types()).containsExactly(
        GuardEvent.Type.EMERGENCY_ENTERED, GuardEvent.Type.TASK_STOP_REQUESTED, GuardEvent.Type.CLEANUP_STAGE,
        GuardEvent.Type.TASK_STOP_REQUESTED, GuardEvent.Type.CLEANUP_STAGE,
        GuardEvent.Type.EMERGENCY_LEFT, GuardEvent.Type.RECOVERED);
    GuardEvent left = events.get(5);
    assertThat(left.timeInEmergency()).isEqualTo(Duration.ofMillis(300));
    GuardEvent recovered = events.get(6);
    assertThat(recovered.timeToRecover()).isEqualTo(Duration.ofMillis(500));
    assertThat(recovered.timeInEmergency()).isEqualTo(Duration.ofMillis(300));
    assertThat(events.get(2).bytesReleased()).isEqualTo(10L << 20);

    GuardStats stats = guard.stats();
    assertThat(stats.emergencies()).isEqualTo(1);
    assertThat(stats.tasksStopRequested()).isEqualTo(2);
    assertThat(stats.cleanupStagesRun()).isEqualTo(2);
    assertThat(stats.maxLiveHeapFraction()).isEqualTo(0.96);
    assertThat(stats.lastTimeToRecover()).isEqualTo(Duration.ofMillis(500));
    assertThat(stats.totalTimeInEmergency()).isEqualTo(Duration.ofMillis(300));
    for (Grant g : List.of(important, smallLow, bigLow)) {
      g.close();
    }
  }

  @Test
  void fastGrowingLiveSet_isAnEmergencyBeforeItReaches95Percent() {
    assertThat(heap(0, 0.85, 0.90)).isEqualTo(PressureLevel.ELEVATED);
    // +5% in 100 ms, projected 500 ms ahead: 116%. Waiting for the next GC could be too late.
    assertThat(heap(100, 0.91, 0.93)).isEqualTo(PressureLevel.EMERGENCY);
    assertThat(events.get(events.size() - 1).message()).isNotNull();
    assertThat(events.stream().filter(e -> e.type() == GuardEvent.Type.EMERGENCY_ENTERED).findFirst().orElseThrow()
        .message()).contains("heap live set after GC at 91.0%", "rising: projected");
  }

  @Test
  void projection_canBeTurnedOff() {
    try (EmergencyGuard exact = EmergencyGuard.builder(memory)
        .config(GuardConfig.ofDefaults().withProjectionHorizon(Duration.ZERO)).build()) {
      exact.evaluate(GuardSample.ofHeap(0, 0.85, 0.9));
      assertThat(exact.evaluate(GuardSample.ofHeap(100 * MS, 0.94, 0.95))).isEqualTo(PressureLevel.CRITICAL);
    }
  }

  @Test
  void afterRecovery_pausedWorkIsAdmittedInPriorityOrder() throws Exception {
    heap(0, 0.97, 0.97);
    List<String> admitted = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int p : new int[] {1, 7, 4}) {
      Thread t = new Thread(() -> {
        // Each needs the whole pool, so they are admitted one at a time and the order is observable.
        try (Grant g = allocator.acquire(TaskRequest.named("p" + p).priority(p).minBytes(100L << 20)
            .timeout(Duration.ofSeconds(30)))) {
          admitted.add(g.taskName());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      threads.add(t);
      t.start();
      while (allocator.waitingCount() < threads.size()) {
        Thread.onSpinWait();
      }
    }
    assertThat(admitted).isEmpty();
    heap(200, 0.40, 0.50);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(admitted).containsExactly("p7", "p4", "p1");
  }

  @Test
  void systemProtection_tripsOnAnotherProcessEatingMemory_thoughTheHeapIsFine() {
    long total = 24L << 30;
    guard.evaluate(new GuardSample(0, 0.20, 0.30, 1e6, 0.10, total * 3 / 100, total));
    assertThat(guard.inEmergency()).isTrue();
    assertThat(events.get(0).limit()).isEqualTo(GuardLimit.SYSTEM_AVAILABLE);
    assertThat(events.get(0).message()).contains("system memory available down to 3.0%");
    guard.evaluate(new GuardSample(MS, 0.20, 0.30, 1e6, 0.10, total * 8 / 100, total));
    assertThat(guard.inEmergency()).as("8% is above 5% but not above the 10% recovery").isTrue();
    guard.evaluate(new GuardSample(2 * MS, 0.20, 0.30, 1e6, 0.10, total * 30 / 100, total));
    assertThat(guard.inEmergency()).isFalse();
    assertThat(events.get(events.size() - 1).type()).isEqualTo(GuardEvent.Type.RECOVERED);
  }

  @Test
  void rssOverTheContainerLimit_isAnEmergencyNamedAsSuch() {
    guard.evaluate(new GuardSample(0, 0.30, 0.40, 0, 0.97, -1, -1));
    assertThat(events.get(0).limit()).isEqualTo(GuardLimit.RSS);
    assertThat(events.get(0).message()).contains("process RSS at 97.0%");
  }

  @Test
  void unknownReadings_neverTrip() {
    assertThat(guard.evaluate(new GuardSample(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1)))
        .isEqualTo(PressureLevel.NORMAL);
    assertThat(events).isEmpty();
  }

  @Test
  void priorities_limitWhatIsPausedAndWhoIsStopped() throws Exception {
    try (EmergencyGuard selective = EmergencyGuard.builder(memory)
        .config(GuardConfig.ofDefaults().withPriorities(5, 5).withMaxStopsPerEvaluation(3)).build()) {
      Grant vip = allocator.acquire(TaskRequest.named("vip").priority(8).minBytes(1));
      Grant batch = allocator.acquire(TaskRequest.named("batch").priority(2).minBytes(1));
      selective.evaluate(GuardSample.ofHeap(0, 0.99, 0.99));
      assertThat(batch.cancellation().isCancelled()).isTrue();
      assertThat(vip.cancellation().isCancelled()).isFalse();
      assertThat(allocator.tryAcquire(TaskRequest.named("urgent").priority(6).minBytes(1))).isPresent();
      assertThat(allocator.tryAcquire(TaskRequest.named("later").priority(1).minBytes(1))).isEmpty();
      vip.close();
      batch.close();
    }
  }

  @Test
  void throwingListener_neverReachesTheSampler_andCloseResumesAdmission() {
    guard.addListener(e -> { throw new IllegalStateException("listener bug"); });
    assertThat(heap(0, 0.99, 0.99)).isEqualTo(PressureLevel.EMERGENCY);
    assertThat(allocator.isPaused()).isTrue();
    guard.close();
    guard.close();
    assertThat(allocator.isPaused()).isFalse();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
  }
}
