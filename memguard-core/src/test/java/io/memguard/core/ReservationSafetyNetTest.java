package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.SAFETY_NET)
            .build()) {
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

  @Test
  void sampled_reportsEveryDroppedByte_theSampledEarlyAndTheRestAtClose() throws Exception {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.SAMPLED)
            .leakSamplingInterval(8)
            .build()) {
      LinkedBlockingQueue<ReservationLeak> leaks = new LinkedBlockingQueue<>();
      memory.addLeakListener(leaks::add);
      MemoryScope scope = memory.openScope("sampled");
      for (int i = 0; i < 400; i++) {
        dropAReservation(scope, 10);
      }
      ReservationLeak first = awaitLeak(leaks);
      assertThat(first.kind()).isEqualTo(ReservationLeak.Kind.COLLECTED_WITHOUT_RELEASE);
      // (7/8)^400 makes "none sampled" and 8^-400 "all sampled" impossible in practice
      long early = first.bytes();
      for (ReservationLeak more; (more = leaks.poll(200, TimeUnit.MILLISECONDS)) != null; ) {
        early += more.bytes();
      }
      assertThat(early).isBetween(10L, 3990L);
      ScopeCloseReport report = scope.closeAndReport();
      assertThat(report.leak().kind()).isEqualTo(ReservationLeak.Kind.NOT_RELEASED_AT_CLOSE);
      assertThat(early + report.leak().bytes()).isEqualTo(4000);
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void sampled_watchesEveryReservationOnceALeakWasReported() throws Exception {
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(1))
            .leakDetection(LeakDetection.SAMPLED)
            .leakSamplingInterval(1 << 30)
            .build()) {
      assertThat(memory.leakSamplingInterval()).isEqualTo(1 << 30);
      MemoryScope first = memory.openScope("first");
      first.reserve(5);
      first.close();
      assertThat(memory.stats().leaksReported()).isEqualTo(1);
      assertThat(memory.leakSamplingInterval()).isEqualTo(1);

      LinkedBlockingQueue<ReservationLeak> leaks = new LinkedBlockingQueue<>();
      memory.addLeakListener(leaks::add);
      dropAReservation(memory.openScope("second"), 11);
      ReservationLeak leak = awaitLeak(leaks);
      assertThat(leak.kind()).isEqualTo(ReservationLeak.Kind.COLLECTED_WITHOUT_RELEASE);
      assertThat(leak.bytes()).isEqualTo(11);
    }
  }

  @Test
  void samplingInterval_isRoundedUpToAPowerOfTwo_andZeroWhenOff() {
    MemoryManager.Builder b = MemoryManager.builder().leakDetection(LeakDetection.SAMPLED);
    try (MemoryManager m = b.leakSamplingInterval(100).build()) {
      assertThat(m.leakSamplingInterval()).isEqualTo(128);
    }
    try (MemoryManager m = b.leakSamplingInterval(1).build()) {
      assertThat(m.leakSamplingInterval()).isEqualTo(1);
    }
    try (MemoryManager m = b.leakSamplingInterval(3).build()) {
      assertThat(m.leakSamplingInterval()).isEqualTo(4);
    }
    try (MemoryManager m = MemoryManager.builder().leakDetection(LeakDetection.OFF).build()) {
      assertThat(m.leakSamplingInterval()).isZero();
    }
    try (MemoryManager m =
        MemoryManager.builder().leakDetection(LeakDetection.TRACK_SITES).build()) {
      assertThat(m.leakSamplingInterval()).isEqualTo(1);
    }
    assertThatThrownBy(() -> b.leakSamplingInterval(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 2^30]");
  }

  @Test
  void systemProperty_namesEveryMode() {
    String before = System.getProperty(LeakDetection.PROPERTY);
    try {
      System.setProperty(LeakDetection.PROPERTY, "sampled");
      assertThat(LeakDetection.fromSystemProperty()).isEqualTo(LeakDetection.SAMPLED);
      System.setProperty(LeakDetection.PROPERTY, "SAFETY_NET");
      assertThat(LeakDetection.fromSystemProperty()).isEqualTo(LeakDetection.SAFETY_NET);
      System.clearProperty(LeakDetection.PROPERTY);
      assertThat(LeakDetection.fromSystemProperty()).isEqualTo(LeakDetection.SAMPLED);
      System.setProperty(LeakDetection.PROPERTY, "sometimes");
      assertThatThrownBy(LeakDetection::fromSystemProperty)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("off, sampled, safety-net, track-sites");
    } finally {
      if (before == null) {
        System.clearProperty(LeakDetection.PROPERTY);
      } else {
        System.setProperty(LeakDetection.PROPERTY, before);
      }
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
