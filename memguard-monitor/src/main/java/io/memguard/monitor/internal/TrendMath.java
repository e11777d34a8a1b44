package io.memguard.monitor.internal;

import java.util.Arrays;

/**
 * Robust trend statistics on a time series: the Theil-Sen slope (median of pairwise slopes) and the
 * Mann-Kendall test for a monotonic trend. Stateless; every method is thread-safe.
 *
 * <p>Both are rank-based, so one outlier (a burst of garbage, a slow GC) moves them little, and
 * neither assumes the noise is normal. Cost is O(n²) in time and memory for n points; callers keep
 * n in the low hundreds (see {@link #coarsen}).
 */
public final class TrendMath {
  private TrendMath() {}

  /** The result of {@link #analyze}: slope in y-units per x-unit, and the Mann-Kendall test. */
  public record Result(
      int n,
      double slope,
      double intercept,
      long s,
      double z,
      double pIncreasing,
      double pDecreasing) {

    /** A result for too few points: no slope, no evidence. */
    static Result empty(int n) {
      return new Result(n, Double.NaN, Double.NaN, 0, 0, 1, 1);
    }
  }

  /**
   * Theil-Sen slope and intercept plus the Mann-Kendall statistic of {@code y} against {@code x}.
   * Points are taken in the given order (x ascending). Fewer than 3 points, or all x equal, give
   * {@link Result#empty}.
   *
   * @param x the abscissae, ascending (e.g. seconds)
   * @param y the values
   * @param n how many leading entries of {@code x} and {@code y} to use
   */
  public static Result analyze(double[] x, double[] y, int n) {
    if (n > x.length || n > y.length) {
      throw new IllegalArgumentException(
          "n=" + n + " exceeds the arrays (" + x.length + ", " + y.length + ")");
    }
    if (n < 3) {
      return Result.empty(n);
    }
    double[] slopes = new double[n * (n - 1) / 2];
    int m = 0;
    long s = 0;
    for (int i = 0; i < n - 1; i++) {
      for (int j = i + 1; j < n; j++) {
        double dy = y[j] - y[i];
        s += dy > 0 ? 1 : dy < 0 ? -1 : 0;
        double dx = x[j] - x[i];
        if (dx != 0) {
          slopes[m++] = dy / dx;
        }
      }
    }
    if (m == 0) {
      return Result.empty(n);
    }
    double slope = median(slopes, m);
    double[] residual = new double[n];
    for (int i = 0; i < n; i++) {
      residual[i] = y[i] - slope * x[i];
    }
    double intercept = median(residual, n);
    double variance = mannKendallVariance(y, n);
    double z;
    if (variance <= 0) {
      z = 0;
    } else if (s > 0) {
      z = (s - 1) / Math.sqrt(variance);
    } else if (s < 0) {
      z = (s + 1) / Math.sqrt(variance);
    } else {
      z = 0;
    }
    return new Result(n, slope, intercept, s, z, 1 - normalCdf(z), normalCdf(z));
  }

  /** Var(S) under the null hypothesis, corrected for ties. */
  static double mannKendallVariance(double[] y, int n) {
    double[] sorted = Arrays.copyOf(y, n);
    Arrays.sort(sorted);
    double tieTerm = 0;
    int run = 1;
    for (int i = 1; i <= n; i++) {
      if (i < n && sorted[i] == sorted[i - 1]) {
        run++;
      } else {
        if (run > 1) {
          tieTerm += (double) run * (run - 1) * (2 * run + 5);
        }
        run = 1;
      }
    }
    return ((double) n * (n - 1) * (2 * n + 5) - tieTerm) / 18.0;
  }

  /** The median of the first {@code n} entries; reorders them. NaN when {@code n == 0}. */
  public static double median(double[] values, int n) {
    if (n == 0) {
      return Double.NaN;
    }
    int mid = n / 2;
    double upper = select(values, 0, n - 1, mid);
    if ((n & 1) == 1) {
      return upper;
    }
    double lower = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < mid; i++) {
      lower = Math.max(lower, values[i]);
    }
    return (lower + upper) / 2;
  }

  /** Quickselect: the k-th smallest of values[lo..hi]; afterwards values[lo..k-1] are all <= it. */
  private static double select(double[] a, int lo, int hi, int k) {
    while (lo < hi) {
      double pivot = a[lo + (hi - lo) / 2];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  /**
   * The value at quantile {@code q} (0..1) of the first {@code n} entries, by the nearest-rank
   * method; reorders them. NaN when {@code n == 0}.
   */
  public static double quantile(double[] values, int n, double q) {
    if (n == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * n) - 1;
    rank = Math.max(0, Math.min(n - 1, rank));
    return select(values, 0, n - 1, rank);
  }

  /**
   * Reduces a series to at most {@code maxPoints} by averaging consecutive groups of (nearly) equal
   * size, in place; returns the new length. Used before {@link #analyze} on long series.
   */
  public static int coarsen(double[] x, double[] y, int n, int maxPoints) {
    if (maxPoints < 1) {
      throw new IllegalArgumentException("maxPoints must be at least 1, got " + maxPoints);
    }
    if (n <= maxPoints) {
      return n;
    }
    for (int g = 0; g < maxPoints; g++) {
      int from = (int) ((long) g * n / maxPoints);
      int to = (int) ((long) (g + 1) * n / maxPoints);
      double sx = 0;
      double sy = 0;
      for (int i = from; i < to; i++) {
        sx += x[i];
        sy += y[i];
      }
      x[g] = sx / (to - from);
      y[g] = sy / (to - from);
    }
    return maxPoints;
  }

  /** The standard normal cumulative distribution function, accurate to about 1e-7. */
  public static double normalCdf(double z) {
    return 0.5 * erfc(-z / Math.sqrt(2));
  }

  /** The complementary error function (Chebyshev fit, fractional error below 1.2e-7). */
  static double erfc(double x) {
    double t = 1 / (1 + 0.5 * Math.abs(x));
    double poly =
        -1.26551223
            + t
                * (1.00002368
                    + t
                        * (0.37409196
                            + t
                                * (0.09678418
                                    + t
                                        * (-0.18628806
                                            + t
                                                * (0.27886807
                                                    + t
                                                        * (-1.13520398
                                                            + t
                                                                * (1.48851587
                                                                    + t
                                                                        * (-0.82215223
                                                                            + t
                                                                                * 0.17087277))))))));
    double r = t * Math.exp(-x * x + poly);
    return x >= 0 ? r : 2 - r;
  }
}
