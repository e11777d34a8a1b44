package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.internal.ResidentMemory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The process-memory line: reservations are refused when the process's RSS, not the heap, is short.
 */
class ProcessMemoryLineTest {

  /**
   * The resident set less the manager's reserved bytes: every reserved byte counts as allocated.
   */
  private final AtomicLong rss = new AtomicLong(600);

  private final AtomicReference<MemoryManager> self = new AtomicReference<>();
  private final AtomicLong collections = new AtomicLong(1);
  private final AtomicInteger rssReads = new AtomicInteger();

  /** The managers' clock: a reading younger than a millisecond is reused, so tests advance it. */
  private final AtomicLong now = new AtomicLong();

  /** Lets the latest reading age past the millisecond in which it is reused. */
  private void aMillisecondPasses() {
    now.addAndGet(2_000_000);
  }

  /**
   * A process limited to 1,000 bytes with its line at 90% (900), 600 resident, a budget and heap
   * far larger (no live-heap line, so only this line can refuse).
   */
  private MemoryManager manager() {
    MemoryManager memory =
        MemoryManager.builder()
            .name("app")
            .limit(MemorySize.ofBytes(100_000))
            .leakDetection(LeakDetection.OFF)
            .noLiveHeapLimit()
            .ticker(now::get)
            .processMemoryLimit(MemorySize.ofBytes(1_000), 0.9)
            .processMemoryForTesting(
                1_000,
                () -> {
                  rssReads.incrementAndGet();
                  MemoryManager m = self.get();
                  return rss.get() + (m == null ? 0 : m.reservedBytes());
                },
                collections::get)
            .build();
    self.set(memory);
    return memory;
  }

  /**
   * As {@link #manager()} with RSS as {@link #rss} says (released bytes stay resident), what the
   * heap could still grow and the young generation in use.
   */
  private MemoryManager limitedTo1000(LongSupplier heapGrowth, LongSupplier youngUsed) {
    return limitedTo1000(rss::get, heapGrowth, youngUsed);
  }

  private MemoryManager limitedTo1000(
      LongSupplier resident, LongSupplier heapGrowth, LongSupplier youngUsed) {
    return MemoryManager.builder()
        .name("app")
        .limit(MemorySize.ofBytes(100_000))
        .leakDetection(LeakDetection.OFF)
        .noLiveHeapLimit()
        .ticker(now::get)
        .processMemoryLimit(MemorySize.ofBytes(1_000), 0.9)
        .processMemoryForTesting(1_000, resident, collections::get, heapGrowth, youngUsed)
        .build();
  }

  @Test
  void refuses_whenResidentMemoryPlusWhatWasReservedSince_countedFourTimes_wouldPassTheLine() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("greedy")) {
      assertThat(memory.processMemoryLineBytes()).isEqualTo(900);
      Reservation first = scope.reserve(50);
      // 300 from the line at the reading, each reserved byte counted four times
      assertThat(memory.processMemoryRoomBytes()).isEqualTo(25);
      // within the millisecond the reading is reused; after it, a reservation that does not fit
      // reads again (650 resident now: 62 more fit)
      assertThatThrownBy(() -> scope.reserve(26)).isInstanceOf(MemoryBudgetExceededException.class);
      aMillisecondPasses();
      assertThatThrownBy(() -> scope.reserve(63))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class,
              e -> {
                assertThat(e.processMemoryLimited()).isTrue();
                assertThat(e.liveHeapLimited()).isFalse();
                assertThat(e.limitBytes()).isEqualTo(900);
                assertThat(e.limitingScopePath()).isEqualTo("app");
                assertThat(e.availableBytes()).isEqualTo(62);
              })
          .hasMessageContaining("'app/greedy'")
          .hasMessageContaining("resident memory would pass 90.0% of the configured process")
          .hasMessageContaining(
              "RSS was 650 B when last read, with 0 B of young generation the next collection may copy, and 0 B was reserved since")
          .hasMessageContaining("whatever the budget");
      assertThat(scope.reservedBytes()).isEqualTo(50);
      Reservation second = scope.reserve(62);
      assertThat(memory.processMemoryRoomBytes()).isZero();
      second.close();
      first.close();
    }
  }

  @Test
  void readsResidentMemoryOncePerCollection_notPerReservation() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("steady")) {
      int before = rssReads.get();
      for (int i = 0; i < 1_000; i++) {
        scope.reserve(10).close();
      }
      assertThat(rssReads.get() - before).isEqualTo(1);
      collections.incrementAndGet();
      scope.reserve(10).close();
      assertThat(rssReads.get() - before).isEqualTo(2);
    }
  }

  @Test
  void residentMemoryThatGrewBetweenCollections_isSeenAtTheNextCollection() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("growing")) {
      scope.reserve(50).close();
      rss.set(850);
      // the same collection epoch: the cached reading still says 600 resident
      scope.reserve(50).close();
      collections.incrementAndGet();
      assertRefusedByTheLine(() -> scope.reserve(50));
      Reservation small = scope.reserve(12);
      small.close();
    }
  }

  @Test
  void aReservationThatDoesNotFitTheCachedRoom_readsAgain_andFitsWhenResidentMemoryFell() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("after-trim")) {
      scope.reserve(1).close();
      rss.set(100);
      aMillisecondPasses();
      try (Reservation big = scope.reserve(200)) {
        assertThat(big.bytes()).isEqualTo(200);
      }
    }
  }

  @Test
  void batchesReservedAndReleasedInTurn_doNotAddUp() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("batches")) {
      for (int batch = 0; batch < 10; batch++) {
        try (Reservation r = scope.reserve(75)) {
          assertThat(r.bytes()).isEqualTo(75);
        }
      }
    }
  }

  @Test
  void aProcessAboveItsLine_refusesEveryReservation_untilItsResidentSetFalls() {
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("after-peak")) {
      scope.reserve(10).close();
      rss.set(950);
      collections.incrementAndGet();
      assertRefusedByTheLine(() -> scope.reserve(1));
      assertThat(memory.processMemoryRoomBytes()).isZero();
      rss.set(500);
      aMillisecondPasses();
      try (Reservation after = scope.reserve(100)) {
        assertThat(after.bytes()).isEqualTo(100);
      }
    }
  }

  @Test
  void aHeapThatFitsUnderTheLine_isNotCountedFourTimes_onlyWhatItCanStillGrow() {
    AtomicLong heapGrowth = new AtomicLong(100);
    try (MemoryManager memory = limitedTo1000(heapGrowth::get, () -> 0);
        MemoryScope scope = memory.openScope("fits")) {
      // 300 to the line: the heap can add 100 pages, the bytes themselves (native memory) 190
      try (Reservation r = scope.reserve(200)) {
        assertThat(r.bytes()).isEqualTo(200);
      }
      assertThat(memory.processMemoryRoomBytes()).isEqualTo(200);
      assertRefusedByTheLine(() -> scope.reserve(201));
    }
  }

  @Test
  void theYoungGenerationAtTheReading_countsAsGrowthTheNextCollectionMayCopy() {
    try (MemoryManager memory = limitedTo1000(() -> Long.MAX_VALUE, () -> 100);
        MemoryScope scope = memory.openScope("young")) {
      // 300 to the line, 100 of it for the young generation's copy: 50 bytes counted four times
      try (Reservation r = scope.reserve(50)) {
        assertThat(r.bytes()).isEqualTo(50);
      }
      assertThat(memory.processMemoryRoomBytes()).isEqualTo(50);
      assertRefusedByTheLine(() -> scope.reserve(51));
    }
  }

  @Test
  void bytesReleasedSinceTheReading_makeNoRoomWhenReservedAgain() {
    rss.set(620);
    try (MemoryManager memory = limitedTo1000(() -> Long.MAX_VALUE, () -> 0);
        MemoryScope scope = memory.openScope("turns")) {
      Reservation held = scope.reserve(20);
      collections.incrementAndGet();
      // read with 20 reserved and 620 resident: 280 to the line, 70 bytes counted four times
      scope.reserve(10).close();
      held.close();
      // the 20 released since do not come back as room: 70 from the fewest held, not 90
      assertRefusedByTheLine(() -> scope.reserve(71));
      scope.reserve(70).close();
    }
  }

  @Test
  void byDefault_onlyAHeapThatCouldOutgrowItsContainer_getsALine() {
    long mib = 1L << 20;
    // 1 GiB container, line 972.8 MiB: a 768 MiB heap beside 150 MiB fits, beside 250 MiB not
    long line = (long) (1024 * mib * 0.95);
    assertThat(MemoryManager.heapCanOutgrow(768 * mib, 150 * mib, line)).isFalse();
    assertThat(MemoryManager.heapCanOutgrow(768 * mib, 250 * mib, line)).isTrue();
    assertThat(MemoryManager.heapCanOutgrow(2048 * mib, 0, line)).isTrue();
    assertThat(MemoryManager.heapCanOutgrow(Long.MAX_VALUE, 0, line)).isTrue();
  }

  @Test
  void aContainersDefaultLine_keepsAtMost32MiBOrAnEighthFree() {
    long mib = 1L << 20;
    assertThat(MemoryManager.defaultProcessMemoryHeadroom(192 * mib)).isEqualTo(24 * mib);
    assertThat(MemoryManager.defaultProcessMemoryHeadroom(256 * mib)).isEqualTo(32 * mib);
    assertThat(MemoryManager.defaultProcessMemoryHeadroom(4096 * mib)).isEqualTo(32 * mib);
  }

  @Test
  void aReadOfResidentMemoryThatFailsLater_keepsTheLastReading() {
    AtomicLong resident = new AtomicLong(800);
    try (MemoryManager memory = limitedTo1000(resident::get, () -> Long.MAX_VALUE, () -> 0);
        MemoryScope scope = memory.openScope("unreadable")) {
      scope.reserve(20).close();
      resident.set(-1);
      collections.incrementAndGet();
      // still 800 resident as far as the line knows: 25 fit, 26 do not
      scope.reserve(25).close();
      assertThatThrownBy(() -> scope.reserve(26))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class,
              e -> assertThat(e).hasMessageContaining("RSS was 800 B when last read"));
    }
  }

  @Test
  void theBudgetStillRefusesAsTheBudget() {
    try (MemoryManager memory =
            MemoryManager.builder()
                .name("app")
                .limit(MemorySize.ofBytes(100))
                .leakDetection(LeakDetection.OFF)
                .noLiveHeapLimit()
                .processMemoryForTesting(1_000, rss::get, collections::get)
                .build();
        MemoryScope scope = memory.openScope("small")) {
      assertThatThrownBy(() -> scope.reserve(101))
          .isInstanceOfSatisfying(
              MemoryBudgetExceededException.class,
              e -> {
                assertThat(e.processMemoryLimited()).isFalse();
                assertThat(e.limitBytes()).isEqualTo(100);
              });
    }
  }

  @Test
  void withoutALimit_orWithoutAReadableRss_thereIsNoLine() {
    try (MemoryManager none = MemoryManager.builder().noProcessMemoryLimit().build();
        MemoryManager unreadable =
            MemoryManager.builder()
                .processMemoryForTesting(1_000, () -> -1, collections::get)
                .build()) {
      assertThat(none.processMemoryLineBytes()).isEqualTo(Long.MAX_VALUE);
      assertThat(none.processMemoryRoomBytes()).isEqualTo(Long.MAX_VALUE);
      assertThat(unreadable.processMemoryLineBytes()).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Test
  void onTheRealProcess_aLimitAboveTheResidentSet_admitsWhatFits_andRefusesWhatWouldPassIt() {
    long resident = ResidentMemory.rssBytes();
    org.junit.jupiter.api.Assumptions.assumeTrue(resident > 0, "no /proc/self/status here");
    // far above: even the whole young generation and a reserved MiB counted four times fit
    try (MemoryManager far = realProcess(resident + (64L << 30));
        MemoryScope scope = far.openScope("real")) {
      assertThat(far.processMemoryLineBytes()).isEqualTo(resident + (64L << 30));
      try (Reservation small = scope.reserve(1L << 20)) {
        assertThat(small.bytes()).isEqualTo(1L << 20);
      }
    }
    // 64 MiB above: 256 MiB passes it however it is counted
    try (MemoryManager near = realProcess(resident + (64L << 20));
        MemoryScope scope = near.openScope("real")) {
      assertRefusedByTheLine(() -> scope.reserve(256L << 20));
    }
  }

  private static MemoryManager realProcess(long limitBytes) {
    return MemoryManager.builder()
        .limit(MemorySize.ofBytes(16L << 30))
        .noLiveHeapLimit()
        .processMemoryLimit(MemorySize.ofBytes(limitBytes), 1.0)
        .build();
  }

  private static void assertRefusedByTheLine(ThrowingCallable reservation) {
    assertThatThrownBy(reservation)
        .isInstanceOfSatisfying(
            MemoryBudgetExceededException.class,
            e -> assertThat(e.processMemoryLimited()).isTrue());
  }

  @Test
  void builder_rejectsALimitOrShareOutOfRange() {
    MemoryManager.Builder b = MemoryManager.builder();
    assertThatThrownBy(() -> b.processMemoryLimit(MemorySize.ofBytes(0), 0.95))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be > 0");
    assertThatThrownBy(() -> b.processMemoryLimit(MemorySize.ofBytes(1_000), 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(0, 1]");
  }
}
