package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.StreamedLogistic;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A classifier's final model from passes over blocks of rows, for when its features' values on
 * every row do not fit: each class's penalty and starting point come from the cross-validated
 * logistic fit on a sample of the rows (stratified by class, every class present), then Newton
 * passes over all rows ({@link StreamedLogistic}) refit the coefficients with those penalties. Its
 * heap is the sample's values and fit, one block of feature values and {@code O(classes x
 * features^2)} sums, however many rows there are. A first pass finds the features that are finite
 * on every row (the others are dropped, as the in-memory model drops them). Stateless and
 * thread-safe.
 */
public final class PassesFinalModel {

  /** How the model is fitted, for messages. */
  public static final String DESCRIPTION =
      "from Newton passes over blocks of rows, its penalties from a sample";

  /** Rows evaluated per block. */
  static final int BLOCK_ROWS = 4096;

  /** The smallest sample the penalties are chosen on (all rows when there are fewer). */
  public static final int MIN_SAMPLE_ROWS = 4096;

  /** Rows of each class the sample holds at least (all of the class when it has fewer). */
  static final int MIN_CLASS_ROWS = 50;

  private PassesFinalModel() {}

  /**
   * The features that are finite on every row, the model on them, the sample's rows and the passes
   * over all rows.
   */
  public record Fitted(
      List<Expr> features, LinearModel model, int sampleRows, int passes, boolean converged) {}

  /** Whether {@code rows} rows are enough for the sample's folds. */
  public static boolean possible(int rows, PathOptions options) {
    return rows >= 2 * options.folds();
  }

  /** The sample's rows when {@code rows} rows are to be fitted and {@code wanted} are asked for. */
  public static int sampleRows(int rows, int wanted) {
    return Math.min(rows, Math.max(wanted, MIN_SAMPLE_ROWS));
  }

  /**
   * An upper bound of the heap bytes {@link #fit} allocates for {@code features} over {@code
   * inputs} input columns, with a sample of {@code sampleRows} rows and {@code classes} classes:
   * the sample's inputs, values and fit, one block of values and the evaluation's temporaries, the
   * pass sums.
   */
  public static long bytes(
      List<Expr> features, int inputs, int rows, int sampleRows, int classes, PathOptions options) {
    long evaluation = 0;
    for (Expr e : features) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(e, BLOCK_ROWS));
    }
    return bytes(features.size(), inputs, rows, sampleRows, classes, options) + evaluation;
  }

  /**
   * {@link #bytes(List, int, int, int, int, PathOptions)} without the evaluation's temporaries, for
   * {@code k} features.
   */
  public static long bytes(
      int k, int inputs, int rows, int sampleRows, int classes, PathOptions options) {
    int block = Math.max(1, Math.min(rows, BLOCK_ROWS));
    int c = Math.max(2, classes);
    // a stratified sample may hold a few more rows than asked: every class's smallest share
    int m = (int) Math.max(1, Math.min(rows, (long) sampleRows + (long) MIN_CLASS_ROWS * c));
    return HeapBytes.doubles(k, block)
        + HeapBytes.doubles(block)
        + HeapBytes.refs(k) * 3
        + HeapBytes.booleans(k)
        + HeapBytes.doubles(inputs, m)
        + HeapBytes.doubles(k, m)
        + HeapBytes.doubles(m)
        + HeapBytes.ints(m)
        + StreamedLogistic.sampleFitBytes(k, m, options)
        + StreamedLogistic.sumsBytes(k, c)
        + 4 * HeapBytes.doubles(c)
        + 2 * HeapBytes.doubles(c, k + 1L)
        + 256L * k;
  }

  /**
   * {@link #bytes(int, int, int, int, int, PathOptions)} for the smallest sample, two classes and
   * room for the evaluation's temporaries of features nested up to {@value
   * SumsFinalModel#PLANNED_TEMPORARIES} levels deep: a plan made before the features are known.
   */
  public static long planBytes(int k, int inputs, int rows, PathOptions options) {
    return bytes(k, inputs, rows, sampleRows(rows, 0), 2, options)
        + SumsFinalModel.PLANNED_TEMPORARIES
            * HeapBytes.doubles(Math.min(Math.max(1, rows), ExprEvaluator.BLOCK));
  }

  /**
   * Fits the model of {@code features} (expressions over {@code columns}) on the first {@code n}
   * rows and class labels {@code y}, with a sample of {@code sampleRows} rows (at least {@link
   * #MIN_SAMPLE_ROWS}, or all).
   *
   * @throws IllegalArgumentException if {@code n} is below {@link #possible}, or there are fewer
   *     than two classes
   */
  public static Fitted fit(
      List<Expr> features,
      double[][] columns,
      int n,
      double[] y,
      int sampleRows,
      PathOptions options) {
    return fit(features, columns, n, y, sampleRows, options, () -> {});
  }

  /**
   * {@link #fit(List, double[][], int, double[], int, PathOptions)}, running {@code checkpoint}
   * (which may throw to stop the fit) before each pass over the rows.
   */
  public static Fitted fit(
      List<Expr> features,
      double[][] columns,
      int n,
      double[] y,
      int sampleRows,
      PathOptions options,
      Runnable checkpoint) {
    if (!possible(n, options)) {
      throw new IllegalArgumentException(
          n + " rows are too few for " + options.folds() + " folds of a sample");
    }
    int k = features.size();
    int block = Math.min(n, BLOCK_ROWS);
    double[][] values = new double[k][block];
    ExprEvaluator.Work work = new ExprEvaluator.Work();
    boolean[] finite = new boolean[k];
    Arrays.fill(finite, true);
    for (int from = 0; from < n; from += block) {
      int len = Math.min(block, n - from);
      for (int j = 0; j < k; j++) {
        if (finite[j]) {
          ExprEvaluator.evaluateRange(features.get(j), columns, from, len, values[j], 0, work);
          finite[j] = Vectors.allFinite(values[j], 0, len);
        }
      }
    }
    List<Expr> usable = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      if (finite[j]) {
        usable.add(features.get(j));
      }
    }
    int p = usable.size();
    int m = sampleRows(n, sampleRows);
    int[] rows = stratifiedSample(y, n, m);
    m = rows.length;
    double[][] sampleColumns = new double[columns.length][m];
    double[] labels = new double[m];
    for (int s = 0; s < m; s++) {
      labels[s] = y[rows[s]];
    }
    for (int c = 0; c < columns.length; c++) {
      double[] from = columns[c];
      double[] to = sampleColumns[c];
      for (int s = 0; s < m; s++) {
        to[s] = from[rows[s]];
      }
    }
    double[][] sample = new double[p][m];
    for (int from = 0; from < m; from += block) {
      int len = Math.min(block, m - from);
      for (int q = 0; q < p; q++) {
        ExprEvaluator.evaluateRange(usable.get(q), sampleColumns, from, len, sample[q], from, work);
      }
    }
    sampleColumns = null;
    StreamedLogistic refit = StreamedLogistic.fromSample(sample, m, labels, options);
    sample = null;
    labels = null;
    double[][] scaled = new double[p][];
    for (int q = 0, j = 0; j < k; j++) {
      if (finite[j]) {
        scaled[q++] = values[j];
      }
    }
    double[] target = new double[block];
    do {
      checkpoint.run();
      for (int from = 0; from < n; from += block) {
        int len = Math.min(block, n - from);
        for (int q = 0; q < p; q++) {
          ExprEvaluator.evaluateRange(usable.get(q), columns, from, len, scaled[q], 0, work);
        }
        System.arraycopy(y, from, target, 0, len);
        refit.add(scaled, target, len);
      }
    } while (!refit.endPass());
    return new Fitted(usable, refit.model(), m, refit.passes(), refit.converged());
  }

  /**
   * About {@code m} of the first {@code n} rows, ascending, spread evenly over each class's rows:
   * each class in proportion to its rows, and at least {@link #MIN_CLASS_ROWS} of it (all of a
   * smaller class), so the sample has every class.
   */
  static int[] stratifiedSample(double[] y, int n, int m) {
    if (m >= n) {
      int[] all = new int[n];
      Arrays.setAll(all, i -> i);
      return all;
    }
    double[] classes = L1Models.classes(y, n);
    long[] count = new long[classes.length];
    for (int i = 0; i < n; i++) {
      count[Arrays.binarySearch(classes, y[i])]++;
    }
    long[] take = new long[classes.length];
    int total = 0;
    for (int c = 0; c < classes.length; c++) {
      long proportional = Math.round((double) m * count[c] / n);
      take[c] = Math.min(count[c], Math.max(MIN_CLASS_ROWS, proportional));
      total += (int) take[c];
    }
    int[] rows = new int[total];
    long[] seen = new long[classes.length];
    int out = 0;
    for (int i = 0; i < n && out < total; i++) {
      int c = Arrays.binarySearch(classes, y[i]);
      long before = seen[c]++ * take[c] / count[c];
      long after = seen[c] * take[c] / count[c];
      if (after > before) {
        rows[out++] = i;
      }
    }
    return rows;
  }
}
