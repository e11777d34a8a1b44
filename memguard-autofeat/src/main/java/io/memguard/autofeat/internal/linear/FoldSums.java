package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;
import java.util.Objects;

/**
 * The columns, target and unshuffled K-fold split of one cross-validated path, with per-fold block
 * sums of each column, of the target and of their products; the base of the data the fits of one
 * call share. Immutable after construction, so concurrent reads are safe; subclasses add mutable
 * caches.
 */
class FoldSums {
  final double[][] x;
  final double[] y;
  final int m;
  final KFold kf;
  final int folds;

  /** blockSum[f][j]: sum of column j over fold f's rows. */
  final double[][] blockSum;

  /** blockXy[f][j]: sum of x_j * y over fold f's rows. */
  final double[][] blockXy;

  final double[] blockY;

  /** Scratch for {@link #testMse}: one value per row of the largest fold block. */
  private final double[] testPred;

  /**
   * Heap bytes of the sums {@link FoldSums#FoldSums} allocates for {@code p} columns, {@code m}
   * rows and {@code folds} folds (an upper bound).
   */
  static long bytes(int p, int m, int folds) {
    return 2 * HeapBytes.doubles(folds, p)
        + HeapBytes.doubles(folds)
        + HeapBytes.doubles(m / folds + 1)
        + HeapBytes.ints(folds + 1)
        + 4 * HeapBytes.OBJECT;
  }

  /**
   * Checks the arguments of a cross-validated fit and returns its fold split: {@code
   * options.folds()} folds, or one per row when there are fewer rows.
   *
   * @throws IllegalArgumentException if {@code m < 2}
   */
  static KFold split(double[][] x, int m, double[] y, PathOptions options) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(options, "options");
    if (m < 2) {
      throw new IllegalArgumentException("need at least 2 rows, got " + m);
    }
    return new KFold(m, Math.min(options.folds(), m));
  }

  FoldSums(double[][] x, int m, double[] y, KFold kf) {
    this.x = x;
    this.y = y;
    this.m = m;
    this.kf = kf;
    this.folds = kf.folds();
    int p = x.length;
    blockSum = new double[folds][p];
    blockXy = new double[folds][p];
    blockY = new double[folds];
    int largest = 0;
    for (int f = 0; f < folds; f++) {
      largest = Math.max(largest, kf.end(f) - kf.start(f));
    }
    testPred = new double[largest];
    for (int f = 0; f < folds; f++) {
      blockY[f] = Vectors.sum(y, kf.start(f), kf.end(f));
    }
    for (int j = 0; j < p; j++) {
      for (int f = 0; f < folds; f++) {
        blockSum[f][j] = Vectors.sum(x[j], kf.start(f), kf.end(f));
        blockXy[f][j] = Vectors.dot(x[j], y, kf.start(f), kf.end(f));
      }
    }
  }

  /**
   * The sum of {@code blocks[f][j]} over the training folds of fit {@code fold} (every fold but it;
   * -1: all).
   */
  final double train(double[][] blocks, int fold, int j) {
    double sum = 0;
    for (int f = 0; f < folds; f++) {
      if (f != fold) {
        sum += blocks[f][j];
      }
    }
    return sum;
  }

  /** The sum of y over the training rows of fit {@code fold}. */
  final double trainY(int fold) {
    double sum = 0;
    for (int f = 0; f < folds; f++) {
      if (f != fold) {
        sum += blockY[f];
      }
    }
    return sum;
  }

  /**
   * The mean squared error on the test rows {@code [s, e)} of the prediction {@code ybar + sum b_j
   * (x_j - mu_j)} over the first {@code count} columns of {@code cols} (0 when there are no test
   * rows).
   */
  final double testMse(
      int s, int e, double ybar, int[] cols, int count, double[] beta, double[] mu) {
    int nt = e - s;
    if (nt == 0) {
      return 0;
    }
    double[] pred = testPred;
    Arrays.fill(pred, 0, nt, ybar);
    for (int q = 0; q < count; q++) {
      int j = cols[q];
      double b = beta[j];
      if (b != 0) {
        addShifted(pred, b, x[j], -b * mu[j], s, e);
      }
    }
    return squaredError(y, pred, s, e) / nt;
  }

  // small static loops compile to optimised code early in a cold JVM (see LarsLassoCv)
  private static void addShifted(double[] pred, double b, double[] c, double shift, int s, int e) {
    for (int i = s; i < e; i++) {
      pred[i - s] += b * c[i] + shift;
    }
  }

  private static double squaredError(double[] y, double[] pred, int s, int e) {
    double sse = 0;
    for (int i = s; i < e; i++) {
      double d = y[i] - pred[i - s];
      sse += d * d;
    }
    return sse;
  }
}
