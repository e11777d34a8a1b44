package io.memguard.autofeat.internal.feateng;

/**
 * Summary of one stored column, used by the domain rules and correlation tests; an immutable value,
 * thread-safe.
 *
 * @param mean the mean
 * @param std the population standard deviation
 * @param min the smallest value
 * @param max the largest value
 * @param hasZero whether some value is exactly 0
 * @param fewDistinct whether the column has at most 2 distinct values (no transformation is applied
 *     to it)
 */
public record ColumnStats(
    double mean, double std, double min, double max, boolean hasZero, boolean fewDistinct) {

  /**
   * Computes the statistics of the first {@code n} values.
   *
   * @throws IllegalArgumentException if {@code n < 1} or a value is not finite
   */
  public static ColumnStats of(double[] values, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("need at least one value, got " + n);
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean zero = false;
    double v0 = values[0];
    double v1 = Double.NaN;
    boolean third = false;
    for (int i = 0; i < n; i++) {
      double v = values[i];
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("value " + v + " at row " + i + " is not finite");
      }
      sum += v;
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
      if (v == 0.0) {
        zero = true;
      }
      if (!third && v != v0) {
        if (v1 != v1) {
          v1 = v;
        } else if (v != v1) {
          third = true;
        }
      }
    }
    double mean = sum / n;
    double ss = 0;
    for (int i = 0; i < n; i++) {
      double d = values[i] - mean;
      ss += d * d;
    }
    return new ColumnStats(mean, Math.sqrt(ss / n), min, max, zero, !third);
  }
}
