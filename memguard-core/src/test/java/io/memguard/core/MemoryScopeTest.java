package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryScopeTest {
  private final List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
  private final MemoryManager memory =
      MemoryManager.builder().name("app").limit(MemorySize.ofBytes(1000)).build();

  {
    memory.addLeakListener(leaks::add);
  }

  @AfterEach
  void closeManager() {
    memory.close();
  }

  @Test
  void reserve_accountsInScopeAndEveryAncestor() {
    MemoryScope a = memory.openScope("a");
    MemoryScope b = a.openChild("b");
    try (Reservation r = b.reserve(100)) {
      assertThat(r.bytes()).isEqualTo(100);
      assertThat(b.reservedBytes()).isEqualTo(100);
      assertThat(a.reservedBytes()).isEqualTo(100);
      assertThat(memory.reservedBytes()).isEqualTo(100);
      assertThat(b.liveReservations()).isEqualTo(1);
      assertThat(a.liveReservations()).isZero();
      assertThat(b.path()).isEqualTo("app/a/b");
    }
    assertThat(memory.reservedBytes()).isZero();
    assertThat(memory.peakReservedBytes()).isEqualTo(100);
    assertThat(b.peakReservedBytes()).isEqualTo(100);
  }

  @Test
  void reserve_zeroBytesIsALiveReservationOfNothing() {
    MemoryScope s = memory.openScope("s");
    Reservation r = s.reserve(0);
    assertThat(s.liveReservations()).isEqualTo(1);
    assertThat(s.reservedBytes()).isZero();
    r.close();
    assertThat(s.liveReservations()).isZero();
  }

  @Test
  void close_reportsNoLeak_whenTheUnreleasedReservationsHoldNothing() {
    MemoryScope s = memory.openScope("s");
    s.reserve(0);
    ScopeCloseReport report = s.closeAndReport();
    assertThat(report.leak()).isNull();
    assertThat(memory.stats().leaksReported()).isZero();
  }

  @Test
  void reserve_negative_isIllegalArgument() {
    MemoryScope s = memory.openScope("s");
    assertThatThrownBy(() -> s.reserve(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> s.tryReserve(-5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reserve_limitReachedExactly_succeedsAndOneMoreByteFails() {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(300));
    Reservation r = s.reserve(300);
    assertThat(s.availableBytes()).isZero();
    assertThatThrownBy(() -> s.reserve(1))
        .isInstanceOfSatisfying(
            MemoryBudgetExceededException.class,
            e -> {
              assertThat(e.scopePath()).isEqualTo("app/s");
              assertThat(e.limitingScopePath()).isEqualTo("app/s");
              assertThat(e.requestedBytes()).isEqualTo(1);
              assertThat(e.availableBytes()).isZero();
              assertThat(e.limitBytes()).isEqualTo(300);
              assertThat(e).hasMessageContaining("app/s").hasMessageContaining("raise the limit");
            });
    r.close();
    assertThat(s.tryReserve(300)).isPresent();
  }

  @Test
  void reserve_beyondAncestorLimit_throwsAndLeavesEveryScopeUntouched() {
    MemoryScope parent = memory.openScope("parent", MemorySize.ofBytes(500));
    MemoryScope child = parent.openChild("child");
    Reservation held = parent.reserve(450);
    assertThatThrownBy(() -> child.reserve(100))
        .isInstanceOfSatisfying(
            MemoryBudgetExceededException.class,
            e -> {
              assertThat(e.scopePath()).isEqualTo("app/parent/child");
              assertThat(e.limitingScopePath()).isEqualTo("app/parent");
              assertThat(e.availableBytes()).isEqualTo(50);
              assertThat(e).hasMessageContaining("ancestor 'app/parent'");
            });
    assertThat(child.reservedBytes()).isZero();
    assertThat(parent.reservedBytes()).isEqualTo(450);
    assertThat(memory.reservedBytes()).isEqualTo(450);
    held.close();
  }

  @Test
  void reserve_overflowingSizes_areRefusedNotWrapped() {
    MemoryScope s = memory.openScope("s");
    assertThatThrownBy(() -> s.reserve(Long.MAX_VALUE))
        .isInstanceOf(MemoryBudgetExceededException.class);
    try (MemoryManager huge =
        MemoryManager.builder()
            .limit(MemorySize.ofBytes(Long.MAX_VALUE))
            .noLiveHeapLimit()
            .noProcessMemoryLimit()
            .build()) {
      MemoryScope h = huge.openScope("h");
      long most = DefaultScope.MAX_SCOPE_BYTES;
      assertThatThrownBy(() -> h.reserve(Long.MAX_VALUE - 10))
          .isInstanceOf(MemoryBudgetExceededException.class)
          .hasMessageContaining("256.0 TiB");
      assertThatThrownBy(() -> h.reserve(most + 1, Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a scope holds at most 256.0 TiB");
      Reservation big = h.reserve(most - 10);
      assertThat(h.tryReserve(11)).isEmpty();
      assertThat(h.tryReserve(Long.MAX_VALUE - 10)).isEmpty();
      assertThat(huge.reservedBytes()).isEqualTo(most - 10);
      assertThat(h.liveReservations()).isEqualTo(1);
      big.close();
      assertThat(huge.reservedBytes()).isZero();
      assertThat(h.liveReservations()).isZero();
    }
  }

  @Test
  void liveReservations_countsBeyondWhatTheScopesWordHolds() {
    try (MemoryManager roomy = MemoryManager.builder().limit(MemorySize.ofMebibytes(1)).build()) {
      liveReservationsBeyondTheWord(roomy);
    }
  }

  private static void liveReservationsBeyondTheWord(MemoryManager memory) {
    MemoryScope s = memory.openScope("many");
    int n = 40_000;
    List<Reservation> held = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      held.add(s.reserve(i % 3));
    }
    assertThat(s.liveReservations()).isEqualTo(n);
    for (int i = 0; i < n; i += 2) {
      held.get(i).close();
      held.get(i).close();
    }
    assertThat(s.liveReservations()).isEqualTo(n / 2);
    held.get(1).resize(7);
    held.get(1).resize(1);
    assertThat(s.liveReservations()).isEqualTo(n / 2);
    List<ReservationLeak> leaks = new ArrayList<>();
    try (Registration r = memory.addLeakListener(leaks::add)) {
      s.close();
    }
    long stillHeld =
        java.util.stream.IntStream.range(0, n).filter(i -> i % 2 == 1).map(i -> i % 3).sum();
    assertThat(leaks)
        .singleElement()
        .satisfies(
            leak -> {
              assertThat(leak.reservations()).isEqualTo(n / 2);
              assertThat(leak.bytes()).isEqualTo(stillHeld);
            });
    assertThat(s.liveReservations()).isZero();
    held.forEach(Reservation::close);
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void tryReserve_returnsEmptyWhenFull() {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(10));
    assertThat(s.tryReserve(11)).isEmpty();
    assertThat(s.reservedBytes()).isZero();
  }

  @Test
  void release_twice_isHarmless() {
    MemoryScope s = memory.openScope("s");
    Reservation r = s.reserve(100);
    r.close();
    r.close();
    assertThat(r.isReleased()).isTrue();
    assertThat(r.bytes()).isZero();
    assertThat(s.reservedBytes()).isZero();
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void growShrinkResize_moveTheAccounting() {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(200));
    Reservation r = s.reserve(50);
    r.grow(100);
    assertThat(s.reservedBytes()).isEqualTo(150);
    assertThatThrownBy(() -> r.grow(51)).isInstanceOf(MemoryBudgetExceededException.class);
    assertThat(r.bytes()).isEqualTo(150);
    r.shrink(120);
    assertThat(s.reservedBytes()).isEqualTo(30);
    r.resize(200);
    assertThat(memory.reservedBytes()).isEqualTo(200);
    r.resize(0);
    assertThat(memory.reservedBytes()).isZero();
    assertThatThrownBy(() -> r.shrink(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.grow(-1)).isInstanceOf(IllegalArgumentException.class);
    r.close();
    assertThatThrownBy(() -> r.grow(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> r.shrink(0)).isInstanceOf(IllegalStateException.class);
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void reservationOfAClosedScope_refusesGrowShrinkAndResize() {
    MemoryScope s = memory.openScope("s");
    Reservation r = s.reserve(40);
    s.close();
    assertThat(r.isReleased()).isTrue();
    assertThat(r.bytes()).isZero();
    assertThatThrownBy(() -> r.grow(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("app/s")
        .hasMessageContaining("its scope closed");
    assertThatThrownBy(() -> r.shrink(10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("its scope closed");
    assertThatThrownBy(() -> r.resize(10)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> r.resize(80)).isInstanceOf(IllegalStateException.class);
    assertThat(memory.reservedBytes()).isZero();
    r.close();
    r.close();
    assertThat(leaks)
        .singleElement()
        .satisfies(
            leak ->
                assertThat(leak.describe())
                    .startsWith(
                        "1 reservation (40 B) in scope 'app/s' was still held when the scope closed;"
                            + " memguard released it.")
                    .endsWith("to see where it was made."));
  }

  @Test
  void closedScope_refusesUseWithIllegalState() {
    MemoryScope s = memory.openScope("s");
    s.close();
    assertThat(s.isClosed()).isTrue();
    assertThatThrownBy(() -> s.reserve(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("app/s");
    assertThatThrownBy(() -> s.tryReserve(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.openChild("c")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.onClose("x", () -> {})).isInstanceOf(IllegalStateException.class);
    s.close();
  }

  @Test
  void close_releasesOutstandingReservationsAndReportsThemAsLeaks() {
    MemoryScope s = memory.openScope("s");
    Reservation a = s.reserve(100);
    s.reserve(40);
    ScopeCloseReport report = s.closeAndReport();
    assertThat(report.hasLeaks()).isTrue();
    assertThat(report.leak().bytes()).isEqualTo(140);
    assertThat(report.leak().reservations()).isEqualTo(2);
    assertThat(report.leak().kind()).isEqualTo(ReservationLeak.Kind.NOT_RELEASED_AT_CLOSE);
    assertThat(leaks).singleElement().satisfies(l -> assertThat(l.scopePath()).isEqualTo("app/s"));
    assertThat(memory.reservedBytes()).isZero();
    assertThat(memory.stats().leakedBytes()).isEqualTo(140);
    assertThat(a.isReleased()).isTrue();
    assertThat(a.bytes()).as("the scope's close released it").isZero();
    a.close(); // after the scope released it: a no-op, never a double release
    assertThat(a.isReleased()).isTrue();
    assertThat(memory.reservedBytes()).isZero();
    assertThat(s.closeAndReport()).isSameAs(report);
  }

  @Test
  void close_closesChildrenFirstThenRunsActionsLastRegisteredFirst() {
    List<String> order = new CopyOnWriteArrayList<>();
    MemoryScope parent = memory.openScope("parent");
    MemoryScope child = parent.openChild("child");
    MemoryScope grandchild = child.openChild("grandchild");
    parent.onClose("p1", () -> order.add("parent-1"));
    parent.onClose("p2", () -> order.add("parent-2"));
    child.onClose("c", () -> order.add("child"));
    grandchild.onClose("g", () -> order.add("grandchild"));
    grandchild.reserve(10);
    ScopeCloseReport report = parent.closeAndReport();
    assertThat(order).containsExactly("grandchild", "child", "parent-2", "parent-1");
    assertThat(child.isClosed()).isTrue();
    assertThat(grandchild.isClosed()).isTrue();
    assertThat(report.allLeaks())
        .singleElement()
        .satisfies(l -> assertThat(l.scopePath()).isEqualTo("app/parent/child/grandchild"));
    assertThat(memory.openScopeCount()).isEqualTo(1);
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void close_withThrowingActions_runsAllReleasesAllAndThrowsOnceWithEachError() {
    MemoryScope s = memory.openScope("s");
    List<String> ran = new ArrayList<>();
    s.onClose("first", () -> ran.add("first"));
    s.onClose(
        "broken-1",
        () -> {
          throw new IllegalStateException("boom-1");
        });
    s.onClose(
        "broken-2",
        () -> {
          throw new IllegalArgumentException("boom-2");
        });
    s.onClose("last", () -> ran.add("last"));
    s.reserve(99);
    assertThatThrownBy(s::close)
        .isInstanceOfSatisfying(
            CleanupException.class,
            e -> {
              assertThat(e.failures())
                  .extracting(CleanupRun::action)
                  .containsExactly("broken-2", "broken-1");
              assertThat(e.getSuppressed())
                  .extracting(Throwable::getMessage)
                  .containsExactly("boom-2", "boom-1");
              assertThat(e).hasMessageContaining("app/s");
            });
    assertThat(ran).containsExactly("last", "first");
    assertThat(memory.reservedBytes()).isZero();
    s.close(); // second close: no second exception
  }

  @Test
  void tryWithResources_cleanupErrorIsSuppressedNeverMasksTheBodysException() {
    RuntimeException primary = new RuntimeException("the real problem");
    Throwable thrown = null;
    try (MemoryScope s = memory.openScope("s")) {
      s.onClose(
          "broken",
          () -> {
            throw new IllegalStateException("cleanup failed");
          });
      s.reserve(10);
      throw primary;
    } catch (RuntimeException e) {
      thrown = e;
    }
    assertThat(thrown).isSameAs(primary);
    assertThat(thrown.getSuppressed()).singleElement().isInstanceOf(CleanupException.class);
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void cleanupThatReserves_inTheClosingScope_isReleasedAndReported() {
    MemoryScope s = memory.openScope("s");
    s.onClose("spill", () -> s.reserve(70));
    ScopeCloseReport report = s.closeAndReport();
    assertThat(report.cleanups()).singleElement().satisfies(c -> assertThat(c.failed()).isFalse());
    assertThat(report.leak().bytes()).isEqualTo(70);
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void cleanupThatReserves_inAClosedChild_failsAndIsReported() {
    MemoryScope parent = memory.openScope("parent");
    MemoryScope child = parent.openChild("child");
    parent.onClose("uses-child", () -> child.reserve(1));
    assertThatThrownBy(parent::close)
        .isInstanceOf(CleanupException.class)
        .satisfies(e -> assertThat(e.getSuppressed()[0]).isInstanceOf(IllegalStateException.class));
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void registration_removesACleanupBeforeClose() {
    MemoryScope s = memory.openScope("s");
    List<String> ran = new ArrayList<>();
    Registration r = s.onClose("x", () -> ran.add("x"));
    r.close();
    r.close();
    s.close();
    assertThat(ran).isEmpty();
    assertThat(memory.cleanup().registered()).isEmpty();
  }

  @Test
  void reserveWithTimeout_waitsForARelease() throws Exception {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(100));
    Reservation held = s.reserve(80);
    CompletableFuture<Reservation> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return s.reserve(50, Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    while (!hasWaiter()) {
      Thread.onSpinWait();
    }
    held.close();
    Reservation got = waiter.get(30, TimeUnit.SECONDS);
    assertThat(got.bytes()).isEqualTo(50);
    assertThat(s.reservedBytes()).isEqualTo(50);
    got.close();
  }

  private boolean hasWaiter() {
    return memory.waitingReservations() > 0;
  }

  @Test
  void reserveWithTimeout_timesOutWithTheNumbers() {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(100));
    s.reserve(80);
    assertThatThrownBy(() -> s.reserve(50, Duration.ofMillis(20)))
        .isInstanceOfSatisfying(
            MemoryBudgetExceededException.class,
            e -> {
              assertThat(e.availableBytes()).isEqualTo(20);
              assertThat(e).hasMessageContaining("after waiting");
            });
  }

  @Test
  void reserveWithTimeout_thatCouldNeverFit_failsAtOnce() {
    MemoryScope s = memory.openScope("s", MemorySize.ofBytes(100));
    assertThatThrownBy(() -> s.reserve(101, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot ever reserve");
  }

  @Test
  void snapshot_showsTheTree() {
    MemoryScope a = memory.openScope("a", MemorySize.ofBytes(500));
    MemoryScope b = a.openChild("b");
    b.reserve(30);
    a.reserve(20);
    ScopeSnapshot snap = memory.snapshot();
    assertThat(snap.path()).isEqualTo("app");
    assertThat(snap.reservedBytes()).isEqualTo(50);
    assertThat(snap.scopeCount()).isEqualTo(3);
    ScopeSnapshot sa = snap.children().get(0);
    assertThat(sa.limitBytes()).isEqualTo(500);
    assertThat(sa.liveReservations()).isEqualTo(1);
    assertThat(sa.children().get(0).reservedBytes()).isEqualTo(30);
    assertThat(snap.toTreeString()).contains("app:", "  a: reserved 50 B", "    b: reserved 30 B");
  }

  @Test
  void meterAllocations_measuresWhatTheThreadAllocated() {
    MemoryScope s = memory.openScope("s");
    byte[][] keep = new byte[8][];
    try (AllocationMeter meter = s.meterAllocations()) {
      for (int i = 0; i < keep.length; i++) {
        keep[i] = new byte[256 * 1024];
      }
      assertThat(meter.allocatedBytes()).isGreaterThanOrEqualTo(2L * 1024 * 1024);
    }
    assertThat(keep[7]).hasSize(256 * 1024);
    assertThat(s.allocatedBytes()).isGreaterThanOrEqualTo(2L * 1024 * 1024);
    assertThat(memory.rootScope().allocatedBytes()).isEqualTo(s.allocatedBytes());
  }

  @Test
  void scopeNames_mustBeUsable() {
    assertThatThrownBy(() -> memory.openScope("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> memory.openScope(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void managerClose_closesEverythingAndIsIdempotent() {
    MemoryScope s = memory.openScope("s");
    s.openChild("c").reserve(5);
    memory.close();
    memory.close();
    assertThat(s.isClosed()).isTrue();
    assertThat(memory.reservedBytes()).isZero();
    assertThat(memory.openScopeCount()).isZero();
  }
}
