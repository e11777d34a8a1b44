package io.memguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemguardMetricsTest {

  @Test
  void binder_exposesTheManagerMonitorAllocatorAndFits_withTheManagerTag() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (MemoryManager manager =
            MemoryManager.builder().name("metrics").limit(MemorySize.ofMebibytes(64)).build();
        MemoryMonitor monitor =
            MemoryMonitor.manual(
                manager, MonitorConfig.builder().period(Duration.ofMillis(100)).build());
        MemguardMetrics metrics = new MemguardMetrics(monitor, Tags.of("pipeline", "nightly"));
        MemoryScope scope = manager.openScope("s");
        Reservation r = scope.reserve(2L << 20)) {
      metrics.bindTo(registry);
      metrics.bindTo(registry); // bound twice: every count below still counts once
      monitor.sampleNow();
      assertThat(
              registry
                  .get("memguard.budget")
                  .tags("manager", "metrics", "pipeline", "nightly")
                  .gauge()
                  .value())
          .isEqualTo(64L << 20);
      assertThat(registry.get("memguard.reserved").gauge().value()).isEqualTo(2L << 20);
      assertThat(registry.get("memguard.reserved").gauge().getId().getBaseUnit())
          .isEqualTo("bytes");
      assertThat(registry.get("memguard.pressure.level").gauge().value()).isZero();
      assertThat(registry.get("memguard.heap.max").gauge().value()).isPositive();
      assertThat(registry.get("memguard.process.rss").gauge().value()).isPositive();
      assertThat(registry.get("memguard.leak.status").gauge().value()).isZero();

      manager.allocator().run(TaskRequest.named("t").minBytes(1024), g -> 1);
      assertThat(
              registry
                  .get("memguard.allocator.tasks.ended")
                  .tag("outcome", "completed")
                  .functionCounter()
                  .count())
          .isEqualTo(1);

      monitor.alerts().addRule(AlertRule.builder("any").metric(Metric.RESERVED).above(0).build());
      monitor.sampleNow();
      // alert listeners run on the monitor's notification thread
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> registry.find("memguard.alerts.fired").counter() != null);
      assertThat(registry.get("memguard.alerts.fired").tag("severity", "warning").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("memguard.alerts.active").gauge().value()).isEqualTo(1);

      try (MemoryScope fitScope = manager.openScope("fit");
          AutoFeatModel model =
              AutoFeatProcessor.builder()
                  .featureEngineeringSteps(1)
                  .featureSelectionRuns(1)
                  .listener(metrics.fitListener())
                  .build()
                  .fit(fitScope, tiny())) {
        assertThat(model.report().completed()).isTrue();
      }
      assertThat(
              registry
                  .get("memguard.autofeat.fits")
                  .tags("outcome", "completed", "lightweight", "false")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("memguard.autofeat.fit.phase").tag("phase", "select").timer().count())
          .isEqualTo(1);

      manager
          .rollout()
          .set(
              io.memguard.core.Protection.HEAP_ADMISSION,
              io.memguard.core.ProtectionMode.OBSERVE,
              "test");
      assertThat(
              registry
                  .get("memguard.rollout.mode")
                  .tag("protection", "heap_admission")
                  .gauge()
                  .value())
          .isEqualTo(1);
      manager
          .rollout()
          .record(
              io.memguard.core.Protection.HEAP_ADMISSION,
              io.memguard.core.ProtectionMode.OBSERVE,
              "job",
              "hold task 'job'");
      manager.rollout().settle("job", io.memguard.core.Rollout.Outcome.COMPLETED);
      assertThat(
              registry
                  .get("memguard.rollout.outcomes")
                  .tags("protection", "heap_admission", "mode", "observe", "outcome", "completed")
                  .functionCounter()
                  .count())
          .isEqualTo(1);
      int bound = registry.getMeters().size();
      metrics.close();
      metrics.close();
      assertThat(bound).isGreaterThan(15);
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  static Dataset tiny() {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 200;
    double[][] x = new double[2][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[0][i] = 1 + rnd.nextDouble();
      x[1][i] = rnd.nextGaussian();
      y[i] = 3 * x[0][i] * x[0][i] - x[1][i] + 0.01 * rnd.nextGaussian();
    }
    return Dataset.of(List.of("a", "b"), x, y);
  }
}
