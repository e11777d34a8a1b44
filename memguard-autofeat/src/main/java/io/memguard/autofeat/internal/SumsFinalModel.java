package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.linear.GramLassoCv;
import io.memguard.autofeat.internal.linear.KFold;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A regression's final model from per-fold sums of its features, evaluated over blocks of rows: the
 * cross-validated lasso of {@link GramLassoCv} on the same contiguous folds as the in-memory final
 * model ({@link KFold}), so its heap is one block of feature values and {@code O(folds x
 * features^2)} sums, whatever the number of rows. Two passes over the rows: the first finds the
 * features that are finite on every row (the others are dropped, as the in-memory model drops them)
 * and their mean and spread, which centre and scale the sums of the second. Stateless and
 * thread-safe.
 */
public final class SumsFinalModel {

  /** How the model is fitted, for messages. */
  public static final String DESCRIPTION = "from per-fold sums over blocks of rows";

  /** Rows evaluated per block. */
  static final int BLOCK_ROWS = 4096;

  private SumsFinalModel() {}

  /** The features that are finite on every row, and the model on them. */
  public record Fitted(List<Expr> features, LinearModel model) {}

  /** Whether {@code rows} rows are enough for the folds of {@code options}. */
  public static boolean possible(int rows, PathOptions options) {
    return rows >= 2 * options.folds();
  }

  /**
   * An upper bound of the heap bytes {@link #fit} allocates for {@code features} on {@code rows}
   * rows: one block of their values and the evaluation's temporaries, the per-feature statistics,
   * the per-fold sums and the fit on them.
   */
  public static long bytes(List<Expr> features, int rows, PathOptions options) {
    long evaluation = 0;
    for (Expr e : features) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(e, BLOCK_ROWS));
    }
    return bytes(features.size(), rows, options) + evaluation;
  }

  /**
   * {@link #bytes(List, int, PathOptions)} without the evaluation's temporaries, for {@code k}
   * features.
   */
  public static long bytes(int k, int rows, PathOptions options) {
    int block = Math.max(1, Math.min(rows, BLOCK_ROWS));
    int folds = options.folds();
    // the target's block, and as much again for what the fit allocates beyond the itemised bounds
    // (measured by SumsFinalModelTest: about 25 KB with 3 features)
    return HeapBytes.doubles(k, block)
        + 2 * HeapBytes.doubles(block)
        + HeapBytes.refs(k) * 2
        + 6 * HeapBytes.doubles(k)
        + GramLassoCv.Stats.bytes(k, folds)
        + GramLassoCv.fitBytes(k, folds)
        + 256L * k;
  }

  /**
   * {@link #bytes(int, int, PathOptions)} with room for the evaluation's temporaries of features
   * nested up to {@value #PLANNED_TEMPORARIES} levels deep, for a plan made before the features are
   * known.
   */
  public static long planBytes(int k, int rows, PathOptions options) {
    return bytes(k, rows, options)
        + PLANNED_TEMPORARIES * HeapBytes.doubles(Math.min(Math.max(1, rows), ExprEvaluator.BLOCK));
  }

  /** Nesting levels of temporaries a plan counts on (the steps nest at most a few levels). */
  static final int PLANNED_TEMPORARIES = 16;

  /**
   * Fits the model of {@code features} (expressions over {@code columns}) on the first {@code n}
   * rows and targets {@code y}.
   *
   * @throws IllegalArgumentException if {@code n} is below {@link #possible}
   */
  public static Fitted fit(
      List<Expr> features, double[][] columns, int n, double[] y, PathOptions options) {
    if (!possible(n, options)) {
      throw new IllegalArgumentException(
          n + " rows are too few for " + options.folds() + " folds of per-fold sums");
    }
    int k = features.size();
    int block = Math.min(n, BLOCK_ROWS);
    double[][] values = new double[k][block];
    ExprEvaluator.Work work = new ExprEvaluator.Work();
    // pass 1: finite on every row, and mean and spread (around the first row's value, which keeps
    // the sum of squares well conditioned for features far from 0)
    boolean[] finite = new boolean[k];
    Arrays.fill(finite, true);
    double[] origin = new double[k];
    double[] sum = new double[k];
    double[] sumSquares = new double[k];
    double[] largest = new double[k];
    for (int from = 0; from < n; from += block) {
      int len = Math.min(block, n - from);
      for (int j = 0; j < k; j++) {
        if (!finite[j]) {
          continue;
        }
        double[] v = values[j];
        ExprEvaluator.evaluateRange(features.get(j), columns, from, len, v, 0, work);
        if (from == 0) {
          origin[j] = v[0];
        }
        double s = 0;
        double ss = 0;
        double most = largest[j];
        for (int i = 0; i < len && finite[j]; i++) {
          double d = v[i] - origin[j];
          finite[j] = Double.isFinite(v[i]);
          s += d;
          ss += d * d;
          most = Math.max(most, Math.abs(d));
        }
        sum[j] += s;
        sumSquares[j] += ss;
        largest[j] = most;
      }
    }
    List<Expr> usable = new ArrayList<>();
    int[] kept = new int[k];
    for (int j = 0; j < k; j++) {
      if (finite[j]) {
        kept[usable.size()] = j;
        usable.add(features.get(j));
      }
    }
    int p = usable.size();
    if (p == 0) {
      return new Fitted(usable, LinearModel.regression(new double[0], Vectors.sum(y, 0, n) / n));
    }
    double[] shift = new double[p];
    double[] scale = new double[p];
    for (int q = 0; q < p; q++) {
      int j = kept[q];
      double centred = sum[j] / n;
      shift[q] = origin[j] + centred;
      double spread = Math.sqrt(Math.max(0, sumSquares[j] / n - centred * centred));
      // squares past the double range: the largest deviation scales as well (any close value does)
      scale[q] = spread > 0 && Double.isFinite(spread) ? spread : largest[j] > 0 ? largest[j] : 1;
    }
    // pass 2: the per-fold sums of the scaled features
    KFold folds = new KFold(n, options.folds());
    GramLassoCv.Stats stats = new GramLassoCv.Stats(p, options.folds());
    double[][] scaled = new double[p][];
    for (int q = 0; q < p; q++) {
      scaled[q] = values[kept[q]];
    }
    double[] target = new double[block];
    // the target centred on its mean: sums of a target far from 0 would lose the digits of its
    // spread
    double yMean = Vectors.sum(y, 0, n) / n;
    for (int from = 0; from < n; from += block) {
      int len = Math.min(block, n - from);
      for (int q = 0; q < p; q++) {
        double[] v = scaled[q];
        ExprEvaluator.evaluateRange(usable.get(q), columns, from, len, v, 0, work);
        double inverse = 1 / scale[q];
        for (int i = 0; i < len; i++) {
          v[i] = (v[i] - shift[q]) * inverse;
        }
      }
      for (int i = 0; i < len; i++) {
        target[i] = y[from + i] - yMean;
      }
      for (int f = 0; f < folds.folds(); f++) {
        int start = Math.max(folds.start(f), from);
        int end = Math.min(folds.end(f), from + len);
        if (start < end) {
          stats.add(f, scaled, target, start - from, end - start);
        }
      }
    }
    GramLassoCv.Result r = GramLassoCv.fit(stats, shift, scale, options);
    return new Fitted(usable, LinearModel.regression(r.coef(), r.intercept() + yMean));
  }
}
