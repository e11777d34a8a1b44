package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Reservation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's Flight Recorder events, recorded for real and read back from the file. */
class FlightRecorderEventsTest {
  private static final long MS = 1_000_000L;

  @Test
  void guardEventsLeakReportsAndAlerts_areRecorded(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("monitor.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("memguard.GuardEvent");
      recording.enable("memguard.LeakReport");
      recording.enable("memguard.Alert");
      recording.start();
      try (MemoryManager memory =
          MemoryManager.builder().name("jfr").limit(MemorySize.ofMebibytes(64)).build()) {
        try (EmergencyGuard guard =
            EmergencyGuard.builder(memory).heapMaxBytes(100L << 20).build()) {
          assertThat(guard.evaluate(GuardSample.ofHeap(0, 0.96, 0.97)))
              .isEqualTo(PressureLevel.EMERGENCY);
          guard.evaluate(GuardSample.ofHeap(600 * MS, 0.50, 0.50));
          guard.evaluate(GuardSample.ofHeap(1200 * MS, 0.50, 0.50));
        }
        try (MemoryMonitor monitor =
                MemoryMonitor.manual(
                    memory, MonitorConfig.builder().period(Duration.ofMillis(100)).build());
            MemoryScope s = memory.openScope("s");
            Reservation r = s.reserve(1024)) {
          monitor
              .alerts()
              .addRule(AlertRule.builder("reserved-any").metric(Metric.RESERVED).above(0).build());
          monitor.sampleNow();
        }
      }
      LeakDetectorTest.Driver leak =
          new LeakDetectorTest.Driver(LeakDetectorConfig.ofDefaults(), null);
      leak.run(60, t -> 100 * LeakDetectorTest.MIB + t * LeakDetectorTest.MIB);
      assertThat(leak.reports).isNotEmpty();
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.GuardEvent"))
        .extracting(e -> e.getString("type"))
        .contains("EMERGENCY_ENTERED", "EMERGENCY_LEFT");
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.GuardEvent"))
        .filteredOn(e -> e.getString("type").equals("EMERGENCY_ENTERED"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("limit")).isEqualTo("HEAP_LIVE");
              assertThat(e.getDouble("fraction")).isGreaterThan(0.95);
              assertThat(e.getString("message")).contains("memory emergency");
            });
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.Alert"))
        .anySatisfy(
            e -> {
              assertThat(e.getString("type")).isEqualTo("FIRED");
              assertThat(e.getString("rule")).isEqualTo("reserved-any");
              assertThat(e.getDouble("value")).isEqualTo(1024);
            });
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.LeakReport"))
        .first()
        .satisfies(
            e -> {
              assertThat(e.getLong("growthBytesPerMinute")).isGreaterThan(30L << 20);
              assertThat(e.getDouble("pValue")).isLessThan(0.001);
              assertThat(e.getString("recommendation")).isNotBlank();
            });
  }
}
