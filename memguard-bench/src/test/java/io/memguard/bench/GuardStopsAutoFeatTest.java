package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.BatchReport;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.FitListener;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import io.memguard.core.TaskStoppedException;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.GuardEvent;
import io.memguard.monitor.GuardSample;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The guard's lever on a real AutoFeat fit: an emergency reported in the middle of the fit cancels
 * the fit's grant, the fit stops at its next batch boundary with the guard's reason, everything it
 * reserved is released, and after recovery the same fit runs to completion. Samples are made up and
 * fed on the fit's own thread, so nothing depends on timing.
 */
class GuardStopsAutoFeatTest {
  private final AtomicLong now = new AtomicLong();

  private static Dataset.Split syntheticData() throws Exception {
    Dataset all;
    try (InputStream in = GuardStopsAutoFeatTest.class.getResourceAsStream(DemoScenario.DATA)) {
      all =
          Dataset.readCsv(
              new InputStreamReader(in, StandardCharsets.UTF_8), "target", DemoScenario.DATA);
    }
    try (InputStream in = GuardStopsAutoFeatTest.class.getResourceAsStream(DemoScenario.SPLIT)) {
      return all.split(
          Dataset.readIndices(
              new InputStreamReader(in, StandardCharsets.UTF_8), DemoScenario.SPLIT));
    }
  }

  @Test
  void emergencyDuringAFit_stopsItAtABatchBoundary_releasesEverything_andTheFitRunsAfterRecovery()
      throws Exception {
    Dataset.Split data = syntheticData();
    try (MemoryManager memory =
            MemoryManager.builder()
                .name("guarded-fits")
                .limit(MemorySize.ofMebibytes(256))
                .ticker(now::get)
                .build();
        EmergencyGuard guard = EmergencyGuard.builder(memory).heapMaxBytes(256L << 20).build()) {
      List<GuardEvent> events = new CopyOnWriteArrayList<>();
      guard.addListener(events::add);
      guard.evaluate(GuardSample.ofHeap(now.get(), 0.40, 0.50));

      List<BatchReport> batches = new CopyOnWriteArrayList<>();
      FitListener reportsEmergencyAtTheThirdBatch =
          new FitListener() {
            @Override
            public void onBatch(BatchReport batch) {
              batches.add(batch);
              if (batches.size() == 3) {
                now.addAndGet(100_000_000L);
                guard.evaluate(GuardSample.ofHeap(now.get(), 0.97, 0.98));
              }
            }
          };
      AutoFeatProcessor stoppable =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(2)
              .listener(reportsEmergencyAtTheThirdBatch)
              .build();
      TaskRequest request =
          TaskRequest.named("feature-pipeline")
              .priority(1)
              .minBytes(8L << 20)
              .desiredBytes(64L << 20);

      TaskOutcome<AutoFeatModel> stopped =
          memory.allocator().run(request, grant -> stoppable.fit(grant, data.train()));

      assertThat(stopped.status()).isEqualTo(TaskOutcome.Status.STOPPED);
      assertThat(stopped.error())
          .isInstanceOf(TaskStoppedException.class)
          .hasMessageContaining("stopped by the emergency guard", "heap live set at 98.0%");
      assertThat(stopped.stopReason()).contains("lowest priority (1)");
      assertThat(batches).as("stopped at the next batch boundary, not at the end").hasSize(3);
      assertThat(memory.reservedBytes()).as("the fit released everything it reserved").isZero();
      assertThat(memory.allocator().activeGrants()).isEmpty();
      assertThat(events)
          .filteredOn(e -> e.type() == GuardEvent.Type.TASK_STOP_REQUESTED)
          .singleElement()
          .satisfies(e -> assertThat(e.task()).isEqualTo("feature-pipeline"));
      assertThat(memory.allocator().isPaused()).as("admission paused while in emergency").isTrue();

      now.addAndGet(100_000_000L);
      guard.evaluate(GuardSample.ofHeap(now.get(), 0.30, 0.40));
      assertThat(guard.inEmergency()).isFalse();
      assertThat(memory.allocator().isPaused()).isFalse();

      AutoFeatProcessor plain = AutoFeatProcessor.builder().featureEngineeringSteps(2).build();
      TaskOutcome<AutoFeatModel> again =
          memory.allocator().run(request, grant -> plain.fit(grant, data.train()));
      assertThat(again.status()).isEqualTo(TaskOutcome.Status.COMPLETED);
      try (AutoFeatModel model = again.result()) {
        assertThat(model.score(data.test())).isGreaterThan(0.85);
        assertThat(memory.reservedBytes()).isEqualTo(model.reservedBytes());
      }
      assertThat(memory.reservedBytes()).isZero();
    }
  }
}
