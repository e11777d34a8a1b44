package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.memguard.core.CancellationToken;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Reservation;
import io.memguard.core.ReservationLeak;
import io.memguard.core.TaskRequest;
import io.memguard.core.TaskStoppedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AutoFeatProcessorTest {

  private static final AutoFeatProcessor SYNTHETIC_3 =
      AutoFeatProcessor.builder().featureEngineeringSteps(3).build();

  /** The normal synthetic fit, shared by the tests that compare against it (it takes ~2 s). */
  private static final class NormalSynthetic {
    static final List<String> FEATURES;
    static final double R2;
    static final long PEAK;
    static final FitReport REPORT;

    static {
      Dataset.Split split = TestData.synthetic();
      try (MemoryManager memory = manager(MemorySize.ofMebibytes(512));
          MemoryScope scope = memory.openScope("normal");
          AutoFeatModel model = SYNTHETIC_3.fit(scope, split.train())) {
        FEATURES = model.features();
        R2 = model.score(split.test());
        PEAK = model.report().peakReservedBytes();
        REPORT = model.report();
      }
    }
  }

  private static MemoryManager manager(MemorySize budget) {
    return MemoryManager.builder().limit(budget).build();
  }

  /** Whether some feature of {@code model} is an affine copy of {@code term} on {@code data}. */
  private static boolean hasEquivalent(
      List<String> features, double[] term, Dataset data, AutoFeatModel model) {
    double[][] values = model.transform(data);
    for (int k = 0; k < features.size(); k++) {
      if (Math.abs(correlation(values[k], term)) > 0.99999) {
        return true;
      }
    }
    return false;
  }

  private static double correlation(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  private static double[] cubeTerm(Dataset d) {
    double[] x1 = d.column("x1");
    double[] x2 = d.column("x2");
    double[] t = new double[d.rows()];
    for (int i = 0; i < t.length; i++) {
      t[i] = Math.pow(x2[i] + Math.log(x1[i]), 3);
    }
    return t;
  }

  private static double[] reciprocalTerm(Dataset d) {
    double[] x2 = d.column("x2");
    double[] x3 = d.column("x3");
    double[] t = new double[d.rows()];
    for (int i = 0; i < t.length; i++) {
      t[i] = 1 / (x2[i] - 1 / x3[i]);
    }
    return t;
  }

  // ---- results through the public API ----------------------------------------------------------

  @Test
  void fit_synthetic3Steps_findsBothTermsTestR2Above0999AndReleasesAllButTheModel() {
    Dataset.Split split = TestData.synthetic();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(512));
        MemoryScope scope = memory.openScope("train")) {
      AutoFeatModel model = SYNTHETIC_3.fit(scope, split.train());
      assertThat(hasEquivalent(model.features(), cubeTerm(split.train()), split.train(), model))
          .as("(x2 + log(x1))^3 in %s", model.features())
          .isTrue();
      assertThat(
              hasEquivalent(model.features(), reciprocalTerm(split.train()), split.train(), model))
          .as("1/(x2 - 1/x3) in %s", model.features())
          .isTrue();
      assertThat(model.score(split.test())).isGreaterThanOrEqualTo(0.999);

      FitReport r = model.report();
      assertThat(r.completed()).isTrue();
      assertThat(r.lightweight()).isFalse();
      assertThat(r.phases())
          .extracting(PhaseReport::phase)
          .containsExactly(FitPhase.PLAN, FitPhase.GENERATE, FitPhase.SELECT, FitPhase.MODEL);
      assertThat(r.candidatesComputed()).isGreaterThanOrEqualTo(r.candidatesAccepted());
      assertThat(r.candidatesAccepted()).isGreaterThanOrEqualTo(r.candidatesGenerated());
      assertThat(r.candidatesGenerated()).isGreaterThan(2000);
      assertThat(r.featuresSelected()).isEqualTo(model.features().size());
      assertThat(r.batchCount(FitPhase.GENERATE)).isPositive();
      assertThat(r.batchCount(FitPhase.SELECT)).isPositive();
      assertThat(r.batches()).allSatisfy(b -> assertThat(b.decision()).isNotBlank());
      // the roomy budget lets every run's initial selection fit take all columns, as autofeat's
      assertThat(r.plan().initialFitAll()).isTrue();
      // the first run to be sized records it: with two runs at once that may be run 2 (CI saw it)
      assertThat(r.decisions())
          .anyMatch(d -> d.matches("select run \\d+: initial L1 fit on all .*"));
      // the plan predicts one selection run at a time; with room to spare, runs share the cores
      assertThat(r.peakReservedBytes())
          .isGreaterThan(r.plan().predictedPeakBytes() / 2)
          .isLessThanOrEqualTo(r.plan().usableBytes());
      // the allocator logged every size decision
      assertThat(memory.allocator().decisions()).isNotEmpty();

      // after fit, only the model's own bytes are reserved, in the caller's scope
      assertThat(scope.children()).isEmpty();
      assertThat(memory.reservedBytes())
          .isEqualTo(model.reservedBytes())
          .isPositive()
          .isLessThan(64 * 1024);
      model.close();
      model.close();
      assertThat(memory.reservedBytes()).isZero();
      assertThatThrownBy(() -> model.predict(split.test()))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void fit_diabetes2Steps_testR2AtLeast034() {
    Dataset.Split split = TestData.diabetes();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel model = AutoFeatProcessor.ofDefaults().fit(scope, split.train())) {
      assertThat(model.score(split.test())).isGreaterThanOrEqualTo(0.34);
      assertThat(model.report().candidatesGenerated()).isEqualTo(617);
    }
  }

  @Test
  void fit_threeClasses_beatsALinearModelOnTheRawColumns() {
    Dataset all = TestData.classification(1200, 3, 8);
    Dataset train = TestData.range(all, 0, 800);
    Dataset test = TestData.range(all, 800, 1200);
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .problemType(ProblemType.CLASSIFICATION)
                .build()
                .fit(scope, train);
        AutoFeatModel linear =
            AutoFeatProcessor.builder()
                .problemType(ProblemType.CLASSIFICATION)
                .featureEngineeringSteps(0)
                .featureSelectionRuns(0)
                .build()
                .fit(scope, train)) {
      assertThat(model.classes()).containsExactly(0, 1, 2);
      assertThat(model.score(test)).isGreaterThan(linear.score(test) + 0.15);
    }
  }

  @Test
  void fit_sameSeed_sameFeaturesAndCoefficients() {
    Dataset train = TestData.diabetes().train();
    AutoFeatProcessor p = AutoFeatProcessor.builder().seed(42).build();
    AutoFeatProcessor light =
        AutoFeatProcessor.builder().seed(42).lightweight(LightweightPolicy.ALWAYS).build();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel a = p.fit(scope, train);
        AutoFeatModel b = p.fit(scope, train);
        AutoFeatModel c = light.fit(scope, train);
        AutoFeatModel d = light.fit(scope, train)) {
      assertThat(b.features()).isEqualTo(a.features());
      assertThat(b.coefficients()[0]).containsExactly(a.coefficients()[0]);
      assertThat(c.report().lightweight()).isTrue();
      assertThat(d.features()).isEqualTo(c.features());
      assertThat(d.coefficients()[0]).containsExactly(c.coefficients()[0]);
    }
  }

  // ---- lightweight mode -------------------------------------------------------------------------

  // the normal peak includes the initial selection fits on all columns (116 MiB; 54 MiB without),
  // so
  // a twentieth is also a tenth of the normal plan with screened initial fits
  @ParameterizedTest(name = "1/{0} of the normal peak")
  @ValueSource(ints = {10, 20})
  void fit_fractionOfTheNormalPeak_completesLightweightWithinBudgetAndR2Within001(int divisor) {
    Dataset.Split split = TestData.synthetic();
    long budget = NormalSynthetic.PEAK / divisor;
    List<LightweightEvent> events = new ArrayList<>();
    AutoFeatProcessor p =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(3)
            .listener(
                new FitListener() {
                  @Override
                  public void onLightweight(LightweightEvent event) {
                    events.add(event);
                  }
                })
            .build();
    try (MemoryManager memory = manager(MemorySize.ofBytes(budget));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel model = p.fit(scope, split.train())) {
      FitReport r = model.report();
      System.out.printf(
          "normal peak %s, budget %s, lightweight peak %s, R2 %.6f vs %.6f, %s %s%n",
          MemorySize.format(NormalSynthetic.PEAK),
          MemorySize.format(budget),
          MemorySize.format(r.peakReservedBytes()),
          model.score(split.test()),
          NormalSynthetic.R2,
          r.plan().describe(),
          model.features());
      assertThat(r.lightweight()).isTrue();
      assertThat(r.lightweightReason()).contains("normal plan needs");
      assertThat(r.plan().floatStorage()).isTrue();
      if (divisor >= 20) {
        // a tenth still searches on all rows (float, chunks <= 50); a twentieth needs fewer rows
        assertThat(r.plan().searchRows()).isLessThan(split.train().rows());
      }
      assertThat(events)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.phase()).isEqualTo(FitPhase.PLAN);
                assertThat(e.plan()).isEqualTo(r.plan());
              });
      assertThat(r.peakReservedBytes()).isLessThanOrEqualTo(budget);
      assertThat(memory.peakReservedBytes()).isLessThanOrEqualTo(budget);
      assertThat(model.score(split.test())).isCloseTo(NormalSynthetic.R2, within(0.01));
    }
  }

  @Test
  void fit_criticalPressureDuringGeneration_switchesToLightweightAndStillReturnsAModel() {
    Dataset.Split split = TestData.synthetic();
    double[] utilization = {0.1};
    AtomicReference<LightweightEvent> event = new AtomicReference<>();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(512))) {
      memory.addPressureSource(pressureSource(utilization));
      AutoFeatProcessor p =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(3)
              .listener(
                  new FitListener() {
                    @Override
                    public void onBatch(BatchReport b) {
                      if (b.phase() == FitPhase.GENERATE && b.step() == 3 && b.index() == 1) {
                        utilization[0] = 0.92; // someone else filled the heap
                        memory.refreshPressure();
                      }
                    }

                    @Override
                    public void onLightweight(LightweightEvent e) {
                      event.set(e);
                    }
                  })
              .build();
      try (MemoryScope scope = memory.openScope("train");
          AutoFeatModel model = p.fit(scope, split.train())) {
        FitReport r = model.report();
        assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
        assertThat(r.lightweight()).isTrue();
        assertThat(r.lightweightReason()).contains("CRITICAL", "GENERATE step 3");
        assertThat(event.get().phase()).isEqualTo(FitPhase.GENERATE);
        assertThat(r.phases())
            .extracting(PhaseReport::phase)
            .containsExactly(
                FitPhase.PLAN,
                FitPhase.GENERATE,
                FitPhase.GENERATE,
                FitPhase.SELECT,
                FitPhase.MODEL);
        assertThat(r.batches())
            .filteredOn(b -> b.phase() == FitPhase.SELECT)
            .allSatisfy(b -> assertThat(b.pressure()).isEqualTo(PressureLevel.CRITICAL));
        assertThat(model.score(split.test())).isGreaterThan(0.99);
        assertThat(scope.children()).isEmpty();
      }
    }
  }

  /** A pressure source that reports {@code utilization[0]}, which the test changes. */
  private static io.memguard.core.PressureSource pressureSource(double[] utilization) {
    return new io.memguard.core.PressureSource() {
      @Override
      public String name() {
        return "test";
      }

      @Override
      public double utilization() {
        return utilization[0];
      }
    };
  }

  @Test
  void fit_criticalPressureInShadowMode_recordsTheSwitchItWouldMake_andStaysNormal() {
    Dataset.Split split = TestData.synthetic();
    double[] utilization = {0.1};
    AtomicReference<LightweightEvent> event = new AtomicReference<>();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(512))) {
      memory
          .rollout()
          .set(
              io.memguard.core.Protection.AUTOFEAT_LIGHTWEIGHT,
              io.memguard.core.ProtectionMode.OBSERVE,
              "shadow first");
      memory.addPressureSource(pressureSource(utilization));
      AutoFeatProcessor p =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(3)
              .listener(
                  new FitListener() {
                    @Override
                    public void onBatch(BatchReport b) {
                      if (b.phase() == FitPhase.GENERATE && b.step() == 3 && b.index() == 1) {
                        utilization[0] = 0.92;
                        memory.refreshPressure();
                      }
                    }

                    @Override
                    public void onLightweight(LightweightEvent e) {
                      event.set(e);
                    }
                  })
              .build();
      try (MemoryScope scope = memory.openScope("train");
          AutoFeatModel model = p.fit(scope, split.train())) {
        assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
        assertThat(model.report().lightweight()).isFalse();
        assertThat(event.get()).isNull();
        assertThat(memory.rollout().decisions())
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.mode()).isEqualTo(io.memguard.core.ProtectionMode.OBSERVE);
                  assertThat(d.key()).isEqualTo("root/train/autofeat-fit");
                  assertThat(d.action())
                      .startsWith("switch to the lightweight plan: the pressure level reached")
                      .contains("GENERATE step 3");
                  assertThat(d.outcome())
                      .as("what followed: the fit completed without the switch")
                      .isEqualTo(io.memguard.core.Rollout.Outcome.COMPLETED);
                });
      }
    }
  }

  @Test
  void fit_elevatedPressure_halvesTheBatches() {
    Dataset train = TestData.diabetes().train();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train")) {
      memory.addPressureSource(
          new io.memguard.core.PressureSource() {
            @Override
            public String name() {
              return "test";
            }

            @Override
            public double utilization() {
              return 0.85;
            }
          });
      memory.refreshPressure();
      try (AutoFeatModel model = AutoFeatProcessor.ofDefaults().fit(scope, train)) {
        assertThat(model.report().batches())
            .filteredOn(b -> b.phase() == FitPhase.GENERATE)
            .isNotEmpty()
            .allSatisfy(
                b -> {
                  assertThat(b.pressure()).isEqualTo(PressureLevel.ELEVATED);
                  assertThat(b.size()).isLessThanOrEqualTo(128);
                  assertThat(b.decision()).contains("pressure ELEVATED");
                });
        assertThat(model.report().lightweight()).isFalse();
      }
    }
  }

  @Test
  void fit_policyAlways_runsLightweightOnAllRowsWhenTheyFit() {
    Dataset train = TestData.diabetes().train();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .lightweight(LightweightPolicy.ALWAYS)
                .build()
                .fit(scope, train)) {
      FitReport r = model.report();
      assertThat(r.lightweight()).isTrue();
      assertThat(r.lightweightReason()).contains("ALWAYS");
      assertThat(r.plan().searchRows()).isEqualTo(train.rows());
      assertThat(r.plan().recomputeLastStep()).isTrue();
    }
  }

  @Test
  void fit_lightweightPlanRefusedMidSelection_restartsOnFewerRowsAndCompletes() {
    Dataset train = TestData.synthetic().train();
    List<LightweightEvent> events = new CopyOnWriteArrayList<>();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    // the budget is what is under test: without the live-heap line, whose reading of this shared
    // test JVM's heap (other tests' garbage since the last collection) once refused the hog itself
    try (MemoryManager memory =
            MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).noLiveHeapLimit().build();
        MemoryScope scope = memory.openScope("train");
        MemoryScope other = memory.openScope("other")) {
      memory.addLeakListener(leaks::add);
      AtomicReference<Reservation> hog = new AtomicReference<>();
      AutoFeatProcessor p =
          AutoFeatProcessor.builder()
              .lightweight(LightweightPolicy.ALWAYS)
              .parallelism(2) // the refusal needs two runs' fits at once, whatever the machine
              .listener(
                  new FitListener() {
                    @Override
                    public void onLightweight(LightweightEvent event) {
                      events.add(event);
                    }
                  })
              .faultInjector(
                  (phase, step, batch) -> {
                    if (phase == FitPhase.SELECT && hog.get() == null) {
                      // while the fit selects, another task takes all there is below
                      // CRITICAL but a sixteenth of the plan's predicted peak: less than this
                      // plan needs beside what it holds, room for a plan on fewer rows
                      long belowCritical =
                          (long) (memory.budgetBytes() * memory.pressureThresholds()[1])
                              - memory.reservedBytes();
                      long leave = events.get(0).plan().predictedPeakBytes() / 16;
                      hog.set(other.reserve(belowCritical - leave));
                    }
                  })
              .build();
      try (AutoFeatModel model = p.fit(scope, train)) {
        FitReport r = model.report();
        assertThat(r.completed()).isTrue();
        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.get(0).plan().searchRows()).isEqualTo(train.rows());
        LightweightEvent shrunk = events.get(events.size() - 1);
        assertThat(shrunk.phase()).isEqualTo(FitPhase.SELECT);
        assertThat(shrunk.reason()).contains("is available").contains("made room for less");
        assertThat(shrunk.plan().searchRows()).isLessThan(train.rows());
        assertThat(r.plan()).isEqualTo(shrunk.plan());
      } finally {
        if (hog.get() != null) {
          hog.get().close();
        }
      }
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void fit_policyNeverWithASmallBudget_failsAtOnceNamingTheNormalPlan() {
    Dataset train = TestData.synthetic().train();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(8));
        MemoryScope scope = memory.openScope("train")) {
      assertThatThrownBy(
              () ->
                  AutoFeatProcessor.builder()
                      .featureEngineeringSteps(3)
                      .lightweight(LightweightPolicy.NEVER)
                      .build()
                      .fit(scope, train))
          .isInstanceOf(InsufficientMemoryException.class)
          .hasMessageContaining("root/train/autofeat-fit")
          .hasMessageContaining("normal plan")
          .hasMessageContaining("NEVER")
          .satisfies(
              e ->
                  assertThat(((InsufficientMemoryException) e).neededBytes())
                      .isGreaterThan(((InsufficientMemoryException) e).availableBytes()));
      assertThat(memory.reservedBytes()).isZero();
      assertThat(scope.children()).isEmpty();
    }
  }

  @Test
  void fit_modelReservedInCallersScopeBeforeTheSearch_thenSizedToTheModel() {
    Dataset train = TestData.synthetic().train();
    List<Long> heldDuringSearch = new CopyOnWriteArrayList<>();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train")) {
      AutoFeatProcessor p =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(2)
              .listener(
                  new FitListener() {
                    @Override
                    public void onBatch(BatchReport batch) {
                      heldDuringSearch.add(scope.liveReservations());
                    }
                  })
              .build();
      try (AutoFeatModel model = p.fit(scope, train)) {
        assertThat(heldDuringSearch).isNotEmpty().containsOnly(1L);
        assertThat(scope.liveReservations()).isEqualTo(1);
        assertThat(scope.children()).isEmpty();
        assertThat(scope.reservedBytes())
            .isEqualTo(model.reservedBytes())
            .isEqualTo(AutoFeatModel.estimateBytes(model.fitted()));
      }
      assertThat(scope.reservedBytes()).isZero();
    }
  }

  @Test
  void fit_refusedAroundTheSmallestPlan_alwaysSaysItNeedsMoreThanIsAvailable() {
    Dataset train = TestData.synthetic().train();
    long smallest;
    try (MemoryManager memory = manager(MemorySize.ofKibibytes(64));
        MemoryScope scope = memory.openScope("train")) {
      smallest =
          catchThrowableOfType(
                  () -> SYNTHETIC_3.fit(scope, train), InsufficientMemoryException.class)
              .neededBytes();
    }
    int refused = 0;
    for (int percent = 50; percent <= 150; percent += 10) {
      try (MemoryManager memory = manager(MemorySize.ofBytes(smallest * percent / 100));
          MemoryScope scope = memory.openScope("train")) {
        try (AutoFeatModel model = SYNTHETIC_3.fit(scope, train)) {
          assertThat(model.report().peakReservedBytes()).isPositive();
        } catch (InsufficientMemoryException e) {
          refused++;
          assertThat(e.neededBytes())
              .as("%d%%: %s", percent, e.getMessage())
              .isGreaterThan(e.availableBytes());
        }
      }
    }
    assertThat(refused).isPositive();
  }

  /** y = 2 x1^2 + 3 x2 x3 - x3 + noise on {@code n} rows, x in [-3, 3). */
  private static Dataset manyRows(int n, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double[][] x = new double[3][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        x[j][i] = r.nextDouble(-3, 3);
      }
      y[i] = 2 * x[0][i] * x[0][i] + 3 * x[1][i] * x[2][i] - x[2][i];
      y[i] += 0.1 * r.nextGaussian();
    }
    return Dataset.of(List.of("x1", "x2", "x3"), x, y);
  }

  @Test
  void fit_noPlanFitsWithTheFinalModelInMemory_fitsItFromPerFoldSums_noLeak() {
    int n = 60_000;
    Dataset train = manyRows(n, 1);
    Dataset test = manyRows(5_000, 2);
    long inMemory = new MemoryPlanner(n, 3, null, ProblemType.REGRESSION).minimalBytes();
    long budget = inMemory * 6 / 10;
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(2).featureSelectionRuns(2).build();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory = manager(MemorySize.ofBytes(budget));
        MemoryScope scope = memory.openScope("train")) {
      memory.addLeakListener(leaks::add);
      try (AutoFeatModel model = processor.fit(scope, train)) {
        assertThat(model.report().decisions())
            .anyMatch(d -> d.startsWith("final model: from per-fold sums over blocks of rows"));
        assertThat(model.report().peakReservedBytes()).isLessThanOrEqualTo(budget);
        // the normal fit in 512 MiB scores 0.99992 (x3, x1^2, x2*x3), as this one does
        assertThat(model.score(test)).isGreaterThan(0.999);
      }
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void fit_noPlanFitsWithAClassifiersFinalModelInMemory_fitsItFromNewtonPasses_noLeak() {
    int n = 40_000;
    Dataset train = TestData.classification(n, 2, 3);
    Dataset test = TestData.classification(10_000, 2, 4);
    long inMemory = new MemoryPlanner(n, 3, null, ProblemType.CLASSIFICATION).minimalBytes();
    long budget = inMemory * 9 / 10;
    AutoFeatProcessor classifier =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(2)
            .featureSelectionRuns(2)
            .problemType(ProblemType.CLASSIFICATION)
            .build();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory = manager(MemorySize.ofBytes(budget));
        MemoryScope scope = memory.openScope("train")) {
      memory.addLeakListener(leaks::add);
      try (AutoFeatModel model = classifier.fit(scope, train)) {
        assertThat(model.report().decisions())
            .anyMatch(d -> d.startsWith("final model: from Newton passes over blocks of rows"))
            .anyMatch(d -> d.contains("Newton passes over all of them (converged)"));
        assertThat(model.report().peakReservedBytes()).isLessThanOrEqualTo(budget);
        // the normal fit in 512 MiB scores 0.9703 (labels from the sign of x1 x2, 5% of them
        // random: at most 97.5% can be right)
        assertThat(model.score(test)).isGreaterThan(0.96);
      }
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void fit_budgetTooSmallForAnyPlan_failsBeforeReservingAnythingSayingHowMuchItNeeds() {
    Dataset train = TestData.synthetic().train();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory = manager(MemorySize.ofKibibytes(64));
        MemoryScope scope = memory.openScope("train")) {
      memory.addLeakListener(leaks::add);
      assertThatThrownBy(() -> SYNTHETIC_3.fit(scope, train))
          .isInstanceOfSatisfying(
              InsufficientMemoryException.class,
              e -> {
                assertThat(e.scopePath()).isEqualTo("root/train/autofeat-fit");
                assertThat(e.neededBytes()).isGreaterThan(100_000);
                assertThat(e.availableBytes()).isLessThan(64 * 1024);
                assertThat(e.getMessage())
                    .contains("needs", "is available", "more memory")
                    .contains("steps (now 3), fewer input columns (now 3), or fit on fewer rows");
              });
      assertThat(memory.peakReservedBytes()).isZero();
      assertThat(scope.children()).isEmpty();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void fit_fewRowsAndBudgetTooSmall_adviceNamesStepsAndColumnsNotRows() {
    // on fewer rows than the search's floor every plan searches all of them: fewer rows would not
    // help, the candidates take the memory
    Dataset train = TestData.synthetic().train().rows(IntStream.range(0, 60).toArray());
    try (MemoryManager memory = manager(MemorySize.ofKibibytes(64));
        MemoryScope scope = memory.openScope("train")) {
      assertThatThrownBy(() -> SYNTHETIC_3.fit(scope, train))
          .isInstanceOfSatisfying(
              InsufficientMemoryException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains(
                          "use fewer feature-engineering steps (now 3) or fewer input columns")
                      .doesNotContain("fewer rows"));
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void fit_smallDataWithOrWithoutAPilot_sameSelectionAndModel() {
    // a roomy budget skips the pilot (even the bound on what generation can make fits many times
    // over), a tight one runs it; either way selection's initial fits take all columns, as
    // autofeat's do, where there are few enough per row: the heap must not change the model. Six
    // inputs on 120 rows: the bound on what two steps can make (1,176 columns) is more than 10 per
    // run row (102 rows), the candidates generation really makes are not
    int n = 120;
    SplittableRandom random = new SplittableRandom(7);
    double[][] x = new double[6][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      for (double[] column : x) {
        column[i] = Math.exp(random.nextGaussian() * 0.5);
      }
      y[i] = x[0][i] * x[1][i] * x[1][i] / x[2][i] + 0.1 * random.nextGaussian();
    }
    Dataset train = Dataset.of(List.of("a", "b", "c", "d", "e", "f"), x, y);
    AutoFeatProcessor twoSteps = AutoFeatProcessor.builder().featureEngineeringSteps(2).build();
    List<List<String>> features = new ArrayList<>();
    for (MemorySize budget : List.of(MemorySize.ofMebibytes(512), MemorySize.ofMebibytes(8))) {
      try (MemoryManager memory = manager(budget);
          MemoryScope scope = memory.openScope("train");
          AutoFeatModel model = twoSteps.fit(scope, train)) {
        FitReport r = model.report();
        assertThat(r.plan().lightweight()).as("%s", budget).isFalse();
        assertThat(r.plan().initialFitAll()).as("%s", budget).isTrue();
        features.add(model.features());
        assertThat(r.decisions())
            .as("%s", budget)
            .anyMatch(
                d -> d.startsWith(budget.toBytes() > 100 << 20 ? "no pilot:" : "pilot on 64 rows"));
      }
    }
    assertThat(features.get(0)).isEqualTo(features.get(1));
  }

  /**
   * 1,600 rows, but the pilot works on 64 rows whatever the data has (600 KiB), and the cheapest
   * plan already searches on 100 of them (2 MiB): the candidates take the memory, so fewer rows
   * would not help.
   */
  @ParameterizedTest
  @CsvSource({
    "600, 'for its pilot (feature generation on 64 rows'",
    "2048, 'cheapest lightweight plan (lightweight: float, 100 of 1600 rows'"
  })
  void fit_refusedWhereFewerRowsCannotHelp_adviceDoesNotNameRows(int budgetKib, String refused) {
    Dataset train = TestData.synthetic().train();
    try (MemoryManager memory = manager(MemorySize.ofKibibytes(budgetKib));
        MemoryScope scope = memory.openScope("train")) {
      assertThatThrownBy(() -> SYNTHETIC_3.fit(scope, train))
          .isInstanceOfSatisfying(
              InsufficientMemoryException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains(refused)
                      .contains(
                          "use fewer feature-engineering steps (now 3) or fewer input columns"
                              + " (now 3).")
                      .doesNotContain("fewer rows"));
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1600, 2800})
  void fit_budgetTooSmallForTheLightweightPlan_failsBeforeTheFitAllocatesSayingHowMuch(int kib) {
    Dataset train = TestData.synthetic().train();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory = manager(MemorySize.ofKibibytes(kib));
        MemoryScope scope = memory.openScope("train")) {
      memory.addLeakListener(leaks::add);
      assertThatThrownBy(() -> SYNTHETIC_3.fit(scope, train))
          .isInstanceOfSatisfying(
              InsufficientMemoryException.class,
              e -> {
                System.out.println(kib + " KiB: " + e.getMessage());
                assertThat(e.plan()).containsAnyOf("pilot", "lightweight");
                assertThat(e.neededBytes()).isGreaterThan(e.availableBytes());
              });
      // only the pilot ever reserved anything, and it released it
      assertThat(memory.reservedBytes()).isZero();
      assertThat(scope.children()).isEmpty();
    }
    assertThat(leaks).isEmpty();
  }

  // ---- failures, cancellation ------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(FitPhase.class)
  void fit_exceptionInjectedMidBatch_leavesZeroBytesReservedNoScopesAndNoLeak(FitPhase at) {
    Dataset train = TestData.diabetes().train();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    AtomicReference<FitReport> partial = new AtomicReference<>();
    AutoFeatProcessor p =
        AutoFeatProcessor.builder()
            // with 2 steps diabetes is small enough to be planned without a pilot; 3 steps need one
            .featureEngineeringSteps(at == FitPhase.PLAN ? 3 : 2)
            .listener(
                new FitListener() {
                  @Override
                  public void onFailed(FitReport report, RuntimeException failure) {
                    partial.set(report);
                  }
                })
            .faultInjector(
                (phase, step, batch) -> {
                  int wantStep = at == FitPhase.MODEL ? 0 : 2;
                  int wantBatch = at == FitPhase.PLAN || at == FitPhase.GENERATE ? 1 : 0;
                  if (phase == at && step == wantStep && batch == wantBatch) {
                    throw new IllegalStateException(
                        "injected at " + phase + " " + step + "/" + batch);
                  }
                })
            .build();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train")) {
      memory.addLeakListener(leaks::add);
      int scopesBefore = memory.openScopeCount();
      assertThatThrownBy(() -> p.fit(scope, train))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("injected at " + at);
      assertThat(memory.reservedBytes()).isZero();
      assertThat(scope.reservedBytes()).isZero();
      assertThat(scope.children()).isEmpty();
      assertThat(memory.openScopeCount()).isEqualTo(scopesBefore);
      assertThat(partial.get().completed()).isFalse();
      assertThat(partial.get().stoppedAt()).contains(at.name());
      assertThat(partial.get().peakReservedBytes()).isPositive();
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void fit_cancelledBetweenBatches_stopsSayingWhereAndReleasesEverything() {
    Dataset train = TestData.diabetes().train();
    CancellationToken token = new CancellationToken();
    AutoFeatProcessor p =
        AutoFeatProcessor.builder()
            .maxBatchSize(100)
            .cancellation(token)
            .listener(
                new FitListener() {
                  @Override
                  public void onProgress(FitProgress progress) {
                    if (progress.phase() == FitPhase.GENERATE
                        && progress.step() == 2
                        && progress.batch() == 3) {
                      token.cancel("emergency guard: heap at 96%");
                    }
                  }
                })
            .build();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256));
        MemoryScope scope = memory.openScope("train")) {
      assertThatThrownBy(() -> p.fit(scope, train))
          .isInstanceOfSatisfying(
              TaskStoppedException.class,
              e -> {
                assertThat(e.reason()).isEqualTo("emergency guard: heap at 96%");
                assertThat(e.where())
                    .contains(
                        "root/train/autofeat-fit", "GENERATE step 2 of 2", "after batch 3 of");
              });
      assertThat(memory.reservedBytes()).isZero();
      assertThat(scope.children()).isEmpty();
    }
  }

  static java.util.stream.Stream<Throwable> listenerFailures() {
    return java.util.stream.Stream.of(
        new IllegalStateException("broken listener"),
        new AssertionError("a listener's assertion"),
        new java.io.IOException("a checked exception from a Kotlin listener"));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("listenerFailures")
  void fit_listenerThatThrows_isIgnoredAndTheFitCompletes(Throwable failure) {
    Dataset train = TestData.diabetes().train();
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    AutoFeatProcessor p =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(1)
            .listener(
                new FitListener() {
                  @Override
                  public void onProgress(FitProgress progress) {
                    calls.incrementAndGet();
                    sneakyThrow(failure);
                  }

                  @Override
                  public void onBatch(BatchReport batch) {
                    calls.incrementAndGet();
                    sneakyThrow(failure);
                  }

                  @Override
                  public void onFinished(FitReport report) {
                    calls.incrementAndGet();
                    sneakyThrow(failure);
                  }
                })
            .build();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(64));
        MemoryScope scope = memory.openScope("train");
        AutoFeatModel model = p.fit(scope, train)) {
      assertThat(model.features()).isNotEmpty();
      assertThat(calls).hasValueGreaterThan(2);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  // ---- grants, registry, model memory -----------------------------------------------------------

  @Test
  void fit_withAGrant_sizesFromTheGrantAndStopsOnItsToken() throws InterruptedException {
    Dataset train = TestData.diabetes().train();
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(256))) {
      try (Grant grant =
          memory
              .allocator()
              .acquire(
                  TaskRequest.named("autofeat")
                      .minBytes(8 << 20)
                      .desiredBytes(64 << 20)
                      .timeout(Duration.ofSeconds(1)))) {
        AutoFeatModel model = AutoFeatProcessor.ofDefaults().fit(grant, train);
        assertThat(grant.scope().reservedBytes()).isEqualTo(model.reservedBytes());
        assertThat(model.report().peakReservedBytes()).isLessThanOrEqualTo(64 << 20);
        model.close();

        AutoFeatProcessor stopping =
            AutoFeatProcessor.builder()
                .listener(
                    new FitListener() {
                      @Override
                      public void onBatch(BatchReport batch) {
                        grant.cancellation().cancel("guard");
                      }
                    })
                .build();
        assertThatThrownBy(() -> stopping.fit(grant, train))
            .isInstanceOf(TaskStoppedException.class)
            .hasMessageContaining("guard");
        assertThat(grant.scope().reservedBytes()).isZero();
      }
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void model_leftOpenWhenItsScopeCloses_isReleasedAndReportedAsALeak() {
    Dataset train = TestData.diabetes().train();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    AutoFeatModel model;
    long modelBytes;
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(64))) {
      memory.addLeakListener(leaks::add);
      try (MemoryScope scope = memory.openScope("train")) {
        model = AutoFeatProcessor.builder().featureEngineeringSteps(1).build().fit(scope, train);
        modelBytes = model.reservedBytes();
      }
      assertThat(memory.reservedBytes()).isZero();
    }
    assertThat(leaks)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.bytes()).isEqualTo(modelBytes).isPositive();
              assertThat(l.scopePath()).isEqualTo("root/train");
            });
    assertThat(model.reservedBytes()).isZero();
  }

  @Test
  void registry_fiftyModelsFittedAndDropped_noneStaysReachable() throws InterruptedException {
    Dataset train = TestData.range(TestData.synthetic().train(), 0, 200);
    try (MemoryManager memory = manager(MemorySize.ofMebibytes(64));
        ModelRegistry registry = ModelRegistry.of(memory, "autofeat-models");
        MemoryScope scope = memory.openScope("train")) {
      List<FitReport> reports = new ArrayList<>();
      AutoFeatProcessor p =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(1)
              .featureSelectionRuns(1)
              .registry(registry)
              .listener(
                  new FitListener() {
                    @Override
                    public void onFinished(FitReport report) {
                      reports.add(report); // reports are values: holding them must not hold models
                    }
                  })
              .build();
      for (int i = 0; i < 50; i++) {
        try (AutoFeatModel model = p.fit(scope, train)) {
          assertThat(model.features()).isNotEmpty();
        }
      }
      assertThat(registry.registeredCount()).isEqualTo(50);
      assertThat(reports).hasSize(50);
      assertThat(memory.weakRegistries()).hasSize(1);
      for (int i = 0; i < 50 && registry.liveCount() > 0; i++) {
        System.gc(); // tests may; main code never does
        Thread.sleep(20);
      }
      assertThat(registry.liveCount()).isZero();
      assertThat(registry.collectedCount()).isEqualTo(50);
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void processor_rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> AutoFeatProcessor.builder().transformations("log", "cube"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cube'")
        .hasMessageContaining("^3");
    assertThatThrownBy(() -> AutoFeatProcessor.builder().featureEngineeringSteps(-1))
        .hasMessageContaining("featureEngineeringSteps");
    assertThatThrownBy(() -> AutoFeatProcessor.builder().name("a/b")).hasMessageContaining("'a/b'");
  }
}
