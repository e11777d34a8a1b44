package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight threads fit AutoFeat at once through the allocator (issue 14, 7.3): every fit completes (no
 * task starves), none holds more than its grant, and each gives exactly what a single-threaded fit
 * with the same seed and the same memory gives.
 */
class ConcurrentFitsIT {
  private static final Path DATA = Path.of("src", "main", "resources", "data");
  private static final long GRANT = 32L << 20;

  /** What a fit produced, compared bit for bit. */
  record Fit(List<String> features, double[][] coefficients, double[] intercepts, double score) {
    boolean sameAs(Fit other) {
      return features.equals(other.features)
          && Arrays.deepEquals(coefficients, other.coefficients)
          && Arrays.equals(intercepts, other.intercepts)
          && Double.compare(score, other.score) == 0;
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void eightConcurrentFits_completeWithinTheirGrants_andMatchSingleThreadedFits() throws Exception {
    Dataset.Split data =
        Dataset.fromCsv(DATA.resolve("synthetic_n2000_seed0.csv"), "target")
            .split(Dataset.readIndices(DATA.resolve("synthetic_n2000_seed0_test_idx.txt")));
    int fits = 8;
    List<Fit> alone = new ArrayList<>();
    try (MemoryManager memory =
        MemoryManager.builder().limit(MemorySize.ofMebibytes(512)).build()) {
      for (int seed = 0; seed < fits; seed++) {
        try (MemoryScope scope = memory.openScope("alone-" + seed, MemorySize.ofBytes(GRANT));
            AutoFeatModel model = processor(seed).fit(scope, data.train())) {
          alone.add(result(model, data));
        }
      }
    }

    try (MemoryManager memory =
        MemoryManager.builder().limit(MemorySize.ofMebibytes(512)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(fits);
      try {
        List<Future<TaskOutcome<Fit>>> outcomes = new ArrayList<>();
        for (int i = 0; i < fits; i++) {
          int seed = i;
          TaskRequest request =
              TaskRequest.named("fit-" + seed)
                  .minBytes(GRANT)
                  .desiredBytes(GRANT)
                  .timeout(Duration.ofMinutes(5));
          outcomes.add(
              pool.submit(
                  () ->
                      memory
                          .allocator()
                          .run(
                              request,
                              grant -> {
                                try (AutoFeatModel model =
                                    processor(seed).fit(grant, data.train())) {
                                  assertThat(model.report().peakReservedBytes())
                                      .isLessThanOrEqualTo(grant.grantedBytes());
                                  return result(model, data);
                                }
                              })));
        }
        for (int i = 0; i < fits; i++) {
          TaskOutcome<Fit> outcome = outcomes.get(i).get(8, TimeUnit.MINUTES);
          assertThat(outcome.status())
              .as("fit %d: %s", i, outcome.error())
              .isEqualTo(TaskOutcome.Status.COMPLETED);
          assertThat(outcome.result().sameAs(alone.get(i)))
              .as("fit %d concurrent %s, alone %s", i, outcome.result(), alone.get(i))
              .isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(memory.reservedBytes()).isZero();
      assertThat(memory.stats().leaksReported()).isZero();
    }
  }

  private static AutoFeatProcessor processor(long seed) {
    return AutoFeatProcessor.builder()
        .featureEngineeringSteps(2)
        .featureSelectionRuns(3)
        .seed(seed)
        .build();
  }

  private static Fit result(AutoFeatModel model, Dataset.Split data) {
    return new Fit(
        model.features(), model.coefficients(), model.intercepts(), model.score(data.test()));
  }
}
