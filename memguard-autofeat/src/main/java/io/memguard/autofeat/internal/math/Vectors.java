package io.memguard.autofeat.internal.math;

/**
 * Dense vector kernels on {@code double[]} with unrolled accumulators; stateless and thread-safe.
 *
 * <p>Reductions use four independent accumulators so the JIT can overlap the additions; the summation order is
 * fixed, so results are deterministic.
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
    public static void axpyShift(double alpha, double[] x, double beta, double[] y, int from, int to) {
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
     * Pearson correlation of {@code a} and {@code b} given their means and population standard deviations; 0 if
     * either standard deviation is 0.
     */
    public static double correlation(double[] a, double meanA, double stdA, double[] b, double meanB, double stdB) {
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
}
