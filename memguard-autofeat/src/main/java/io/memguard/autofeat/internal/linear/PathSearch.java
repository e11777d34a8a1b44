package io.memguard.autofeat.internal.linear;

/**
 * The search along a penalty grid shared by the cross-validated paths: records each penalty's mean
 * CV error and explained deviance, keeps the best penalty, and applies the stopping rules of {@link
 * PathOptions} (patience, CV rise, glmnet's deviance rules). One instance per fit call; not
 * thread-safe.
 */
final class PathSearch {

  private final PathOptions options;
  private double best = Double.POSITIVE_INFINITY;
  private double first = Double.NaN;
  private int bestK;
  private double bestAlpha;
  private double prevDev;
  private boolean improved;

  PathSearch(PathOptions options, double alphaMax) {
    this.options = options;
    this.bestAlpha = alphaMax;
  }

  /** The grid penalty {@code k} for the largest penalty {@code alphaMax}. */
  double penalty(double alphaMax, int k) {
    int lambdas = options.lambdas();
    double ratio = lambdas == 1 ? 1 : Math.pow(options.eps(), 1.0 / (lambdas - 1));
    return alphaMax * Math.pow(ratio, k);
  }

  /**
   * Records penalty {@code k}; returns whether the path stops after it.
   *
   * @param mse the mean CV error at the penalty
   * @param dev the explained fraction of the null deviance the stopping rules read
   */
  boolean record(int k, double alpha, double mse, double dev) {
    if (k == 0) {
      first = mse;
    }
    improved = mse < best;
    if (improved) {
      best = mse;
      bestK = k;
      bestAlpha = alpha;
    } else if ((options.patience() > 0 && k - bestK >= options.patience())
        || options.cvRiseStop(mse, best, first)) {
      return true;
    }
    boolean stop = k > 0 && options.devianceStop(dev, prevDev);
    prevDev = dev;
    return stop;
  }

  /** Whether the last recorded penalty is the best so far. */
  boolean improved() {
    return improved;
  }

  int bestIndex() {
    return bestK;
  }

  double bestAlpha() {
    return bestAlpha;
  }

  /** The best mean CV error so far. */
  double best() {
    return best;
  }
}
