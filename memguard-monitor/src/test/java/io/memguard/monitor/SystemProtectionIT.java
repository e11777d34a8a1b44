package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * System protection for real: a second process takes about 1.5 GiB, the host's available memory
 * falls below the guard's threshold (set just under what is available when the test starts, so the
 * test needs no more than that on a 24 GiB machine), and the guard trips on SYSTEM_AVAILABLE
 * although this JVM's heap is fine; when the hog exits, the guard recovers.
 */
class SystemProtectionIT {
  private static final long MIB = 1 << 20;
  private static final long HOG = 1536 * MIB;

  @Test
  void anotherProcessEatingMemory_tripsTheGuard_andItsExitRecovers() throws Exception {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(64)).build()) {
      MemorySnapshot before;
      try (MemoryMonitor probe =
          MemoryMonitor.manual(
              memory, MonitorConfig.builder().noEmergencyGuard().feedPressure(false).build())) {
        before = probe.sampleNow();
      }
      long total = before.systemTotalBytes();
      long available = before.systemAvailableBytes();
      assertThat(total).as("OSHI must report host memory here").isPositive();
      assertThat(available).as("this test needs 2 GiB of headroom").isGreaterThan(2048 * MIB);
      double emergencyBelow = (double) (available - HOG * 2 / 3) / total;
      double recoveryAbove = (double) (available - HOG / 3) / total;
      GuardConfig guard =
          GuardConfig.builder().systemAvailable(emergencyBelow, recoveryAbove).build();

      List<GuardEvent> events = new CopyOnWriteArrayList<>();
      CountDownLatch tripped = new CountDownLatch(1);
      CountDownLatch recovered = new CountDownLatch(1);
      try (MemoryMonitor monitor =
          MemoryMonitor.start(
              memory,
              MonitorConfig.builder()
                  .period(Duration.ofMillis(100))
                  .osRefresh(Duration.ofMillis(100))
                  .emergencyGuard(guard)
                  .build())) {
        EmergencyGuard g = monitor.emergencyGuard().orElseThrow();
        g.addListener(
            e -> {
              events.add(e);
              if (e.type() == GuardEvent.Type.EMERGENCY_ENTERED) {
                tripped.countDown();
              } else if (e.type() == GuardEvent.Type.RECOVERED) {
                recovered.countDown();
              }
            });
        Process hog = startHog();
        try {
          assertThat(tripped.await(30, TimeUnit.SECONDS)).as("the guard saw the hog").isTrue();
        } finally {
          hog.getOutputStream().close();
          hog.destroy();
          hog.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(recovered.await(30, TimeUnit.SECONDS))
            .as("the guard recovered after the hog left")
            .isTrue();
      }
      GuardEvent trip =
          events.stream()
              .filter(e -> e.type() == GuardEvent.Type.EMERGENCY_ENTERED)
              .findFirst()
              .orElseThrow();
      assertThat(trip.limit()).isEqualTo(GuardLimit.SYSTEM_AVAILABLE);
      assertThat(trip.message()).contains("system memory available down to");
      assertThat(events).extracting(GuardEvent::type).contains(GuardEvent.Type.RECOVERED);
    }
  }

  private static Process startHog() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process hog =
        new ProcessBuilder(
                java,
                "-Xms" + (HOG / MIB) + "m",
                "-Xmx" + (HOG / MIB) + "m",
                "-XX:+AlwaysPreTouch",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                MemoryHog.class.getName(),
                "60")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(hog.getInputStream()));
    assertThat(out.readLine()).isEqualTo("ready");
    return hog;
  }
}
