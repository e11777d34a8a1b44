package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LarsLassoCvTest {

  private static final PathOptions FULL_GRID =
      new PathOptions(5, 60, 1e-3, 1e-13, 100_000, 0, 1.0, 0.0);
  private static final PathOptions LARS = FULL_GRID.withSolver(PathOptions.Solver.LARS, 5000);

  /**
   * Columns in pairs with correlation about 0.95, so the homotopy has columns to drop and re-admit.
   */
  private static double[][] correlatedPairs(int p, int m, SplittableRandom rnd) {
    double[][] x = new double[p][m];
    for (int j = 0; j < p; j++) {
      for (int i = 0; i < m; i++) {
        x[j][i] = j % 2 == 1 ? 0.95 * x[j - 1][i] + 0.3 * rnd.nextGaussian() : rnd.nextGaussian();
      }
    }
    return x;
  }

  private static double[] target(double[][] x, int m, double noise, SplittableRandom rnd) {
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = 2 * x[0][i] - x[1][i] + 0.5 * x[4][i] * x[4][i] + x[7][i] + noise * rnd.nextGaussian();
    }
    return y;
  }

  /**
   * max over columns of |gradient| - penalty (inactive) or |gradient - sign * penalty| (active),
   * over the penalty.
   */
  private static double optimalityGap(double[][] x, int m, double[] y, LassoCv.Result r) {
    double[] res = new double[m];
    for (int i = 0; i < m; i++) {
      double pred = r.intercept();
      for (int j = 0; j < x.length; j++) {
        pred += r.coef()[j] * x[j][i];
      }
      res[i] = y[i] - pred;
    }
    double gap = Math.abs(Arrays.stream(res).sum() / m);
    for (int j = 0; j < x.length; j++) {
      double mean = Arrays.stream(x[j], 0, m).sum() / m;
      double g = 0;
      for (int i = 0; i < m; i++) {
        g += (x[j][i] - mean) * res[i];
      }
      g /= m;
      double c = r.coef()[j];
      gap =
          Math.max(
              gap, c == 0 ? Math.abs(g) - r.alpha() : Math.abs(g - Math.signum(c) * r.alpha()));
    }
    return gap / r.alpha();
  }

  @ParameterizedTest
  @CsvSource({"1, 200, 30", "2, 300, 12", "3, 160, 100"})
  void matchesCoordinateDescentOnTheSameGrid(long seed, int m, int p) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] x = correlatedPairs(p, m, rnd);
    double[] y = target(x, m, 1.0, rnd);

    LassoCv.Result cd = LassoCv.fit(x, m, y, FULL_GRID);
    LassoCv.Result lars = LarsLassoCv.fit(x, m, y, LARS);

    assertThat(lars.alphaIndex()).isEqualTo(cd.alphaIndex());
    assertThat(lars.alpha()).isEqualTo(cd.alpha());
    assertThat(lars.cvMse()).isCloseTo(cd.cvMse(), within(1e-6 * cd.cvMse()));
    assertThat(lars.coef()).containsExactly(cd.coef(), within(1e-5));
    assertThat(lars.intercept()).isCloseTo(cd.intercept(), within(1e-6));
  }

  /**
   * Small penalties on many correlated columns, more columns than rows: columns enter and leave
   * many times, and the solution at the chosen penalty is still exact. 60 x 200 fills the
   * inner-product cache with active columns; at 40 x 120 the Cholesky factors grow into the cache's
   * budget and push active columns out of it.
   */
  @ParameterizedTest
  @CsvSource({"4, 60, 200", "5, 80, 80", "6, 400, 150", "7, 40, 120"})
  void solutionIsExactAfterManyEntriesAndExits(long seed, int m, int p) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] x = correlatedPairs(p, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < 20; j++) {
        y[i] += (j % 3 - 1) * x[j][i] + 0.3 * x[j][i];
      }
      y[i] += 0.01 * rnd.nextGaussian();
    }
    PathOptions deep =
        new PathOptions(5, 100, 1e-6, 1e-7, 1000, 0, 1.0, 0.0)
            .withSolver(PathOptions.Solver.LARS, 5000);

    LassoCv.Result r = LarsLassoCv.fit(x, m, y, deep);

    assertThat(Arrays.stream(r.coef()).filter(c -> c != 0).count()).isGreaterThan(10);
    assertThat(optimalityGap(x, m, y, r)).isLessThan(1e-8);
  }

  @Test
  void duplicateColumn_neverEntersBesideItsTwin() {
    SplittableRandom rnd = new SplittableRandom(7);
    int m = 150;
    double[][] x = correlatedPairs(10, m, rnd);
    x[9] = x[0].clone();
    double[] y = target(x, m, 0.1, rnd);

    LassoCv.Result r = LarsLassoCv.fit(x, m, y, LARS);

    assertThat(r.coef()[0] == 0 || r.coef()[9] == 0).isTrue();
    assertThat(r.coef()[0] + r.coef()[9]).isGreaterThan(1.0);
    assertThat(optimalityGap(x, m, y, r)).isLessThan(1e-8);
  }

  @Test
  void nonFiniteValue_isRejectedWithTheNumbers() {
    SplittableRandom rnd = new SplittableRandom(12);
    int m = 50;
    double[][] x = correlatedPairs(8, m, rnd);
    double[] y = target(x, m, 0.1, rnd);
    x[2][7] = Double.NaN;

    assertThatThrownBy(() -> LarsLassoCv.fit(x, m, y, LARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite")
        .hasMessageContaining("50 rows and 8 columns");
  }

  @Test
  void maxSteps_boundsTheActiveSet() {
    SplittableRandom rnd = new SplittableRandom(8);
    int m = 200;
    double[][] x = correlatedPairs(20, m, rnd);
    double[] y = target(x, m, 0.1, rnd);

    LassoCv.Result r = LarsLassoCv.fit(x, m, y, LARS.withSolver(PathOptions.Solver.LARS, 3));

    assertThat(Arrays.stream(r.coef()).filter(c -> c != 0).count()).isBetween(1L, 3L);
  }

  @Test
  void cvRiseStop_endsAPathHeadingForInterpolation() {
    SplittableRandom rnd = new SplittableRandom(9);
    int m = 60;
    double[][] x = correlatedPairs(120, m, rnd);
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = x[0][i] + rnd.nextGaussian();
    }
    PathOptions noStop =
        new PathOptions(5, 100, 1e-2, 1e-7, 1000, 0, 1.0, 0.0)
            .withSolver(PathOptions.Solver.LARS, 500);

    LassoCv.Result whole = LarsLassoCv.fit(x, m, y, noStop);
    LassoCv.Result stopped = LarsLassoCv.fit(x, m, y, noStop.withMaxCvRise(0.1));

    assertThat(whole.pathLength()).isEqualTo(100);
    assertThat(stopped.pathLength()).isLessThan(whole.pathLength());
    assertThat(stopped.alphaIndex()).isEqualTo(whole.alphaIndex());
    assertThat(stopped.coef()).containsExactly(whole.coef(), within(1e-12));
  }

  @Test
  void constantTarget_orNoColumns_givesTheMean() {
    int m = 50;
    double[][] x = correlatedPairs(4, m, new SplittableRandom(10));
    double[] y = new double[m];
    Arrays.fill(y, 3.5);

    LassoCv.Result constant = LarsLassoCv.fit(x, m, y, LARS);
    LassoCv.Result none = LarsLassoCv.fit(new double[0][], m, y, LARS);

    assertThat(constant.coef()).containsOnly(0.0);
    assertThat(constant.intercept()).isEqualTo(3.5);
    assertThat(none.coef()).isEmpty();
    assertThat(none.intercept()).isEqualTo(3.5);
  }

  @Test
  void rejectsFewerThanTwoRows() {
    assertThatThrownBy(() -> LarsLassoCv.fit(new double[1][1], 1, new double[1], LARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2 rows");
  }

  @Test
  void fit_withWorkLeftByEarlierFitsOfOtherShapes_isBitIdenticalToAFreshFit() {
    SplittableRandom rnd = new SplittableRandom(11);
    SolverWork work = new SolverWork();
    // widths repeat and change, as a selection run's initial fit, chunks and noise filters do
    int[] widths = {40, 40, 25, 40, 60, 25, 40};
    for (int p : widths) {
      int m = 120;
      double[][] x = correlatedPairs(p, m, rnd);
      double[] y = target(x, m, 0.5, rnd);
      LassoCv.Result fresh = LarsLassoCv.fit(x, m, y, LARS);
      LassoCv.Result reused = LarsLassoCv.fit(x, m, y, LARS, work);
      assertThat(reused.coef()).containsExactly(fresh.coef());
      assertThat(reused.intercept()).isEqualTo(fresh.intercept());
      assertThat(reused.alpha()).isEqualTo(fresh.alpha());
      assertThat(reused.cvMse()).isEqualTo(fresh.cvMse());
    }
    assertThat(work.kept()).isPositive();
  }
}
