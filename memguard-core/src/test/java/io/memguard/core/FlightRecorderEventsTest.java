package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Core's Flight Recorder events, recorded for real and read back from the recording file. */
class FlightRecorderEventsTest {

  @Test
  void pressureChangesLeaksAndLeakyCloses_areRecorded(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("memguard.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("memguard.PressureChange");
      recording.enable("memguard.ReservationLeak");
      recording.enable("memguard.ScopeClosedWithLeaks");
      recording.start();
      try (MemoryManager memory =
          MemoryManager.builder()
              .name("jfr-test")
              .limit(MemorySize.ofMebibytes(10))
              .noLiveHeapLimit()
              .build()) {
        MemoryScope scope = memory.openScope("leaky");
        scope.reserve(9L << 20); // 90%: past ELEVATED and CRITICAL, never closed
        scope.close();
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertThat(Files.size(file)).isPositive();
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.PressureChange"))
        .anySatisfy(
            e -> {
              assertThat(e.getString("manager")).isEqualTo("jfr-test");
              assertThat(e.getString("previous")).isEqualTo("NORMAL");
              assertThat(e.getString("current")).isIn("ELEVATED", "CRITICAL");
              assertThat(e.getDouble("utilization")).isEqualTo(0.9);
            });
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.ReservationLeak"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("scopePath")).isEqualTo("jfr-test/leaky");
              assertThat(e.getLong("bytes")).isEqualTo(9L << 20);
              assertThat(e.getLong("reservations")).isEqualTo(1);
            });
    assertThat(events)
        .filteredOn(e -> e.getEventType().getName().equals("memguard.ScopeClosedWithLeaks"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("scopePath")).isEqualTo("jfr-test/leaky");
              assertThat(e.getLong("leakedBytes")).isEqualTo(9L << 20);
              assertThat(e.getLong("peakReservedBytes")).isEqualTo(9L << 20);
            });
  }
}
