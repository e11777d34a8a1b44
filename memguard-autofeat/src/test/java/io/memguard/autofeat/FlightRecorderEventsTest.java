package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fit's phases as Flight Recorder events, recorded for real and read back. */
class FlightRecorderEventsTest {

  @Test
  void eachPhaseOfAFit_isADurationEventWithItsMemory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("autofeat.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("memguard.AutoFeatFitPhase");
      recording.start();
      try (MemoryManager memory =
              MemoryManager.builder().name("jfr").limit(MemorySize.ofMebibytes(256)).build();
          MemoryScope scope = memory.openScope("train");
          AutoFeatModel model =
              AutoFeatProcessor.builder()
                  .featureEngineeringSteps(2)
                  .build()
                  .fit(scope, TestData.diabetes().train())) {
        assertThat(model.report().completed()).isTrue();
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> phases =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("memguard.AutoFeatFitPhase"))
            .toList();
    assertThat(phases)
        .extracting(e -> e.getString("phase"))
        .containsSubsequence("GENERATE", "SELECT", "MODEL");
    assertThat(phases)
        .allSatisfy(
            e -> {
              assertThat(e.getString("fit")).isEqualTo("jfr/train/autofeat-fit");
              assertThat(e.getDuration().isNegative()).isFalse();
            });
    assertThat(phases)
        .filteredOn(e -> e.getString("phase").equals("SELECT"))
        .singleElement()
        .satisfies(e -> assertThat(e.getLong("peakReservedBytes")).isPositive());
  }
}
