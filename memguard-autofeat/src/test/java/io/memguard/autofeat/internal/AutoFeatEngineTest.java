package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.math.Vectors;
import io.memguard.autofeat.internal.testdata.Datasets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AutoFeatEngineTest {

  private static final Expr X1 = Exprs.sym(0, "x1");
  private static final Expr X2 = Exprs.sym(1, "x2");
  private static final Expr X3 = Exprs.sym(2, "x3");

  private static FittedAutoFeat fit(EngineConfig cfg, Datasets.Table t) {
    return AutoFeatEngine.of(cfg).fit(t.names(), t.columns(), t.target());
  }

  private static double r2(double[] y, double[] pred) {
    double mean = Vectors.mean(y);
    double ssr = 0;
    double sst = 0;
    for (int i = 0; i < y.length; i++) {
      ssr += (y[i] - pred[i]) * (y[i] - pred[i]);
      sst += (y[i] - mean) * (y[i] - mean);
    }
    return 1 - ssr / sst;
  }

  private static double accuracy(double[] y, double[] pred) {
    int ok = 0;
    for (int i = 0; i < y.length; i++) {
      ok += y[i] == pred[i] ? 1 : 0;
    }
    return ok / (double) y.length;
  }

  /** Whether some selected feature is an affine copy of {@code term} on the training rows. */
  private static boolean hasEquivalent(FittedAutoFeat fit, Expr term, Datasets.Table train) {
    double[] t = ExprEvaluator.evaluate(term, train.columns(), train.rows());
    double tm = Vectors.mean(t);
    double ts = Vectors.std(t, tm);
    for (Expr f : fit.features()) {
      double[] v = ExprEvaluator.evaluate(f, train.columns(), train.rows());
      double vm = Vectors.mean(v);
      if (Math.abs(Vectors.correlation(v, vm, Vectors.std(v, vm), t, tm, ts)) > 0.99999) {
        return true;
      }
    }
    return false;
  }

  @Test
  void fit_synthetic3Steps_findsBothTermsAndTestR2Above0999() {
    Datasets.Split split = Datasets.synthetic();
    FittedAutoFeat fit =
        fit(EngineConfig.builder().featengSteps(3).featselRuns(5).build(), split.train());
    System.out.println("synthetic 3 steps: " + fit.featureNames() + " " + fit.report());
    assertThat(hasEquivalent(fit, Exprs.pow(Exprs.add(X2, Exprs.log(X1)), 3), split.train()))
        .isTrue();
    assertThat(
            hasEquivalent(
                fit, Exprs.reciprocal(Exprs.sub(X2, Exprs.reciprocal(X3))), split.train()))
        .isTrue();
    double r2 = r2(split.test().target(), fit.predictColumns(split.test().columns()));
    assertThat(r2).isGreaterThanOrEqualTo(0.999);
  }

  @Test
  void fit_diabetes2Steps_testR2AtLeast034() {
    Datasets.Split split = Datasets.diabetes();
    FittedAutoFeat fit = fit(EngineConfig.builder().featengSteps(2).build(), split.train());
    double r2 = r2(split.test().target(), fit.predictColumns(split.test().columns()));
    System.out.println("diabetes 2 steps: R2=" + r2 + " " + fit.featureNames());
    assertThat(r2).isGreaterThanOrEqualTo(0.34);
    assertThat(fit.report().candidates()).isEqualTo(617);
  }

  @Test
  void fit_sameSeed_identicalFeaturesAndModel() {
    Datasets.Table train = Datasets.diabetes().train();
    EngineConfig cfg = EngineConfig.builder().featengSteps(2).seed(42).build();
    FittedAutoFeat a = fit(cfg, train);
    FittedAutoFeat b = fit(cfg, train);
    FittedAutoFeat c =
        AutoFeatEngine.of(cfg.toBuilder().batchSize(7).build())
            .fit(
                train.names(),
                train.columns(),
                train.target(),
                new EngineHooks() {
                  @Override
                  public int nextBatchSize(
                      String phase, int step, int suggested, long bytesPerCandidate) {
                    return phase.equals("generate") ? 1 + step * 5 : suggested;
                  }
                });
    assertThat(b.featureNames()).isEqualTo(a.featureNames());
    assertThat(b.model().coefficients()[0]).containsExactly(a.model().coefficients()[0]);
    assertThat(c.featureNames()).isEqualTo(a.featureNames());
  }

  @Test
  void fit_binaryClassification_beatsLinearBaseline() {
    Datasets.Table all = Datasets.classification(1000, 2, 7);
    Datasets.Table train = all.rows(IntStream.range(0, 700).toArray());
    Datasets.Table test = all.rows(IntStream.range(700, 1000).toArray());
    FittedAutoFeat fit =
        fit(
            EngineConfig.builder().problem(TargetKind.CLASSIFICATION).featengSteps(2).build(),
            train);
    double acc = accuracy(test.target(), fit.predictColumns(test.columns()));
    double base = baselineAccuracy(train, test);
    System.out.println("binary: autofeat " + acc + " vs linear " + base + " " + fit.featureNames());
    assertThat(acc).isGreaterThan(0.85);
    assertThat(acc).isGreaterThan(base + 0.25);
  }

  @Test
  void fit_threeClasses_beatsLinearBaseline() {
    Datasets.Table all = Datasets.classification(1200, 3, 8);
    Datasets.Table train = all.rows(IntStream.range(0, 800).toArray());
    Datasets.Table test = all.rows(IntStream.range(800, 1200).toArray());
    FittedAutoFeat fit =
        fit(
            EngineConfig.builder().problem(TargetKind.CLASSIFICATION).featengSteps(2).build(),
            train);
    double acc = accuracy(test.target(), fit.predictColumns(test.columns()));
    double base = baselineAccuracy(train, test);
    System.out.println(
        "3 classes: autofeat " + acc + " vs linear " + base + " " + fit.featureNames());
    assertThat(fit.model().classes()).containsExactly(0, 1, 2);
    assertThat(acc).isGreaterThan(base + 0.15);
  }

  private static double baselineAccuracy(Datasets.Table train, Datasets.Table test) {
    LinearModel lin =
        L1Models.fitFinal(
            TargetKind.CLASSIFICATION,
            train.columns(),
            train.rows(),
            train.target(),
            PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    double[] pred = new double[test.rows()];
    for (int i = 0; i < test.rows(); i++) {
      double[] row = new double[test.columns().length];
      for (int j = 0; j < row.length; j++) {
        row[j] = test.columns()[j][i];
      }
      pred[i] = lin.predict(row);
    }
    return accuracy(test.target(), pred);
  }

  @Test
  void transform_nanInput_givesNanOnlyForFeaturesUsingThatColumn() {
    Datasets.Split split = Datasets.diabetes();
    FittedAutoFeat fit = fit(EngineConfig.builder().featengSteps(2).build(), split.train());
    double[][] rows = new double[3][];
    for (int i = 0; i < 3; i++) {
      rows[i] = new double[10];
      for (int j = 0; j < 10; j++) {
        rows[i][j] = split.test().columns()[j][i];
      }
    }
    int bmi = split.train().names().indexOf("bmi");
    rows[1][bmi] = Double.NaN;
    rows[2][bmi] = -5; // outside the training domain of log/sqrt features
    double[][] f = fit.transformRows(rows);
    for (int k = 0; k < fit.features().size(); k++) {
      boolean usesBmi = IntStream.of(fit.features().get(k).symbols()).anyMatch(s -> s == bmi);
      assertThat(Double.isNaN(f[1][k])).as(fit.featureNames().get(k)).isEqualTo(usesBmi);
      assertThat(Double.isNaN(f[0][k])).isFalse();
      assertThat(Double.isInfinite(f[2][k])).isFalse();
    }
    double[] pred = fit.predictRows(rows);
    assertThat(pred[0]).isFinite();
    double[][] cols = new double[10][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 10; j++) {
        cols[j][i] = rows[i][j];
      }
    }
    double[][] fc = fit.transformColumns(cols);
    for (int k = 0; k < fc.length; k++) {
      for (int i = 0; i < 3; i++) {
        assertThat(Double.compare(fc[k][i], f[i][k])).isZero();
      }
    }
    assertThat(fit.predictColumns(cols)[0]).isEqualTo(pred[0]);
  }

  @Test
  void fit_hooks_sizeBatchesSeeStatsAndProgress() {
    Datasets.Table train = Datasets.diabetes().train();
    List<BatchStats> stats = new ArrayList<>();
    List<String> phases = new ArrayList<>();
    double[] lastPercent = {0};
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            assertThat(bytesPerCandidate).isPositive();
            return phase.equals("generate") ? 40 : Math.min(suggested, 50);
          }

          @Override
          public void batchDone(BatchStats s) {
            stats.add(s);
          }

          @Override
          public void progress(
              String phase, int step, int batchIndex, int batchCount, double percent) {
            if (!phases.contains(phase)) {
              phases.add(phase);
            }
            if (phase.equals("generate")) {
              lastPercent[0] = percent;
            }
            throw new IllegalStateException("a broken listener must not break the fit");
          }
        };
    FittedAutoFeat fit =
        AutoFeatEngine.of(EngineConfig.builder().featengSteps(2).build())
            .fit(train.names(), train.columns(), train.target(), hooks);
    assertThat(fit.features()).isNotEmpty();
    assertThat(phases).containsExactly("generate", "filter", "select", "model");
    assertThat(lastPercent[0]).isEqualTo(100.0);
    assertThat(stats)
        .filteredOn(s -> s.phase().equals("generate"))
        .allSatisfy(s -> assertThat(s.tried()).isLessThanOrEqualTo(40));
    assertThat(stats)
        .filteredOn(s -> s.phase().equals("select"))
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.tried()).isLessThanOrEqualTo(50));
    long accepted =
        stats.stream()
            .filter(s -> s.phase().equals("generate"))
            .mapToLong(BatchStats::accepted)
            .sum();
    assertThat(accepted).isEqualTo(fit.report().kept());
  }

  @Test
  void fit_cancelled_propagatesTheHookException() {
    Datasets.Table train = Datasets.diabetes().train();
    int[] calls = {0};
    EngineHooks cancelAfter5 =
        new EngineHooks() {
          @Override
          public void checkCancelled() {
            if (++calls[0] > 5) {
              throw new IllegalStateException("cancelled by test");
            }
          }
        };
    assertThatThrownBy(
            () ->
                AutoFeatEngine.of(EngineConfig.builder().featengSteps(2).batchSize(50).build())
                    .fit(train.names(), train.columns(), train.target(), cancelAfter5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cancelled by test");
  }

  @Test
  void fit_lightweightOptions_stillFindTheTerms() {
    Datasets.Split split = Datasets.synthetic();
    EngineConfig cfg =
        EngineConfig.builder()
            .featengSteps(3)
            .precision(StoragePrecision.FLOAT)
            .selectionMaxRows(800)
            .selectionMaxChunkWidth(150)
            .build();
    FittedAutoFeat fit = fit(cfg, split.train());
    double r2 = r2(split.test().target(), fit.predictColumns(split.test().columns()));
    System.out.println(
        "lightweight synthetic 3 steps: R2=" + r2 + " " + fit.featureNames() + " " + fit.report());
    assertThat(r2).isGreaterThan(0.99);
    assertThat(fit.report().peakStoreBytes())
        .isLessThan(fit.report().kept() * split.train().rows() * Double.BYTES);
  }

  @Test
  void fit_noSelectionRuns_usesEveryCandidate() {
    Datasets.Table train = Datasets.synthetic().train();
    FittedAutoFeat fit = fit(EngineConfig.builder().featengSteps(1).featselRuns(0).build(), train);
    assertThat(fit.features()).hasSize(3 + fit.report().candidates());
  }

  @Test
  void fit_nonFiniteTrainingValue_throwsNamingTheColumn() {
    Datasets.Table train = Datasets.diabetes().train();
    double[][] cols = train.columns().clone();
    cols[2] = cols[2].clone();
    cols[2][17] = Double.NaN;
    assertThatThrownBy(
            () ->
                AutoFeatEngine.of(EngineConfig.ofDefaults())
                    .fit(train.names(), cols, train.target()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bmi")
        .hasMessageContaining("row 17");
  }

  @Test
  void symbols_sanitiseNamesLikeAutofeat() {
    assertThat(
            AutoFeatEngine.symbols(List.of("a b", "1x", "?!", "ab")).stream().map(Expr::toString))
        .containsExactly("ab", "x1x", "x002", "ab_3");
  }

  @Test
  void fit_recomputedLastStepOnASubsetOfRows_findsTheTermsWithATenthOfTheStore() {
    Datasets.Split split = Datasets.synthetic();
    FittedAutoFeat full = fit(EngineConfig.builder().featengSteps(3).build(), split.train());
    List<String> phases = new ArrayList<>();
    FittedAutoFeat light =
        AutoFeatEngine.of(
                EngineConfig.builder()
                    .featengSteps(3)
                    .precision(StoragePrecision.FLOAT)
                    .recomputeLastStep(true)
                    .searchMaxRows(600)
                    .selectionMaxChunkWidth(50)
                    .build())
            .fit(
                split.train().names(),
                split.train().columns(),
                split.train().target(),
                new EngineHooks() {
                  @Override
                  public void phaseStarted(String phase, long storeBytes) {
                    phases.add(phase);
                  }
                });
    double r2 = r2(split.test().target(), light.predictColumns(split.test().columns()));
    System.out.println(
        "recomputed, 600 rows: R2=" + r2 + " " + light.featureNames() + " " + light.report());
    assertThat(phases).containsExactly("generate", "select", "model", "done");
    assertThat(light.report().searchRows()).isEqualTo(600);
    assertThat(light.report().rows()).isEqualTo(split.train().rows());
    assertThat(hasEquivalent(light, Exprs.pow(Exprs.add(X2, Exprs.log(X1)), 3), split.train()))
        .isTrue();
    assertThat(r2).isGreaterThan(0.999);
    // about a twentieth of every kept column stored in double on all rows (2.15 of 51 MB); the
    // normal plan derives its last step from the stored parents, about a fifth (10.7 MB)
    long everyColumn = full.report().kept() * HeapBytes.doubles(split.train().rows());
    assertThat(light.report().peakStoreBytes()).isLessThan(everyColumn / 15);
    assertThat(full.report().peakStoreBytes()).isLessThan(everyColumn / 3);
  }

  @Test
  void fit_finalModelsValuesRefused_regressionFitsEveryFeatureFromSums() {
    List<String> refused = new ArrayList<>();
    RecordingHooks hooks =
        new RecordingHooks() {
          @Override
          public Lease reserve(String what, long bytes) {
            if (!what.startsWith("model:") || what.endsWith("from per-fold sums")) {
              return Lease.NONE;
            }
            return new Lease() {
              @Override
              public long bytes() {
                return 0;
              }

              @Override
              public void resize(long bytes) {
                throw new AssertionError("the model's values are refused: " + bytes);
              }

              @Override
              public boolean tryResize(long bytes) {
                refused.add(what);
                return false;
              }

              @Override
              public void close() {}
            };
          }
        };
    int features = assertEveryFeatureFromSums(hooks);
    assertThat(refused).hasSize(1);
    assertThat(hooks.decisions)
        .singleElement()
        .asString()
        .contains("the reservation of its " + features + " features' values");
  }

  @Test
  void fit_sizerHoldsOnlySomeFeaturesInMemory_regressionFitsEveryFeatureFromSums() {
    List<String> phases = new ArrayList<>();
    RecordingHooks hooks =
        new RecordingHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            if (phase.startsWith("model")) {
              phases.add(phase);
            }
            return phase.equals("model-in-memory") ? 3 : suggested;
          }
        };
    int features = assertEveryFeatureFromSums(hooks);
    assertThat(phases).containsExactly("model-in-memory", "model-sums");
    assertThat(hooks.decisions)
        .singleElement()
        .asString()
        .contains("the values of only 3 of its " + features + " features fit");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aPiGroupTheStoreCannotHold_isLeftOut_andTheFitCompletes(boolean floatStore) {
    SplittableRandom r = new SplittableRandom(9);
    int rows = 200;
    double[][] x = new double[3][rows];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      x[0][i] = 1e-20 * (1 + r.nextDouble());
      x[1][i] = 1e20 * (1 + r.nextDouble());
      x[2][i] = r.nextGaussian();
      y[i] = x[2][i] + 0.1 * r.nextGaussian();
    }
    // the group is far/near, about 1e40: a double holds it, a float does not
    EngineConfig config =
        EngineConfig.builder()
            .featengSteps(1)
            .precision(floatStore ? StoragePrecision.FLOAT : StoragePrecision.DOUBLE)
            .dimensions(
                java.util.Map.of(
                    "near",
                    io.memguard.autofeat.internal.units.Units.parse("mm"),
                    "far",
                    io.memguard.autofeat.internal.units.Units.parse("m")))
            .build();
    RecordingHooks hooks = new RecordingHooks();
    FittedAutoFeat fitted = AutoFeatEngine.of(config).fit(List.of("near", "far", "z"), x, y, hooks);
    assertThat(fitted.features()).isNotEmpty();
    assertThat(hooks.decisions)
        .anyMatch(
            d ->
                floatStore
                    ? d.startsWith("Pi theorem: 0 dimensionless start features []")
                        && d.contains("not finite or constant on the search rows: [far/near]")
                    : d.equals("Pi theorem: 1 dimensionless start features [far/near]"));
  }

  /** Engine hooks that record the engine's decisions. */
  private static class RecordingHooks implements EngineHooks {
    final List<String> decisions = new ArrayList<>();

    @Override
    public void decided(String decision) {
      decisions.add(decision);
    }
  }

  /**
   * Fits diabetes with 2 steps with {@code hooks} and without: the same features, the model from
   * the sums (said in one decision), the same predictions to the solvers' tolerance; returns the
   * number of features.
   */
  private static int assertEveryFeatureFromSums(RecordingHooks hooks) {
    Datasets.Table train = Datasets.diabetes().train();
    EngineConfig cfg = EngineConfig.builder().featengSteps(2).build();
    FittedAutoFeat all = fit(cfg, train);
    FittedAutoFeat fromSums =
        AutoFeatEngine.of(cfg).fit(train.names(), train.columns(), train.target(), hooks);
    assertThat(all.features()).hasSizeGreaterThan(3);
    assertThat(fromSums.featureNames()).isEqualTo(all.featureNames());
    assertThat(hooks.decisions)
        .singleElement()
        .asString()
        .startsWith("final model: from per-fold sums over blocks of rows");
    double[] a = all.predictColumns(train.columns());
    double[] b = fromSums.predictColumns(train.columns());
    for (int i = 0; i < a.length; i++) {
      assertThat(b[i]).isCloseTo(a[i], within(1e-3 * (1 + Math.abs(a[i]))));
    }
    return all.features().size();
  }

  @Test
  void fit_modelHookCapsTheFinalFeatures_aFewHundredRowsClassificationKeepsTheBestRanked() {
    Datasets.Table train = Datasets.classification(400, 3, 5);
    EngineConfig cfg =
        EngineConfig.builder().featengSteps(1).problem(TargetKind.CLASSIFICATION).build();
    FittedAutoFeat all = fit(cfg, train);
    FittedAutoFeat capped =
        AutoFeatEngine.of(cfg)
            .fit(train.names(), train.columns(), train.target(), capModelAt(train, 2));
    assertThat(all.features()).hasSizeGreaterThan(2);
    assertThat(capped.featureNames()).isEqualTo(all.featureNames().subList(0, 2));
  }

  /** Hooks whose model phase holds {@code cap} features. */
  private static EngineHooks capModelAt(Datasets.Table train, int cap) {
    return new EngineHooks() {
      @Override
      public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
        if (phase.equals("model")) {
          // a feature's values, its standardised copy and its share of the solver
          assertThat(bytesPerCandidate).isGreaterThan(2 * train.rows() * 8L);
          return cap;
        }
        return suggested;
      }
    };
  }

  @Test
  void fit_sizerHoldsOnlySomeFeaturesInMemory_classificationFitsEveryFeatureFromNewtonPasses() {
    Datasets.Table train = Datasets.classification(12_000, 2, 5);
    EngineConfig cfg =
        EngineConfig.builder().featengSteps(1).problem(TargetKind.CLASSIFICATION).build();
    List<String> phases = new ArrayList<>();
    RecordingHooks hooks =
        new RecordingHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            if (phase.startsWith("model")) {
              phases.add(phase);
            }
            return phase.equals("model-in-memory") ? 1 : suggested;
          }
        };
    FittedAutoFeat all = fit(cfg, train);
    FittedAutoFeat passes =
        AutoFeatEngine.of(cfg).fit(train.names(), train.columns(), train.target(), hooks);

    assertThat(phases).containsExactly("model-in-memory", "model-sums", "model-sample");
    assertThat(all.features()).hasSizeGreaterThan(1);
    assertThat(passes.featureNames()).isEqualTo(all.featureNames());
    assertThat(hooks.decisions).hasSize(2);
    assertThat(hooks.decisions.get(0))
        .startsWith("final model: from Newton passes over blocks of rows")
        .contains("the values of only 1 of its " + all.features().size() + " features fit");
    // the sizer grants every row to the sample: the passes start at the in-memory model's optimum
    assertThat(hooks.decisions.get(1)).contains("a sample of 12000 of the 12000 rows", "converged");
    double[] a = all.predictColumns(train.columns());
    double[] b = passes.predictColumns(train.columns());
    int differ = 0;
    for (int i = 0; i < a.length; i++) {
      differ += a[i] == b[i] ? 0 : 1;
    }
    assertThat(differ).isLessThanOrEqualTo(20);
  }

  @Test
  void survey_countsPerStepMatchAGenerationOnTheSameRows() {
    Datasets.Table train = Datasets.synthetic().train();
    GenerationSurvey s =
        AutoFeatEngine.of(
                EngineConfig.builder()
                    .featengSteps(3)
                    .precision(StoragePrecision.FLOAT)
                    .recomputeLastStep(true)
                    .searchMaxRows(64)
                    .build())
            .survey(train.names(), train.columns(), EngineHooks.NONE);
    System.out.println(s);
    assertThat(s.rows()).isEqualTo(64);
    assertThat(s.steps()).isEqualTo(3);
    long[] kept = s.keptPerStep();
    assertThat(kept[1] + kept[2] + kept[3]).isEqualTo(s.kept());
    assertThat(s.keptBeforeLastStep()).isEqualTo(kept[1] + kept[2]);
    assertThat(s.candidates()).isLessThanOrEqualTo((int) s.kept());
    // the counts barely depend on the rows: within 10% of the full generation (3952 kept, 2653
    // candidates)
    assertThat(s.kept()).isBetween(3600L, 4400L);
    // only building blocks of steps 1 and 2 are stored (64 rows of floats each, in slabs that may
    // have room left), plus the start features
    long values = (3 + s.keptBeforeLastStep()) * HeapBytes.floats(64);
    assertThat(s.peakStoreBytes())
        .isLessThanOrEqualTo(
            values
                + ColumnStore.slackBytes(StoragePrecision.FLOAT, 64, values)
                + 3 * HeapBytes.doubles(64));
  }

  @ParameterizedTest(name = "{0} steps")
  @ValueSource(ints = {1, 2, 3})
  void survey_upperBoundIsAboveEveryRealCount(int steps) {
    Datasets.Table train = Datasets.diabetes().train();
    GenerationSurvey real =
        AutoFeatEngine.of(EngineConfig.builder().featengSteps(steps).build())
            .survey(train.names(), train.columns(), EngineHooks.NONE);
    GenerationSurvey bound =
        GenerationSurvey.upperBound(
            train.columns().length, steps, EngineConfig.ofDefaults().transformations().size());
    assertThat(bound.proposed()).isGreaterThanOrEqualTo(real.proposed());
    assertThat(bound.kept()).isGreaterThanOrEqualTo(real.kept());
    assertThat(bound.candidates()).isGreaterThanOrEqualTo(real.candidates());
    assertThat(bound.keptBeforeLastStep()).isGreaterThanOrEqualTo(real.keptBeforeLastStep());
    for (int s = 1; s <= steps; s++) {
      assertThat(bound.keptPerStep()[s])
          .as("step %d", s)
          .isGreaterThanOrEqualTo(real.keptPerStep()[s]);
    }
  }

  /** With feature engineering from 3 of diabetes' 10 columns, the bound counts those 3 alone. */
  @ParameterizedTest(name = "steps {0}")
  @ValueSource(ints = {1, 2, 3})
  void survey_withFewerColumnsEngineered_staysBelowTheBoundOfThoseColumns(int steps) {
    Datasets.Table train = Datasets.diabetes().train();
    java.util.Set<String> engineered =
        new java.util.LinkedHashSet<>(
            List.of(train.names().get(0), train.names().get(2), train.names().get(8)));
    GenerationSurvey real =
        AutoFeatEngine.of(
                EngineConfig.builder().featengSteps(steps).featengColumns(engineered).build())
            .survey(train.names(), train.columns(), EngineHooks.NONE);
    GenerationSurvey bound =
        GenerationSurvey.upperBound(3, steps, EngineConfig.ofDefaults().transformations().size());
    assertThat(real.startFeatures()).isEqualTo(3);
    assertThat(bound.proposed()).isGreaterThanOrEqualTo(real.proposed());
    assertThat(bound.kept()).isGreaterThanOrEqualTo(real.kept());
    assertThat(bound.candidates()).isGreaterThanOrEqualTo(real.candidates());
    for (int s = 1; s <= steps; s++) {
      assertThat(bound.keptPerStep()[s])
          .as("step %d", s)
          .isGreaterThanOrEqualTo(real.keptPerStep()[s]);
    }
  }

  /**
   * The engine's side of "every byte reserved before it is allocated": every lease is closed by the
   * end of the fit, leases never go negative, and the bytes it holds at its peak cover what the
   * column store holds at any batch.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"regression", "classification"})
  void fit_leases_allClosedAndTheStoreNeverOutgrowsItsLease(String problem) {
    boolean classification = problem.equals("classification");
    Datasets.Table train = classification ? Datasets.iris().train() : Datasets.synthetic().train();
    List<long[]> open = new ArrayList<>();
    long[] held = new long[2];
    long[] storeLease = new long[1];
    List<String> failures = new ArrayList<>();
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public Lease reserve(String what, long bytes) {
            long[] lease = {bytes};
            boolean store = what.startsWith("column store");
            // one lock for every count: selection threads reserve while others resize and close
            synchronized (open) {
              open.add(lease);
              held[0] += bytes;
              held[1] = Math.max(held[1], held[0]);
              if (store) {
                storeLease[0] = bytes;
              }
            }
            return new Lease() {
              boolean closed;

              @Override
              public long bytes() {
                return lease[0];
              }

              @Override
              public void resize(long bytes) {
                synchronized (open) {
                  if (bytes < 0) {
                    failures.add(what + " resized to " + bytes);
                  }
                  held[0] += bytes - lease[0];
                  held[1] = Math.max(held[1], held[0]);
                  lease[0] = bytes;
                  if (store) {
                    storeLease[0] = bytes;
                  }
                }
              }

              @Override
              public void close() {
                synchronized (open) {
                  if (!closed) {
                    closed = true;
                    held[0] -= lease[0];
                    open.remove(lease);
                  }
                }
              }
            };
          }

          @Override
          public void batchDone(BatchStats stats) {
            synchronized (open) {
              if (stats.phase().equals("generate") && stats.storeBytes() > storeLease[0]) {
                failures.add(
                    "store holds " + stats.storeBytes() + " bytes, its lease " + storeLease[0]);
              }
            }
          }
        };
    EngineConfig cfg =
        EngineConfig.builder()
            .featengSteps(classification ? 2 : 3)
            .problem(classification ? TargetKind.CLASSIFICATION : TargetKind.REGRESSION)
            .selectionParallelism(2)
            .build();
    AutoFeatEngine.of(cfg).fit(train.names(), train.columns(), train.target(), hooks);
    assertThat(failures).isEmpty();
    assertThat(open).as("leases left open").isEmpty();
    assertThat(held[0]).isZero();
    assertThat(held[1]).isPositive();
  }

  @Test
  void predictColumns_manyRows_blockwiseEqualsRowByRow() {
    Datasets.Split split = Datasets.synthetic();
    FittedAutoFeat fit = fit(EngineConfig.builder().featengSteps(2).build(), split.train());
    int n = FittedAutoFeat.PREDICT_BLOCK * 2 + 17;
    SplittableRandom rnd = new SplittableRandom(3);
    double[][] cols = new double[3][n];
    double[][] rows = new double[n][3];
    for (int i = 0; i < n; i++) {
      rows[i][0] = cols[0][i] = rnd.nextDouble();
      rows[i][1] = cols[1][i] = rnd.nextGaussian();
      rows[i][2] = cols[2][i] = rnd.nextDouble();
    }
    assertThat(fit.predictColumns(cols)).containsExactly(fit.predictRows(rows));
    assertThat(fit.predictWorkBytes(n))
        .isLessThan(fit.predictWorkBytes(FittedAutoFeat.PREDICT_BLOCK) + 1)
        .isLessThan(64L * FittedAutoFeat.PREDICT_BLOCK * (fit.features().size() + 4));
  }
}
