package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Cleaner path: a reservation dropped without release is released and reported. */
class ReservationSafetyNetTest {

  @Test
  void droppedReservation_isReleasedAndReportedWithScopePath() throws Exception {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.SAFETY_NET)
            .build()) {
      LinkedBlockingQueue<ReservationLeak> leaks = new LinkedBlockingQueue<>();
      memory.addLeakListener(leaks::add);
      MemoryScope scope = memory.openScope("forgetful");
      dropAReservation(scope, 4096);
      assertThat(scope.reservedBytes()).isEqualTo(4096);

      ReservationLeak leak = awaitLeak(leaks);
      assertThat(leak.kind()).isEqualTo(ReservationLeak.Kind.COLLECTED_WITHOUT_RELEASE);
      assertThat(leak.scopePath()).isEqualTo("root/forgetful");
      assertThat(leak.bytes()).isEqualTo(4096);
      assertThat(leak.allocationSites()).isEmpty();
      assertThat(scope.reservedBytes()).isZero();
      assertThat(scope.liveReservations()).isZero();
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void trackSites_reportsWhereTheReservationWasMade() throws Exception {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.TRACK_SITES)
            .build()) {
      LinkedBlockingQueue<ReservationLeak> leaks = new LinkedBlockingQueue<>();
      memory.addLeakListener(leaks::add);
      dropAReservation(memory.openScope("tracked"), 100);
      ReservationLeak leak = awaitLeak(leaks);
      assertThat(leak.allocationSites())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.getStackTrace())
                      .anyMatch(e -> e.getMethodName().equals("dropAReservation")));
    }
  }

  @Test
  void trackSites_atClose_listsEachOutstandingReservationsSite() {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.TRACK_SITES)
            .build()) {
      MemoryScope scope = memory.openScope("s");
      Reservation kept = scope.reserve(10);
      scope.reserve(20);
      ScopeCloseReport report = scope.closeAndReport();
      assertThat(report.leak().allocationSites()).hasSize(2);
      assertThat(kept.isReleased()).isTrue();
    }
  }

  @Test
  void releasedReservation_isNeverReportedWhenCollected() throws Exception {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(1)).build()) {
      LinkedBlockingQueue<ReservationLeak> leaks = new LinkedBlockingQueue<>();
      memory.addLeakListener(leaks::add);
      MemoryScope scope = memory.openScope("tidy");
      scope.reserve(100).close();
      // A dropped one after it proves the Cleaner ran; the released one must not show up.
      dropAReservation(scope, 7);
      ReservationLeak leak = awaitLeak(leaks);
      assertThat(leak.bytes()).isEqualTo(7);
      assertThat(leaks.poll(200, TimeUnit.MILLISECONDS)).isNull();
      assertThat(memory.stats().leaksReported()).isEqualTo(1);
    }
  }

  private static void dropAReservation(MemoryScope scope, long bytes) {
    scope.reserve(bytes);
  }

  /** Tests may ask for a GC; the library never does. */
  private static ReservationLeak awaitLeak(LinkedBlockingQueue<ReservationLeak> leaks)
      throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      System.gc();
      ReservationLeak leak = leaks.poll(100, TimeUnit.MILLISECONDS);
      if (leak != null) {
        return leak;
      }
    }
    throw new AssertionError("the Cleaner never reported the dropped reservation");
  }
}
