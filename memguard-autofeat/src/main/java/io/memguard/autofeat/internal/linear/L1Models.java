package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import java.util.Arrays;
import java.util.Objects;

/**
 * Entry points that fit cross-validated L1 models for either problem type: weights for feature
 * selection, and final models on standardised features mapped back to the original scale; stateless
 * and thread-safe.
 *
 * <p>Classification is one-vs-rest: one binary model per class (a single one for two classes), each
 * with balanced sample weights {@code n / (2 * n_class)} for its two sides.
 */
public final class L1Models {

  private L1Models() {}

  /**
   * An upper bound of the heap bytes {@link #absoluteWeights} allocates besides its input for
   * {@code p} columns and {@code m} rows: the solver's work (one binary model at a time for
   * classification, with the scratch of the work's helper if one may come), the labels and weights
   * of a binary problem, and the result.
   */
  public static long weightsWorkBytes(TargetKind problem, int p, int m, PathOptions o) {
    long result = 2 * HeapBytes.doubles(p);
    if (problem == TargetKind.REGRESSION) {
      return solverWorkBytes(p, m, o) + result;
    }
    return LogisticCv.workBytes(p, m, o, true) + 3 * HeapBytes.doubles(m) + result;
  }

  /**
   * An upper bound of the heap bytes {@link #fitFinal} allocates besides its input for {@code p}
   * columns, {@code m} rows and {@code classes} target classes (ignored for regression): the
   * standardised copy of the columns, the solver's work, and the model.
   */
  public static long finalWorkBytes(TargetKind problem, int p, int m, int classes, PathOptions o) {
    return finalWorkBytes(problem, p, m, classes, o, false);
  }

  /**
   * {@link #finalWorkBytes(TargetKind, int, int, int, PathOptions)} for {@link #fitFinalInPlace}.
   */
  public static long finalWorkBytes(
      TargetKind problem, int p, int m, int classes, PathOptions o, boolean inPlace) {
    long copy = (inPlace ? HeapBytes.refs(p) : HeapBytes.doubles(p, m)) + 2 * HeapBytes.doubles(p);
    if (problem == TargetKind.REGRESSION) {
      return copy + solverWorkBytes(p, m, o) + 4 * HeapBytes.doubles(p);
    }
    return copy
        + LogisticCv.workBytes(p, m, o)
        + 3 * HeapBytes.doubles(m)
        + (Math.max(1, classes) + 2) * HeapBytes.doubles(p + 1);
  }

  private static long solverWorkBytes(int p, int m, PathOptions o) {
    return o.solver() == PathOptions.Solver.LARS
        ? LarsLassoCv.workBytes(p, m, o)
        : LassoCv.workBytes(p, m, o);
  }

  /** The sorted distinct labels of the first {@code m} values. */
  public static double[] classes(double[] y, int m) {
    // labels are few: kept sorted in a small array, without boxing; past MANY_LABELS labels a hash
    // set of their bits takes over, so what is held grows with the labels, never with the rows
    double[] seen = new double[16];
    int count = 0;
    for (int i = 0; i < m; i++) {
      double v = y[i];
      int at = Arrays.binarySearch(seen, 0, count, v);
      if (at >= 0) {
        continue;
      }
      if (count == MANY_LABELS) {
        return distinctByHashing(y, i, m, seen, count);
      }
      if (count == seen.length) {
        seen = Arrays.copyOf(seen, 2 * count);
      }
      int insert = -at - 1;
      System.arraycopy(seen, insert, seen, insert + 1, count - insert);
      seen[insert] = v;
      count++;
    }
    return Arrays.copyOf(seen, count);
  }

  private static final int MANY_LABELS = 256;

  /**
   * The sorted distinct labels of {@code y[0, m)}, given the {@code count} distinct (sorted) labels
   * of {@code y[0, from)}. Labels are told apart as {@link Double#compare} does: by their bits, all
   * NaNs as one. The set's table grows with the labels; where it would outgrow a copy of the target
   * (nearly every row its own label), a sorted copy is the smaller of the two.
   */
  private static double[] distinctByHashing(
      double[] y, int from, int m, double[] first, int count) {
    long[] table = new long[4 * MANY_LABELS];
    boolean[] used = new boolean[table.length];
    int size = 0;
    for (int k = 0; k < count; k++) {
      size += insert(table, used, Double.doubleToLongBits(first[k])) ? 1 : 0;
    }
    for (int i = from; i < m; i++) {
      if (2 * (size + 1) > table.length) {
        if (2L * table.length * (Long.BYTES + 1) > (long) m * Double.BYTES) {
          return distinctBySorting(y, m);
        }
        long[] oldTable = table;
        boolean[] oldUsed = used;
        table = new long[2 * oldTable.length];
        used = new boolean[table.length];
        for (int k = 0; k < oldTable.length; k++) {
          if (oldUsed[k]) {
            insert(table, used, oldTable[k]);
          }
        }
      }
      size += insert(table, used, Double.doubleToLongBits(y[i])) ? 1 : 0;
    }
    double[] out = new double[size];
    int k = 0;
    for (int s = 0; s < table.length; s++) {
      if (used[s]) {
        out[k++] = Double.longBitsToDouble(table[s]);
      }
    }
    Arrays.sort(out);
    return out;
  }

  private static double[] distinctBySorting(double[] y, int m) {
    double[] sorted = Arrays.copyOf(y, m);
    Arrays.sort(sorted);
    int count = 0;
    for (int i = 0; i < m; i++) {
      if (count == 0 || Double.compare(sorted[i], sorted[count - 1]) != 0) {
        sorted[count++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, count);
  }

  /** Adds {@code key} to an open-addressing table (a power of two long); true if it was new. */
  private static boolean insert(long[] table, boolean[] used, long key) {
    int mask = table.length - 1;
    // the product's top bits: a label that is a small integer has tens of trailing zero bits, which
    // the low bits of any product keep
    int s =
        (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(table.length)));
    while (used[s]) {
      if (table[s] == key) {
        return false;
      }
      s = (s + 1) & mask;
    }
    used[s] = true;
    table[s] = key;
    return true;
  }

  /**
   * Fits an L1 model on columns that are already standardised and returns, per column, the largest
   * |coef| over the model's coefficient rows.
   *
   * @param x the columns (each with at least m values)
   * @param m the rows to use
   * @param y the target (standardised values, or class labels)
   */
  public static double[] absoluteWeights(
      TargetKind problem, double[][] x, int m, double[] y, PathOptions o) {
    return absoluteWeights(problem, x, m, y, o, new SolverWork());
  }

  /**
   * Like {@link #absoluteWeights(TargetKind, double[][], int, double[], PathOptions)}, taking the
   * solver's caches from {@code work} and leaving them there for the caller's next fit.
   */
  public static double[] absoluteWeights(
      TargetKind problem, double[][] x, int m, double[] y, PathOptions o, SolverWork work) {
    Objects.requireNonNull(problem, "problem");
    int p = x.length;
    double[] out = new double[p];
    if (p == 0) {
      return out;
    }
    if (problem == TargetKind.REGRESSION) {
      double[] c = lasso(x, m, y, o, work).coef();
      for (int j = 0; j < p; j++) {
        out[j] = Math.abs(c[j]);
      }
      return out;
    }
    double[] classes = classes(y, m);
    if (classes.length < 2) {
      return out;
    }
    int rows = classes.length == 2 ? 1 : classes.length;
    double[] yb = new double[m];
    double[] w = new double[m];
    for (int k = 0; k < rows; k++) {
      binaryProblem(y, m, classes[classes.length == 2 ? 1 : k], yb, w);
      double[] c = LogisticCv.fit(x, m, yb, w, o, work.helper()).coef();
      for (int j = 0; j < p; j++) {
        out[j] = Math.max(out[j], Math.abs(c[j]));
      }
    }
    return out;
  }

  private static LassoCv.Result lasso(
      double[][] x, int m, double[] y, PathOptions o, SolverWork work) {
    return o.solver() == PathOptions.Solver.LARS
        ? LarsLassoCv.fit(x, m, y, o, work)
        : LassoCv.fit(x, m, y, o);
  }

  static void binaryProblem(double[] y, int m, double positive, double[] yb, double[] w) {
    int pos = 0;
    for (int i = 0; i < m; i++) {
      yb[i] = y[i] == positive ? 1 : 0;
      pos += (int) yb[i];
    }
    double wPos = pos == 0 ? 1 : m / (2.0 * pos);
    double wNeg = pos == m ? 1 : m / (2.0 * (m - pos));
    for (int i = 0; i < m; i++) {
      w[i] = yb[i] == 1 ? wPos : wNeg;
    }
  }

  /**
   * Fits the final model on raw feature columns: standardises each column internally (mean 0,
   * population std 1; constant columns get coefficient 0), fits with cross-validation and maps the
   * coefficients back.
   *
   * @param x the feature columns, each with m finite values
   * @param y the target (values, or class labels)
   */
  public static LinearModel fitFinal(
      TargetKind problem, double[][] x, int m, double[] y, PathOptions o) {
    return fitFinal(problem, x, m, y, o, false);
  }

  /**
   * {@link #fitFinal(TargetKind, double[][], int, double[], PathOptions)} that standardises {@code
   * x} in place (the caller hands over the columns and must not read them afterwards), so no copy
   * of them is made.
   */
  public static LinearModel fitFinalInPlace(
      TargetKind problem, double[][] x, int m, double[] y, PathOptions o) {
    return fitFinal(problem, x, m, y, o, true);
  }

  /**
   * Writes the first {@code m} values of each column of {@code x} into {@code z} (which may be
   * {@code x}) centred and scaled to population standard deviation 1 (all 0 for a constant column),
   * and each column's mean and standard deviation into {@code mean} and {@code std}.
   */
  static void standardise(double[][] x, int m, double[] mean, double[] std, double[][] z) {
    for (int j = 0; j < x.length; j++) {
      double s = 0;
      for (int i = 0; i < m; i++) {
        s += x[j][i];
      }
      mean[j] = s / m;
      double ss = 0;
      for (int i = 0; i < m; i++) {
        double d = x[j][i] - mean[j];
        ss += d * d;
      }
      std[j] = Math.sqrt(ss / m);
      double inv = std[j] > 0 ? 1 / std[j] : 0;
      for (int i = 0; i < m; i++) {
        z[j][i] = (x[j][i] - mean[j]) * inv;
      }
    }
  }

  private static LinearModel fitFinal(
      TargetKind problem, double[][] x, int m, double[] y, PathOptions o, boolean inPlace) {
    int p = x.length;
    double[] mean = new double[p];
    double[] std = new double[p];
    double[][] z = inPlace ? x : new double[p][m];
    standardise(x, m, mean, std, z);
    if (problem == TargetKind.REGRESSION) {
      LassoCv.Result r = lasso(z, m, y, o, new SolverWork());
      double[] c = new double[p];
      double b = r.intercept();
      for (int j = 0; j < p; j++) {
        if (std[j] > 0) {
          c[j] = r.coef()[j] / std[j];
          b -= c[j] * mean[j];
        }
      }
      return LinearModel.regression(c, b);
    }
    double[] classes = classes(y, m);
    if (classes.length < 2) {
      throw new IllegalArgumentException(
          "classification needs at least 2 classes, found " + classes.length);
    }
    int rows = classes.length == 2 ? 1 : classes.length;
    double[][] coef = new double[rows][p];
    double[] icpt = new double[rows];
    double[] yb = new double[m];
    double[] w = new double[m];
    for (int k = 0; k < rows; k++) {
      binaryProblem(y, m, classes[classes.length == 2 ? 1 : k], yb, w);
      LogisticCv.Result r = LogisticCv.fit(z, m, yb, w, o);
      double b = r.intercept();
      for (int j = 0; j < p; j++) {
        if (std[j] > 0) {
          coef[k][j] = r.coef()[j] / std[j];
          b -= coef[k][j] * mean[j];
        }
      }
      icpt[k] = b;
    }
    return LinearModel.classifier(classes, coef, icpt);
  }
}
