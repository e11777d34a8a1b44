package io.memguard.autofeat.internal.math;

/**
 * Dense vector kernels on {@code double[]} with unrolled accumulators; stateless and thread-safe.
 *
 * <p>Reductions use four independent accumulators so the JIT can overlap the additions; the
 * summation order is fixed, so results are deterministic.
 */
public final class Vectors {

  private Vectors() {}

  /** {@code sum(a[i] * b[i])} for {@code i} in {@code [from, to)}. */
  public static double dot(double[] a, double[] b, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < to; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code dot(a, b, 0, s) + dot(a, b, e, m)}: the sum over the rows of [0, m) outside the block
   * [s, e), with the same bits. An empty side is not looped over: a cold JVM's optimised loop
   * speculates that it is entered, and a fold at either end of the rows would throw away the
   * caller's compiled code.
   */
  public static double dotOutside(double[] a, double[] b, int s, int e, int m) {
    double left = s > 0 ? dot(a, b, 0, s) : 0.0;
    double right = e < m ? dot(a, b, e, m) : 0.0;
    return left + right;
  }

  /**
   * {@link #dot(double[], double[], int, int)} of {@code w} with {@code a} and with {@code b} in
   * one pass over {@code w}, each sum in the same order as {@code dot} (the same bits), written to
   * {@code out[atA]} and {@code out[atB]} divided by {@code divisor}.
   */
  public static void dot2(
      double[] w,
      double[] a,
      double[] b,
      int from,
      int to,
      double divisor,
      double[] out,
      int atA,
      int atB) {
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    double b0 = 0;
    double b1 = 0;
    double b2 = 0;
    double b3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      double w0 = w[i];
      double w1 = w[i + 1];
      double w2 = w[i + 2];
      double w3 = w[i + 3];
      a0 += w0 * a[i];
      a1 += w1 * a[i + 1];
      a2 += w2 * a[i + 2];
      a3 += w3 * a[i + 3];
      b0 += w0 * b[i];
      b1 += w1 * b[i + 1];
      b2 += w2 * b[i + 2];
      b3 += w3 * b[i + 3];
    }
    for (; i < to; i++) {
      a0 += w[i] * a[i];
      b0 += w[i] * b[i];
    }
    out[atA] = ((a0 + a1) + (a2 + a3)) / divisor;
    out[atB] = ((b0 + b1) + (b2 + b3)) / divisor;
  }

  /** Whether every value of {@code v[from, to)} is finite (neither NaN nor infinite). */
  public static boolean allFinite(double[] v, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Double.isFinite(v[i])) {
        return false;
      }
    }
    return true;
  }

  /** {@code sum(a[i] * b[i])} over all of {@code a}. */
  public static double dot(double[] a, double[] b) {
    return dot(a, b, 0, a.length);
  }

  /** {@code sum(w[i] * a[i] * b[i])} for {@code i} in {@code [from, to)}. */
  public static double dot(double[] w, double[] a, double[] b, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      s0 += w[i] * a[i] * b[i];
      s1 += w[i + 1] * a[i + 1] * b[i + 1];
      s2 += w[i + 2] * a[i + 2] * b[i + 2];
      s3 += w[i + 3] * a[i + 3] * b[i + 3];
    }
    for (; i < to; i++) {
      s0 += w[i] * a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum(a[i])} for {@code i} in {@code [from, to)}. */
  public static double sum(double[] a, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < to; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code y[i] += alpha * x[i] + beta} for {@code i} in {@code [from, to)}. */
  public static void axpyShift(
      double alpha, double[] x, double beta, double[] y, int from, int to) {
    for (int i = from; i < to; i++) {
      y[i] += alpha * x[i] + beta;
    }
  }

  /** {@code y[i] += alpha * x[i]} for {@code i} in {@code [from, to)}. */
  public static void axpy(double alpha, double[] x, double[] y, int from, int to) {
    for (int i = from; i < to; i++) {
      y[i] += alpha * x[i];
    }
  }

  /** The mean of {@code a}. */
  public static double mean(double[] a) {
    return sum(a, 0, a.length) / a.length;
  }

  /** The population standard deviation of {@code a} around {@code mean}. */
  public static double std(double[] a, double mean) {
    double s = 0;
    for (double v : a) {
      double d = v - mean;
      s += d * d;
    }
    return Math.sqrt(s / a.length);
  }

  /**
   * Pearson correlation of {@code a} and {@code b} given their means and population standard
   * deviations; 0 if either standard deviation is 0.
   */
  public static double correlation(
      double[] a, double meanA, double stdA, double[] b, double meanB, double stdB) {
    if (!(stdA > 0) || !(stdB > 0)) {
      return 0.0;
    }
    int n = a.length;
    double s0 = 0;
    double s1 = 0;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += (a[i] - meanA) * (b[i] - meanB);
      s1 += (a[i + 1] - meanA) * (b[i + 1] - meanB);
    }
    for (; i < n; i++) {
      s0 += (a[i] - meanA) * (b[i] - meanB);
    }
    return (s0 + s1) / (n * stdA * stdB);
  }

  /**
   * {@code out[k] = sum_i x[i] * r[k][i]} for {@code k < count}: several dot products sharing one
   * pass over {@code x}, so a column is read once for all the residual vectors it is tested
   * against.
   */
  public static void dotMany(double[] x, double[][] r, int count, int n, double[] out) {
    int k = 0;
    for (; k + 5 < count; k += 6) {
      double[] a = r[k];
      double[] b = r[k + 1];
      double[] c = r[k + 2];
      double[] d = r[k + 3];
      double[] e = r[k + 4];
      double[] f = r[k + 5];
      double sa = 0;
      double sb = 0;
      double sc = 0;
      double sd = 0;
      double se = 0;
      double sf = 0;
      for (int i = 0; i < n; i++) {
        double xi = x[i];
        sa += xi * a[i];
        sb += xi * b[i];
        sc += xi * c[i];
        sd += xi * d[i];
        se += xi * e[i];
        sf += xi * f[i];
      }
      out[k] = sa;
      out[k + 1] = sb;
      out[k + 2] = sc;
      out[k + 3] = sd;
      out[k + 4] = se;
      out[k + 5] = sf;
    }
    for (; k + 2 < count; k += 3) {
      double[] a = r[k];
      double[] b = r[k + 1];
      double[] c = r[k + 2];
      double sa0 = 0;
      double sb0 = 0;
      double sc0 = 0;
      double sa1 = 0;
      double sb1 = 0;
      double sc1 = 0;
      int i = 0;
      for (; i + 1 < n; i += 2) {
        double x0 = x[i];
        double x1 = x[i + 1];
        sa0 += x0 * a[i];
        sb0 += x0 * b[i];
        sc0 += x0 * c[i];
        sa1 += x1 * a[i + 1];
        sb1 += x1 * b[i + 1];
        sc1 += x1 * c[i + 1];
      }
      for (; i < n; i++) {
        sa0 += x[i] * a[i];
        sb0 += x[i] * b[i];
        sc0 += x[i] * c[i];
      }
      out[k] = sa0 + sa1;
      out[k + 1] = sb0 + sb1;
      out[k + 2] = sc0 + sc1;
    }
    for (; k < count; k++) {
      out[k] = dot(x, r[k], 0, n);
    }
  }
}
