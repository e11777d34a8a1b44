package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memguard.autofeat.internal.testdata.Datasets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class L1ModelsTest {

  private static double[][] gaussian(int p, int m, SplittableRandom rnd) {
    double[][] x = new double[p][m];
    for (double[] c : x) {
      for (int i = 0; i < m; i++) {
        c[i] = rnd.nextGaussian();
      }
    }
    return x;
  }

  /**
   * Iris: the one-vs-rest fit of virginica saturates on some folds, an intercept step overflows,
   * and step-halving must land back on the old point, not on 0 * infinity: the intercept was NaN,
   * so virginica was never predicted (test accuracy 0.63 on the four raw columns instead of 1.0).
   */
  @Test
  void fitFinal_iris_finiteInterceptsAndEveryClassPredicted() {
    Datasets.Split iris = Datasets.iris();
    Datasets.Table train = iris.train();
    LinearModel model =
        L1Models.fitFinal(
            TargetKind.CLASSIFICATION,
            train.columns(),
            train.rows(),
            train.target(),
            PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    assertThat(java.util.Arrays.stream(model.intercepts()).allMatch(Double::isFinite))
        .as("intercepts %s", java.util.Arrays.toString(model.intercepts()))
        .isTrue();
    Datasets.Table test = iris.test();
    int correct = 0;
    for (int i = 0; i < test.rows(); i++) {
      double[] row = new double[test.columns().length];
      for (int j = 0; j < row.length; j++) {
        row[j] = test.columns()[j][i];
      }
      correct += model.predict(row) == test.target()[i] ? 1 : 0;
    }
    assertThat(correct / (double) test.rows()).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void kfold_matchesSklearnSizes() {
    KFold k = new KFold(11, 5);
    assertThat(k.end(0) - k.start(0)).isEqualTo(3);
    assertThat(k.end(1) - k.start(1)).isEqualTo(2);
    assertThat(k.end(4)).isEqualTo(11);
  }

  /**
   * (m, p) pairs chosen to run every code path of both solvers: for coordinate descent covariance
   * updates with cached inner products (200 x 60), a full inner-product cache forcing exact passes
   * and a strong set beyond the Gram cap forcing per-coordinate residual updates (40 x 300), and
   * many rows with few columns (1000 x 5); for the homotopy a cache that columns must leave and a
   * full cache forcing passes over the columns (40 x 300, 60 x 400). The homotopy is exact,
   * coordinate descent within its tolerance.
   */
  @ParameterizedTest
  @CsvSource({
    "1, 200, 60, COORDINATE_DESCENT",
    "2, 200, 60, COORDINATE_DESCENT",
    "3, 40, 300, COORDINATE_DESCENT",
    "4, 60, 400, COORDINATE_DESCENT",
    "5, 1000, 5, COORDINATE_DESCENT",
    "1, 200, 60, LARS",
    "2, 200, 60, LARS",
    "3, 40, 300, LARS",
    "4, 60, 400, LARS",
    "5, 1000, 5, LARS"
  })
  void lasso_solutionSatisfiesOptimalityConditions(
      long seed, int m, int p, PathOptions.Solver solver) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] x = gaussian(p, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = 2 * x[0][i] - 1.5 * x[3][i] + 0.5 * x[4][i] + rnd.nextGaussian();
    }
    PathOptions options =
        seed == 1
            ? PathOptions.forSelection()
            : new PathOptions(5, 100, 1e-3, 1e-9, 5000, 0, 1.0, 0.0);
    boolean exact = solver == PathOptions.Solver.LARS;
    LassoCv.Result r =
        exact
            ? LarsLassoCv.fit(x, m, y, options.withSolver(solver, 500))
            : LassoCv.fit(x, m, y, options);
    double a = r.alpha();
    double slack = exact ? 1e-9 : 2e-2;
    double[] res = new double[m];
    for (int i = 0; i < m; i++) {
      double pred = r.intercept();
      for (int j = 0; j < p; j++) {
        pred += r.coef()[j] * x[j][i];
      }
      res[i] = y[i] - pred;
    }
    double sumRes = 0;
    for (double v : res) {
      sumRes += v;
    }
    assertThat(sumRes / m).isCloseTo(0, within(1e-8));
    for (int j = 0; j < p; j++) {
      double mean = 0;
      for (int i = 0; i < m; i++) {
        mean += x[j][i];
      }
      mean /= m;
      double g = 0;
      for (int i = 0; i < m; i++) {
        g += (x[j][i] - mean) * res[i];
      }
      g /= m;
      if (r.coef()[j] == 0) {
        assertThat(Math.abs(g)).isLessThanOrEqualTo(a * (1 + Math.min(slack, 1e-3)));
      } else {
        assertThat(g).isCloseTo(a * Math.signum(r.coef()[j]), within(a * slack));
      }
    }
    if (m >= 200) {
      assertThat(r.coef()[0]).isCloseTo(2, within(0.25));
      assertThat(r.coef()[3]).isCloseTo(-1.5, within(0.25));
    }
  }

  @Test
  void lasso_fullGridAndEarlyStop_chooseTheSamePenaltyHere() {
    SplittableRandom rnd = new SplittableRandom(5);
    int m = 150;
    double[][] x = gaussian(30, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = x[1][i] - x[2][i] + 0.3 * rnd.nextGaussian();
    }
    PathOptions patienceOnly = new PathOptions(5, 100, 1e-3, 1e-7, 1000, 10, 1.0, 0.0);
    LassoCv.Result early = LassoCv.fit(x, m, y, patienceOnly);
    LassoCv.Result full =
        LassoCv.fit(x, m, y, new PathOptions(5, 100, 1e-3, 1e-7, 1000, 0, 1.0, 0.0));
    assertThat(full.pathLength()).isEqualTo(100);
    assertThat(early.pathLength()).isLessThanOrEqualTo(100);
    assertThat(early.alphaIndex()).isEqualTo(full.alphaIndex());
    assertThat(early.coef()).containsExactly(full.coef(), within(1e-9));
  }

  @Test
  void finalRegression_unscaledColumns_recoversCoefficients() {
    SplittableRandom rnd = new SplittableRandom(9);
    int m = 300;
    double[][] x = gaussian(4, m, rnd);
    for (int i = 0; i < m; i++) {
      x[0][i] *= 1000;
      x[1][i] = x[1][i] * 0.001 + 5;
    }
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = 3 + 0.002 * x[0][i] + 400 * x[1][i] + 1e-4 * rnd.nextGaussian();
    }
    LinearModel model =
        L1Models.fitFinal(TargetKind.REGRESSION, x, m, y, PathOptions.forFinalModel());
    double[][] c = model.coefficients();
    assertThat(c[0][0]).isCloseTo(0.002, within(1e-5));
    assertThat(c[0][1]).isCloseTo(400, within(1.0));
    assertThat(model.predict(new double[] {1000, 5, 0, 0})).isCloseTo(3 + 2 + 2000, within(0.05));
  }

  @Test
  void logistic_binary_separatesAndIsDeterministic() {
    SplittableRandom rnd = new SplittableRandom(11);
    int m = 400;
    double[][] x = gaussian(10, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      double eta = 2 * x[0][i] - 2 * x[1][i] - 1;
      y[i] = rnd.nextDouble() < LogisticCv.sigmoid(eta) ? 1 : 0;
    }
    LinearModel a =
        L1Models.fitFinal(
            TargetKind.CLASSIFICATION,
            x,
            m,
            y,
            PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    LinearModel b =
        L1Models.fitFinal(
            TargetKind.CLASSIFICATION,
            x,
            m,
            y,
            PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    assertThat(a.coefficients()[0]).containsExactly(b.coefficients()[0]);
    assertThat(a.coefficients()[0][0]).isGreaterThan(1.0);
    assertThat(a.coefficients()[0][1]).isLessThan(-1.0);
    int correct = 0;
    for (int i = 0; i < m; i++) {
      double[] row = new double[10];
      for (int j = 0; j < 10; j++) {
        row[j] = x[j][i];
      }
      correct += a.predict(row) == y[i] ? 1 : 0;
    }
    assertThat(correct / (double) m).isGreaterThan(0.75);
    double[] w =
        L1Models.absoluteWeights(
            TargetKind.CLASSIFICATION,
            x,
            m,
            y,
            PathOptions.forSelection(TargetKind.CLASSIFICATION));
    assertThat(w[0]).isGreaterThan(w[5]);
  }

  @Test
  void logistic_multiclassOneVsRest_predictsLabels() {
    SplittableRandom rnd = new SplittableRandom(12);
    int m = 450;
    double[][] x = gaussian(3, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = x[0][i] < -0.5 ? 7 : (x[0][i] < 0.5 ? 8 : 9);
    }
    LinearModel model =
        L1Models.fitFinal(
            TargetKind.CLASSIFICATION,
            x,
            m,
            y,
            PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    assertThat(model.classes()).containsExactly(7, 8, 9);
    assertThat(model.predict(new double[] {-2, 0, 0})).isEqualTo(7);
    assertThat(model.predict(new double[] {2, 0, 0})).isEqualTo(9);
    assertThat(model.predict(new double[] {Double.NaN, 0, 0})).isNaN();
    double[] p = model.predictProba(new double[] {0, 0, 0});
    assertThat(p[0] + p[1] + p[2]).isCloseTo(1, within(1e-12));
  }

  @ParameterizedTest(name = "{0} distinct labels")
  @CsvSource({"1", "254", "255", "256", "257", "5000"})
  void classes_fewOrManyLabels_sortedDistinctAsDoubleCompare(int labels) {
    // every label appears, in a shuffled order, so 255 labels plus -0.0 and NaN cross the switch
    // from the sorted array to the hash set at 256 distinct labels
    int m = 4 * labels + 50;
    double[] y = new double[m + 7];
    for (int i = 0; i < m - 3; i++) {
      y[i] = i % labels - labels / 2;
    }
    SplittableRandom rnd = new SplittableRandom(labels);
    for (int i = m - 4; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      double t = y[i];
      y[i] = y[k];
      y[k] = t;
    }
    // signed zeros are two labels and all NaNs one, as Double.compare has them
    y[m - 3] = -0.0;
    y[m - 2] = Double.NaN;
    y[m - 1] = Double.longBitsToDouble(0x7ff8000000000001L);
    // values past m are not labels
    java.util.Arrays.fill(y, m, y.length, 1e9);
    java.util.TreeSet<Double> expected = new java.util.TreeSet<>();
    for (int i = 0; i < m; i++) {
      expected.add(y[i]);
    }
    double[] classes = L1Models.classes(y, m);
    assertThat(classes).hasSize(expected.size());
    int k = 0;
    for (double e : expected) {
      assertThat(Double.compare(classes[k++], e)).isZero();
    }
  }

  @org.junit.jupiter.api.Test
  void classes_everyRowItsOwnLabel_sortedDistinct() {
    // more labels than a table smaller than a copy of the target holds: the sorted copy takes over
    int m = 10_000;
    double[] y = new double[m];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < m; i++) {
      y[i] = (m - i) * 0.5 + (rnd.nextBoolean() ? 0 : 1e-3);
    }
    y[17] = y[4_000];
    java.util.TreeSet<Double> expected = new java.util.TreeSet<>();
    for (double v : y) {
      expected.add(v);
    }
    assertThat(L1Models.classes(y, m))
        .containsExactly(expected.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
