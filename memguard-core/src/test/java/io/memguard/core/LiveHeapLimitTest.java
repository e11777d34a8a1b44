package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.internal.YoungCollection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The live-heap line: reservations are refused when the heap, not the budget, is short. */
class LiveHeapLimitTest {

  private final AtomicReference<LiveHeap.Reading> reading =
      new AtomicReference<>(new LiveHeap.Reading(1, 500));

  /**
   * A 1,000-byte heap whose last collection left 500 bytes live, under a budget ten times it; no
   * byte headroom, so the line is the 95% share (the headroom has its own test).
   */
  private MemoryManager manager() {
    return manager(reading::get, reading::get);
  }

  /** As {@link #manager()} with the notified readings and the collectors' own given apart. */
  private static MemoryManager manager(
      Supplier<LiveHeap.Reading> notified, Supplier<LiveHeap.Reading> collectors) {
    return MemoryManager.builder()
        .name("app")
        .limit(MemorySize.ofBytes(10_000))
        .leakDetection(LeakDetection.OFF)
        .liveHeapForTesting(1_000, notified, collectors)
        .liveHeapHeadroom(0)
        .build();
  }

  /** As {@link #manager()} on the notified readings, with the heap-in-use and provoking probes. */
  private MemoryManager withProbes(LongSupplier usedNow, LongPredicate provoke) {
    return MemoryManager.builder()
        .name("app")
        .limit(MemorySize.ofBytes(10_000))
        .leakDetection(LeakDetection.OFF)
        .liveHeapForTesting(1_000, reading::get)
        .heapProbesForTesting(usedNow, provoke)
        .liveHeapHeadroom(0)
        .build();
  }

  @Test
  void refuses_whenTheLiveHeapWouldPassTheLine_whateverTheBudgetSays() {
    try (MemoryManager memory = manager()) {
      MemoryScope scope = memory.openScope("greedy");
      Reservation first = scope.reserve(400);
      assertThat(memory.liveHeapEstimateBytes()).isEqualTo(900);

      assertThatThrownBy(() -> scope.reserve(100))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class,
              e -> {
                assertThat(e.liveHeapLimited()).isTrue();
                assertThat(e.limitBytes()).isEqualTo(950);
                assertThat(e.availableBytes()).isEqualTo(50);
                assertThat(e.scopePath()).isEqualTo("app/greedy");
              })
          .hasMessageContaining("in scope 'app/greedy'")
          .hasMessageContaining("95.0% of max heap (950 B)")
          .hasMessageContaining("about 900 B is live")
          .hasMessageContaining("a budget larger than the heap cannot be honoured");
      assertThat(scope.tryReserve(51)).isEmpty();
      assertThat(scope.tryReserve(50)).isPresent();
      assertThat(memory.reservedBytes()).isEqualTo(450);

      first.close();
      assertThat(scope.tryReserve(100)).isPresent();
    }
  }

  @Test
  void nearTheLine_aCollectionWhoseNotificationHasNotArrived_isReadBeforeTheReservation() {
    reading.set(new LiveHeap.Reading(1, 100));
    AtomicReference<LiveHeap.Reading> collectors =
        new AtomicReference<>(new LiveHeap.Reading(1, 100));
    AtomicLong asked = new AtomicLong();
    try (MemoryManager memory =
        manager(
            reading::get,
            () -> {
              asked.incrementAndGet();
              return collectors.get();
            })) {
      MemoryScope scope = memory.openScope("greedy");
      scope.reserve(300);
      // far below the line (400 of 950) the notified reading is enough: no call to the collectors
      assertThat(asked).hasValue(0);

      // a collection found 700 B in use (the 300 and what others hold); its notification is late
      collectors.set(new LiveHeap.Reading(2, 700));
      assertThat(scope.tryReserve(200)).isEmpty();
      assertThat(asked).hasValue(1);
      assertThat(memory.liveHeapEstimateBytes()).isEqualTo(1_000);
      assertThat(scope.tryReserve(0)).isPresent();
    }
  }

  @Test
  void aNewCollection_rebasesTheEstimateOnWhatItFoundLive() {
    try (MemoryManager memory = manager()) {
      MemoryScope scope = memory.openScope("s");
      scope.reserve(400);
      assertThat(scope.tryReserve(100)).isEmpty();

      // A collection reads 450 in use. The 400 were reserved after the last reading: they may have
      // been allocated after this collection too, so they still count on top of it.
      reading.set(new LiveHeap.Reading(2, 450));
      assertThat(memory.liveHeapEstimateBytes()).isEqualTo(850);
      assertThat(scope.tryReserve(101)).isEmpty();
      // The next collection finds them live (and 50 more): reserved at both readings, they are in
      // the reading now, counted once.
      reading.set(new LiveHeap.Reading(3, 450));
      assertThat(memory.liveHeapEstimateBytes()).isEqualTo(450);
      assertThat(scope.tryReserve(500)).isPresent();
      assertThat(scope.tryReserve(1)).isEmpty();
    }
  }

  @Test
  void growingAReservation_isCheckedToo() {
    try (MemoryManager memory = manager()) {
      Reservation r = memory.openScope("s").reserve(100);
      assertThatThrownBy(() -> r.grow(400))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue());
      assertThat(r.bytes()).isEqualTo(100);
      r.grow(350);
      assertThat(memory.reservedBytes()).isEqualTo(450);
    }
  }

  @Test
  void aTimedReservation_waitsForReleases_thenGivesUpWithTheLiveHeapReason() throws Exception {
    try (MemoryManager memory = manager()) {
      MemoryScope scope = memory.openScope("s");
      scope.reserve(450);
      assertThatThrownBy(() -> scope.reserve(10, Duration.ofMillis(1)))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue())
          .hasMessageContaining("still after waiting");
    }
  }

  @Test
  void aTaskRefusedByTheLiveHeap_stopsLowerPriorityTasks_andWaitsForTheirMemory() throws Exception {
    reading.set(new LiveHeap.Reading(1, 100));
    try (MemoryManager memory = manager()) {
      ResourceAllocator allocator = memory.allocator();
      Grant low = allocator.acquire(TaskRequest.named("low").priority(0).desiredBytes(400));
      Grant high = allocator.acquire(TaskRequest.named("high").priority(5).desiredBytes(300));
      Reservation lowHeld = low.scope().reserve(400);
      settle(memory, 500);
      // a collection finds 300 bytes live beyond the reservations (code that allocates unreserved)
      reading.set(new LiveHeap.Reading(3, 700));
      Thread lowTask =
          new Thread(
              () -> {
                while (!low.cancellation().isCancelled()) {
                  Thread.onSpinWait();
                }
                lowHeld.close(); // the low task stops at its safe point and releases
              });
      lowTask.setDaemon(true); // a failed assertion must not leave it spinning in the test JVM
      lowTask.start();

      try (Reservation r = high.scope().reserve(300)) {
        assertThat(r.bytes()).isEqualTo(300);
      }
      lowTask.join(10_000);
      assertThat(lowTask.isAlive()).isFalse();
      assertThat(low.cancellation().reason())
          .contains("stopped to make room on the heap")
          .contains("'high' (priority 5) needs 300 B");
      assertThat(high.cancellation().isCancelled()).isFalse();
      low.close();
      high.close();
    }
  }

  @Test
  void theLowestPriorityTask_isRefusedAtOnce() throws Exception {
    reading.set(new LiveHeap.Reading(1, 100));
    try (MemoryManager memory = manager()) {
      ResourceAllocator allocator = memory.allocator();
      Grant high = allocator.acquire(TaskRequest.named("high").priority(5).desiredBytes(400));
      Grant low = allocator.acquire(TaskRequest.named("low").priority(0).desiredBytes(300));
      high.scope().reserve(400);
      settle(memory, 500);
      reading.set(new LiveHeap.Reading(3, 700));
      assertThatThrownBy(() -> low.scope().reserve(300))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue())
          .hasMessageNotContaining("waiting");
      assertThat(high.cancellation().isCancelled()).isFalse();
      low.close();
      high.close();
    }
  }

  @Test
  void aTaskRefusedRightAfterALowerPriorityTaskEnded_waitsForTheCollectionThatFreesItsMemory()
      throws Exception {
    AtomicLong now = new AtomicLong();
    reading.set(new LiveHeap.Reading(1, 100));
    try (MemoryManager memory =
        MemoryManager.builder()
            .name("app")
            .limit(MemorySize.ofBytes(10_000))
            .leakDetection(LeakDetection.OFF)
            .liveHeapForTesting(1_000, reading::get)
            .liveHeapHeadroom(0)
            .ticker(now::get)
            .build()) {
      ResourceAllocator allocator = memory.allocator();
      try (Grant low = allocator.acquire(TaskRequest.named("low").priority(0).desiredBytes(600))) {
        low.scope().reserve(600).close();
      }
      Grant high = allocator.acquire(TaskRequest.named("high").priority(5).desiredBytes(300));
      // the low task ended, but the collection after it still counts its arrays as live
      reading.set(new LiveHeap.Reading(3, 800));
      Thread collector =
          new Thread(
              () -> {
                while (memory.waitingReservations() == 0) {
                  Thread.onSpinWait();
                }
                reading.set(new LiveHeap.Reading(4, 150)); // the JVM collected them
              });
      collector.setDaemon(true);
      collector.start();

      try (Reservation r = high.scope().reserve(300)) {
        assertThat(r.bytes()).isEqualTo(300);
      }
      collector.join(10_000);
      assertThat(collector.isAlive()).isFalse();

      // seconds later the ended task no longer explains a full heap: refused at once
      reading.set(new LiveHeap.Reading(5, 800));
      now.addAndGet(ResourceAllocator.ENDED_TASK_WINDOW_NANOS + 1);
      assertThatThrownBy(() -> high.scope().reserve(300))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue())
          .hasMessageNotContaining("waiting");
      high.close();
    }
  }

  @Test
  void aWaitingTask_provokesTheCollection_thatNothingElseWouldCause() throws Exception {
    reading.set(new LiveHeap.Reading(1, 100));
    AtomicLong provoked = new AtomicLong();
    AtomicLong allowed = new AtomicLong();
    try (MemoryManager memory =
        withProbes(
            () -> 1_000, // in use now: full of the ended task's garbage
            maxBytes -> {
              provoked.incrementAndGet();
              allowed.set(maxBytes);
              reading.set(new LiveHeap.Reading(4, 150)); // the collection it caused
              return true;
            })) {
      ResourceAllocator allocator = memory.allocator();
      try (Grant low = allocator.acquire(TaskRequest.named("low").priority(0).desiredBytes(600))) {
        low.scope().reserve(600).close();
      }
      try (Grant high =
          allocator.acquire(TaskRequest.named("high").priority(5).desiredBytes(300))) {
        // the ended task's arrays still count, and nothing allocates, so no collection comes
        reading.set(new LiveHeap.Reading(3, 800));
        try (Reservation r = high.scope().reserve(300)) {
          assertThat(r.bytes()).isEqualTo(300);
        }
      }
      assertThat(provoked.get()).isEqualTo(1);
      assertThat(allowed.get()).as("a quarter of max heap at most").isEqualTo(250);
    }
  }

  @Test
  void withoutALowerPriorityTaskToWaitFor_nothingIsProvoked() {
    AtomicLong provoked = new AtomicLong();
    reading.set(new LiveHeap.Reading(1, 900));
    try (MemoryManager memory =
        withProbes(
            () -> 1_000,
            maxBytes -> {
              provoked.incrementAndGet();
              return true;
            })) {
      assertThatThrownBy(() -> memory.openScope("s").reserve(100))
          .isInstanceOf(MemoryBudgetExceededException.class);
      assertThat(provoked.get()).isZero();
    }
  }

  @Test
  void theHeapInUseNow_admitsWhatAStaleEstimateRefuses_countingEveryReservationOnTop() {
    reading.set(new LiveHeap.Reading(1, 900));
    AtomicLong usedNow = new AtomicLong(300);
    try (MemoryManager memory = withProbes(usedNow::get, maxBytes -> false)) {
      MemoryScope scope = memory.openScope("s");
      // the last collection's report says 900 live; the heap holds 300 now (a concurrent cycle
      // freed regions without a report)
      Reservation first = scope.reserve(400);
      // 300 in use + 400 + 300 reserved > 950: the reservations count in full, allocated or not
      assertThatThrownBy(() -> scope.reserve(300))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue());
      Reservation second = scope.tryReserve(250).orElseThrow();
      usedNow.set(960); // garbage piles up: the report's figure decides again
      assertThat(scope.tryReserve(1)).isEmpty();
      second.close();
      first.close();
    }
  }

  @Test
  void theLiveHeapRoom_isWhatTheNextReservationsCanTake_onTheBetterOfBothFigures() {
    reading.set(new LiveHeap.Reading(1, 500));
    AtomicLong usedNow = new AtomicLong(700);
    try (MemoryManager memory = withProbes(usedNow::get, maxBytes -> false)) {
      MemoryScope scope = memory.openScope("s");
      assertThat(memory.liveHeapRoomBytes()).isEqualTo(450); // 950 - 500, the estimate's room
      Reservation held = scope.reserve(200);
      assertThat(memory.liveHeapRoomBytes()).isEqualTo(250);
      assertThat(scope.tryReserve(251)).isEmpty();
      usedNow.set(300); // the heap in use now admits more than the stale report
      assertThat(memory.liveHeapRoomBytes()).isEqualTo(450); // 950 - 300 - 200
      Reservation more = scope.tryReserve(450).orElseThrow();
      assertThat(memory.liveHeapRoomBytes()).isZero();
      assertThat(scope.tryReserve(1)).isEmpty();
      more.close();
      held.close();
    }
    try (MemoryManager unlimited = MemoryManager.builder().noLiveHeapLimit().build()) {
      assertThat(unlimited.liveHeapRoomBytes()).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Test
  void aRefusalByTheLiveHeap_staysOne_whenAReadingArrivesBeforeItIsReported() {
    AtomicLong reads = new AtomicLong();
    // the admission's readings (the notified one, then the collectors' near the line) refuse;
    // every later one (a collection that just ended) would admit
    Supplier<LiveHeap.Reading> readings =
        () ->
            reads.incrementAndGet() <= 2
                ? new LiveHeap.Reading(1, 990)
                : new LiveHeap.Reading(2, 100);
    try (MemoryManager memory = manager(readings, readings)) {
      assertThatThrownBy(() -> memory.openScope("s").reserve(100))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class, e -> assertThat(e.liveHeapLimited()).isTrue())
          .hasMessageContaining("the live heap would pass");
      assertThat(reads.get()).as("the reading changed between refusal and report").isGreaterThan(2);
    }
  }

  /** A collection that finds what is reserved live: the estimate rebases on it (epoch 2). */
  private void settle(MemoryManager memory, long live) {
    reading.set(new LiveHeap.Reading(2, live));
    assertThat(memory.liveHeapEstimateBytes()).isGreaterThanOrEqualTo(live);
  }

  @Test
  void budgetRefusals_stayBudgetRefusals() {
    try (MemoryManager memory = manager()) {
      MemoryScope scope = memory.openScope("small", MemorySize.ofBytes(10));
      assertThatThrownBy(() -> scope.reserve(20))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class,
              e -> {
                assertThat(e.liveHeapLimited()).isFalse();
                assertThat(e.limitBytes()).isEqualTo(10);
              });
    }
  }

  @Test
  void withoutALine_onlyTheBudgetLimits() {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofBytes(10_000))
            .liveHeapForTesting(1_000, reading::get)
            .noLiveHeapLimit()
            .build()) {
      assertThat(memory.liveHeapLineBytes()).isEqualTo(Long.MAX_VALUE);
      assertThat(memory.liveHeapEstimateBytes()).isZero();
      memory.openScope("s").reserve(5_000);
    }
  }

  @Test
  void smallHeaps_keepABytesHeadroomAboveTheLine() {
    long mib = 1 << 20;
    assertThat(lineOf(1024 * mib, -1)).isEqualTo((long) (1024 * mib * 0.95));
    assertThat(lineOf(128 * mib, -1)).isEqualTo(120 * mib);
    assertThat(lineOf(64 * mib, -1)).isEqualTo(56 * mib);
    assertThat(lineOf(16 * mib, -1)).isEqualTo(12 * mib);
    assertThat(lineOf(64 * mib, 0)).isEqualTo((long) (64 * mib * 0.95));
    assertThat(lineOf(64 * mib, 32 * mib)).isEqualTo(32 * mib);
    assertThatThrownBy(() -> MemoryManager.builder().liveHeapHeadroom(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 0");
  }

  private long lineOf(long maxHeap, long headroom) {
    MemoryManager.Builder b =
        MemoryManager.builder()
            .leakDetection(LeakDetection.OFF)
            .liveHeapForTesting(maxHeap, reading::get);
    if (headroom >= 0) {
      b.liveHeapHeadroom(headroom);
    }
    try (MemoryManager memory = b.build()) {
      return memory.liveHeapLineBytes();
    }
  }

  @Test
  void theLine_isAShareOfTheRealMaxHeap_byDefault() {
    long max = Runtime.getRuntime().maxMemory();
    try (MemoryManager memory = MemoryManager.ofDefaults()) {
      assertThat(memory.liveHeapLineBytes())
          .isEqualTo(Math.min((long) (max * 0.95), max - Math.min(8L << 20, max / 4)));
      assertThat(memory.liveHeapEstimateBytes()).isNotNegative();
    }
    assertThatThrownBy(() -> MemoryManager.builder().liveHeapLimit(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(0, 1]");
  }

  @Test
  void theHeapsLowestReading_doesNotRiseWithWhatBecameLiveAfterIt() {
    LiveHeap heap = LiveHeap.instance();
    long max = Runtime.getRuntime().maxMemory();
    assertThat(YoungCollection.provoke(max / 2)).as("a collection came").isTrue();
    long before = heap.fresh().liveBytes();
    List<long[]> held = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      held.add(new long[8192]); // 32 MiB in 64 KiB arrays, live through the next collection
    }
    assertThat(YoungCollection.provoke(max / 2)).as("a collection came").isTrue();
    long after = heap.fresh().liveBytes();
    long lowest = MemoryManager.lowestHeapAfterCollectionBytes();
    assertThat(held).hasSize(512);
    assertThat(lowest).isBetween(0L, Math.min(before, after));
    assertThat(after).as("the reading with 32 MiB more live").isGreaterThan(lowest);
    assertThat(MemoryManager.heapUsedAfterLastCollectionBytes()).isGreaterThanOrEqualTo(lowest);
  }
}
