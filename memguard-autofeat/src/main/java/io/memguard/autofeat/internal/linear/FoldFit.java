package io.memguard.autofeat.internal.linear;

/**
 * What every fit of a cross-validated path starts from: its training rows (all rows but fold {@code
 * fold}'s contiguous test block {@code [s, e)}; none for -1), the training means of the target and
 * of each column, the training variance of the target, and each column's centred inner product with
 * the target over the training rows, divided by their count. Not thread-safe; each fit belongs to
 * one call.
 */
abstract class FoldFit {
  final double[][] x;
  final int m;
  final int fold;
  final int s;
  final int e;

  /** The number of training rows. */
  final int mt;

  final double ybar;
  final double nullVar;
  final double[] mu;

  /** The gradient at zero coefficients: centred inner product / mt of each column with y. */
  final double[] gradient;

  FoldFit(FoldSums sums, int fold) {
    this(sums, fold, null);
  }

  /**
   * As {@link #FoldFit(FoldSums, int)} with {@link #mu} and {@link #gradient} from {@code work}.
   */
  FoldFit(FoldSums sums, int fold, SolverWork work) {
    this.x = sums.x;
    this.m = sums.m;
    this.fold = fold;
    this.s = fold < 0 ? 0 : sums.kf.start(fold);
    this.e = fold < 0 ? 0 : sums.kf.end(fold);
    mt = m - (e - s);
    ybar = sums.trainY(fold) / mt;
    double nv = 0;
    for (int i = 0; i < m; i++) {
      if (i < s || i >= e) {
        double r = sums.y[i] - ybar;
        nv += r * r;
      }
    }
    nullVar = nv / mt;
    int p = x.length;
    mu = work == null ? new double[p] : work.doubles(p);
    gradient = work == null ? new double[p] : work.doubles(p);
    for (int j = 0; j < p; j++) {
      mu[j] = sums.train(sums.blockSum, fold, j) / mt;
      gradient[j] = sums.train(sums.blockXy, fold, j) / mt - mu[j] * ybar;
    }
  }
}
