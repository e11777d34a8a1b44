package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamedLogisticTest {

  private static final int ROWS = 40_000;
  private static final int SAMPLE = 3_000;
  private static final int BLOCK = 1_000;

  /** x[feature][row]: two signals, one copy of the first with noise, one irrelevant column. */
  private static double[][] features(SplittableRandom r) {
    double[][] x = new double[4][ROWS];
    for (int i = 0; i < ROWS; i++) {
      x[0][i] = 10 + 3 * r.nextGaussian();
      x[1][i] = r.nextDouble(-1, 1);
      x[2][i] = x[0][i] + r.nextGaussian();
      x[3][i] = 1e4 * r.nextGaussian();
    }
    return x;
  }

  /** Labels drawn from per-class scores: 0.8 (x0 - 10) / 3, 2 x1, 0, one class per score. */
  private static double[] labels(double[][] x, int classes, SplittableRandom r) {
    double[] y = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      double[] score = {0.8 * (x[0][i] - 10) / 3, 2 * x[1][i], 0};
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (score[k] + r.nextGaussian() > score[best] + r.nextGaussian()) {
          best = k;
        }
      }
      y[i] = 10 * best + 1; // labels 1, 11, 21
    }
    return y;
  }

  private static StreamedLogistic refit(double[][] x, double[] y) {
    StreamedLogistic refit =
        StreamedLogistic.fromSample(
            x, SAMPLE, y, PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    double[][] block = new double[x.length][BLOCK];
    double[] labels = new double[BLOCK];
    do {
      for (int start = 0; start < ROWS; start += BLOCK) {
        for (int j = 0; j < x.length; j++) {
          System.arraycopy(x[j], start, block[j], 0, BLOCK);
        }
        System.arraycopy(y, start, labels, 0, BLOCK);
        refit.add(block, labels, BLOCK);
      }
    } while (!refit.endPass());
    return refit;
  }

  /**
   * The optimality conditions of each class's penalised objective over all rows: the intercept's
   * gradient is 0, a zero coefficient's gradient is at most the penalty, a non-zero one's equals
   * the penalty with its sign.
   */
  private static void assertOptimalOnAllRows(
      StreamedLogistic refit, double[][] x, double[] y, double[] classes) {
    double[] shift = refit.shift();
    double[] scale = refit.scale();
    double[] lambdas = refit.lambdas();
    int p = x.length;
    for (int k = 0; k < lambdas.length; k++) {
      double positive = classes[classes.length == 2 ? 1 : k];
      double[] theta = refit.theta(k);
      long nPos = 0;
      for (double v : y) {
        nPos += v == positive ? 1 : 0;
      }
      double wPos = ROWS / (2.0 * nPos);
      double wNeg = ROWS / (2.0 * (ROWS - nPos));
      double[] g = new double[p + 1];
      for (int i = 0; i < ROWS; i++) {
        double eta = theta[0];
        double[] z = new double[p + 1];
        z[0] = 1;
        for (int j = 0; j < p; j++) {
          z[j + 1] = (x[j][i] - shift[j]) / scale[j];
          eta += theta[j + 1] * z[j + 1];
        }
        double yb = y[i] == positive ? 1 : 0;
        double w = yb == 1 ? wPos : wNeg;
        double prob = 1 / (1 + Math.exp(-eta));
        for (int j = 0; j <= p; j++) {
          g[j] += w * (yb - prob) * z[j] / ROWS;
        }
      }
      assertThat(g[0]).as("class %d intercept", k).isCloseTo(0, within(1e-6));
      for (int j = 1; j <= p; j++) {
        if (theta[j] == 0) {
          assertThat(Math.abs(g[j])).as("class %d, zero %d", k, j).isLessThan(lambdas[k] + 1e-6);
        } else {
          assertThat(g[j])
              .as("class %d, coefficient %d", k, j)
              .isCloseTo(Math.signum(theta[j]) * lambdas[k], within(1e-6));
        }
      }
    }
  }

  @Test
  void twoClasses_theRefitIsTheOptimumOverEveryRow_notTheSamples() {
    SplittableRandom r = new SplittableRandom(3);
    double[][] x = features(r);
    double[] y = labels(x, 2, r);
    StreamedLogistic refit = refit(x, y);
    assertThat(refit.converged()).isTrue();
    assertThat(refit.passes()).isBetween(2, 10);
    assertThat(refit.rowsPerPass()).isEqualTo(ROWS);
    assertThat(refit.lambdas()).hasSize(1);
    assertOptimalOnAllRows(refit, x, y, new double[] {1, 11});
    LinearModel model = refit.model();
    assertThat(model.classes()).containsExactly(1, 11);
    // class 11 wins where 2 x1 beats 0.8 (x0 - 10) / 3
    assertThat(model.coefficients()[0][0]).isNegative();
    assertThat(model.coefficients()[0][1]).isPositive();
  }

  @Test
  void threeClasses_eachOneVsRestModelIsOptimal_andTheSampleAloneIsNot() {
    SplittableRandom r = new SplittableRandom(4);
    double[][] x = features(r);
    double[] y = labels(x, 3, r);
    StreamedLogistic refit = refit(x, y);
    assertThat(refit.converged()).isTrue();
    assertThat(refit.lambdas()).hasSize(3);
    assertOptimalOnAllRows(refit, x, y, new double[] {1, 11, 21});
    // the sample's own model (the first pass's point) does not satisfy them on all rows
    StreamedLogistic start =
        StreamedLogistic.fromSample(
            x, SAMPLE, y, PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    double moved = 0;
    for (int k = 0; k < 3; k++) {
      double[] a = start.theta(k);
      double[] b = refit.theta(k);
      for (int j = 0; j < a.length; j++) {
        moved = Math.max(moved, Math.abs(a[j] - b[j]));
      }
    }
    assertThat(moved).isGreaterThan(1e-3);
  }

  @Test
  void rowsWithANonFiniteFeature_areLeftOut_andUnknownLabelsCounted() {
    SplittableRandom r = new SplittableRandom(5);
    double[][] x = features(r);
    double[] y = labels(x, 2, r);
    StreamedLogistic refit =
        StreamedLogistic.fromSample(
            x, SAMPLE, y, PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    double[][] block = {{1, Double.NaN, 3}, {0, 0, 0}, {1, 1, 1}, {0, 0, Double.POSITIVE_INFINITY}};
    refit.add(block, new double[] {1, 11, 99}, 3);
    refit.endPass();
    assertThat(refit.rowsPerPass()).isEqualTo(1);
    assertThat(refit.skippedRowsPerPass()).isEqualTo(2);
    assertThat(refit.unknownLabelsPerPass()).isZero();
    StreamedLogistic other =
        StreamedLogistic.fromSample(
            x, SAMPLE, y, PathOptions.forFinalModel(TargetKind.CLASSIFICATION));
    other.add(new double[][] {{10}, {0}, {10}, {0}}, new double[] {99}, 1);
    other.endPass();
    assertThat(other.unknownLabelsPerPass()).isEqualTo(1);
  }

  @Test
  void theQuadraticSolver_matchesTheClosedFormWithoutPenalty() {
    // h = [[2, 1], [1, 3]], g = [1, 2], theta = 0: t = h^-1 g = [0.2, 0.6]
    double[] t =
        StreamedLogistic.solveQuadratic(
            new double[] {2, 1, 1, 3}, new double[] {1, 2}, new double[2], 0);
    assertThat(t[0]).isCloseTo(0.2, within(1e-12));
    assertThat(t[1]).isCloseTo(0.6, within(1e-12));
    // a penalty above the coefficient's pull keeps it at 0 (the intercept is not penalised)
    double[] u =
        StreamedLogistic.solveQuadratic(
            new double[] {2, 1, 1, 3}, new double[] {1, 0.4}, new double[2], 1);
    assertThat(u[1]).isZero();
    assertThat(u[0]).isCloseTo(0.5, within(1e-12));
  }
}
