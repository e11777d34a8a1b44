package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.ReservationLeak;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamFitTest {

  @TempDir Path dir;

  /** y = 2 x1^2 + 3 log(x2) - x3 / x1 + noise, x in [0.5, 3). */
  static Path synthetic(Path file, int rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("x1,x2,x3,y\n");
    for (int i = 0; i < rows; i++) {
      double x1 = r.nextDouble(0.5, 3);
      double x2 = r.nextDouble(0.5, 3);
      double x3 = r.nextDouble(0.5, 3);
      double y = 2 * x1 * x1 + 3 * Math.log(x2) - x3 / x1 + 0.1 * r.nextGaussian();
      sb.append(x1)
          .append(',')
          .append(x2)
          .append(',')
          .append(x3)
          .append(',')
          .append(y)
          .append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aRegressionFit_searchesASample_andFitsTheFinalModelOnEveryRow() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 30_000, 1);
    Path testFile = synthetic(dir.resolve("test.csv"), 2_000, 2);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(2).maxSampleRows(4_000).build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y");
        AutoFeatModel model = processor.fit(scope, source)) {
      FitRows rows = model.rows();
      assertThat(rows.sourceRows()).isEqualTo(30_000);
      assertThat(rows.sampleRows()).isEqualTo(4_000);
      assertThat(rows.finalModelRows()).isEqualTo(30_000);
      assertThat(rows.skippedRows()).isZero();
      assertThat(model.report().rows()).isEqualTo(4_000);
      assertThat(model.report().decisions())
          .anyMatch(d -> d.startsWith("stream: a seeded reservoir sample of 4000 of 30000 rows"))
          .anyMatch(d -> d.startsWith("final model: refitted on all 30000 rows"));
      assertThat(model.score(Dataset.fromCsv(testFile, "y"))).isGreaterThan(0.99);
      assertThat(scope.reservedBytes()).isEqualTo(model.reservedBytes()).isPositive();

      // the streamed pass's model is the in-memory final model on every row, same features
      Dataset all = Dataset.fromCsv(file, "y");
      double[][] features = model.transform(all);
      LinearModel inMemory =
          L1Models.fitFinal(
              TargetKind.REGRESSION,
              features,
              all.rows(),
              all.target(),
              PathOptions.forFinalModel(TargetKind.REGRESSION));
      // Both descend to 1e-9 of the target's variance; on correlated features that leaves the
      // coefficients a little apart, so compare what they predict: the same, to 1e-3 of sd(y).
      double[] streamed = model.predict(all);
      double[] want = inMemory.coefficients()[0];
      double ss = 0;
      for (int i = 0; i < all.rows(); i++) {
        double p = inMemory.intercepts()[0];
        for (int k = 0; k < want.length; k++) {
          p += want[k] * features[k][i];
        }
        ss += (streamed[i] - p) * (streamed[i] - p);
      }
      assertThat(Math.sqrt(ss / all.rows())).isLessThan(1e-3 * sd(all.target()));
    }
  }

  @Test
  void aSourceReadInPart_isFittedOnItsRemainingRows_inBothPasses() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 6_000, 3);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(1).maxSampleRows(1_000).build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y")) {
      Dataset head = source.next(2_500);
      assertThat(head.rows()).isEqualTo(2_500);
      try (AutoFeatModel model = processor.fit(scope, source)) {
        assertThat(model.rows().sourceRows()).isEqualTo(3_500);
        assertThat(model.rows().finalModelRows()).isEqualTo(3_500);
        assertThat(model.report().decisions())
            .anyMatch(d -> d.startsWith("final model: refitted on all 3500 rows"));
      }
    }
  }

  @Test
  void aBlockBoundOfMillionsOfRows_allocatesForTheRowsThatCome() throws IOException {
    Path file = synthetic(dir.resolve("small.csv"), 3, 4);
    try (CsvSource source = CsvSource.open(file, "y")) {
      Dataset block = source.next(Integer.MAX_VALUE);
      assertThat(block.rows()).isEqualTo(3);
      assertThat(source.next(Integer.MAX_VALUE)).isNull();
    }
  }

  /** A 1-step streamed fit on 1,000 sampled rows that runs {@code action} when its search ends. */
  private static AutoFeatProcessor afterTheSearch(Runnable action) {
    return AutoFeatProcessor.builder()
        .featureEngineeringSteps(1)
        .maxSampleRows(1_000)
        .listener(
            new FitListener() {
              @Override
              public void onFinished(FitReport report) {
                action.run();
              }
            })
        .build();
  }

  @Test
  void aFailureAfterTheSearch_releasesTheSearchedModel_noLeak() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 6_000, 3);
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    AutoFeatProcessor processor =
        afterTheSearch(
            () -> {
              // the file shrinks between the search and the final model's pass over it
              try {
                synthetic(file, 500, 4);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y")) {
      memory.addLeakListener(leaks::add);
      assertThatThrownBy(() -> processor.fit(scope, source))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("changed between the passes");
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void theFinalModelsReservationRefused_isTheFitsInsufficientMemory_noLeak() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 6_000, 5);
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    AtomicReference<MemoryScope> fitScope = new AtomicReference<>();
    AtomicReference<Reservation> hog = new AtomicReference<>();
    AutoFeatProcessor processor =
        afterTheSearch(
            () -> {
              // another task takes what the scope has left between the search and the pass
              MemoryScope scope = fitScope.get();
              hog.set(scope.reserve(scope.availableBytes()));
            });
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y")) {
      memory.addLeakListener(leaks::add);
      fitScope.set(scope);
      assertThatThrownBy(() -> processor.fit(scope, source))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("autofeat fit in '" + scope.path() + "'")
          .hasMessageContaining("streamed fit of " + source.sourceName())
          .hasCauseInstanceOf(MemoryBudgetExceededException.class)
          .satisfies(
              e -> {
                InsufficientMemoryException refused = (InsufficientMemoryException) e;
                assertThat(refused.scopePath()).isEqualTo(scope.path());
                assertThat(refused.neededBytes()).isGreaterThan(refused.availableBytes());
              });
      assertThat(scope.reservedBytes()).isEqualTo(hog.get().bytes());
      hog.get().close();
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void aSmallScope_samplesFewerRows() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 20_000, 3);
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit", MemorySize.ofMebibytes(12));
        CsvSource source = CsvSource.open(file, "y");
        AutoFeatModel model =
            AutoFeatProcessor.builder().featureEngineeringSteps(1).build().fit(scope, source)) {
      long expected = (12L << 20) / StreamFit.SAMPLE_SHARE / 32;
      assertThat(model.rows().sampleRows()).isBetween(expected / 2, expected);
      assertThat(model.rows().finalModelRows()).isEqualTo(20_000);
    }
  }

  /** Three classes (1, 2, 3) by the largest of x1 x2, 3 log(x3) + 1 and 2.2, each with noise. */
  static Path classes(Path file, int rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("x1,x2,x3,y\n");
    for (int i = 0; i < rows; i++) {
      double x1 = r.nextDouble(0.5, 3);
      double x2 = r.nextDouble(0.5, 3);
      double x3 = r.nextDouble(0.5, 3);
      double[] score = {x1 * x2, 3 * Math.log(x3) + 1, 2.2};
      int best = 0;
      for (int k = 0; k < 3; k++) {
        score[k] += 0.3 * r.nextGaussian();
        best = score[k] > score[best] ? k : best;
      }
      sb.append(x1).append(',').append(x2).append(',').append(x3).append(',').append(best + 1);
      sb.append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aClassifierFit_searchesASample_andRefitsTheFinalModelOnEveryRow() throws IOException {
    Path file = classes(dir.resolve("train.csv"), 20_000, 6);
    Dataset test = Dataset.fromCsv(classes(dir.resolve("test.csv"), 5_000, 7), "y");
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .problemType(ProblemType.CLASSIFICATION)
            .featureEngineeringSteps(1)
            .maxSampleRows(1_000)
            .build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y");
        AutoFeatModel model = processor.fit(scope, source)) {
      FitRows rows = model.rows();
      assertThat(rows.sampleRows()).isEqualTo(1_000);
      assertThat(rows.finalModelRows()).isEqualTo(20_000);
      assertThat(model.report().decisions())
          .anyMatch(d -> d.startsWith("final model: refitted on all 20000 rows in "));
      assertThat(scope.reservedBytes()).isEqualTo(model.reservedBytes()).isPositive();
      assertThat(model.score(test)).isGreaterThan(0.8);
    }
  }

  @Test
  void aReader_keepsTheSamplesFinalModel_andSaysWhy() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 3_000, 4);
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.of(Files.newBufferedReader(file), "y", "train (a reader)");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .maxSampleRows(1_000)
                .build()
                .fit(scope, source)) {
      assertThat(model.rows().finalModelRows()).isEqualTo(1_000);
      assertThat(model.report().decisions())
          .anyMatch(d -> d.contains("the source is a reader, which cannot be read twice"));
    }
  }

  @Test
  void aSearchThatRunsOutOfMemory_isRetriedOnASeededHalfOfTheSample() throws IOException {
    Path file = synthetic(dir.resolve("train.csv"), 12_000, 5);
    int[] failures = {1};
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(1)
            .maxSampleRows(2_000)
            .faultInjector(
                (phase, step, batch) -> {
                  if (failures[0] > 0) {
                    failures[0]--;
                    throw new InsufficientMemoryException(
                        "test", 100, 10, "an injected plan", "nothing to do");
                  }
                })
            .build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(file, "y");
        AutoFeatModel model = processor.fit(scope, source)) {
      assertThat(model.rows().sampleRows()).isEqualTo(1_000);
      assertThat(model.rows().finalModelRows()).isEqualTo(12_000);
      assertThat(model.report().decisions())
          .anyMatch(d -> d.startsWith("search: not enough memory on 2000 rows"))
          .anyMatch(d -> d.contains("searched again on a seeded half, 1000 rows"));
      assertThat(scope.reservedBytes()).isEqualTo(model.reservedBytes()).isPositive();
    }
  }

  private static double sd(double[] v) {
    double mean = 0;
    for (double x : v) {
      mean += x / v.length;
    }
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return Math.sqrt(ss / v.length);
  }
}
