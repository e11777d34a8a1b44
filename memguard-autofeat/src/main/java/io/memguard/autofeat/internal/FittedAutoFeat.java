package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.linear.LinearModel;
import java.util.List;
import java.util.Objects;

/**
 * A fitted autofeat model: the selected feature expressions over the input columns and the linear
 * model on them; immutable and thread-safe. It keeps no training data.
 *
 * <p>{@code transform} evaluates the expressions in closed form, in double precision. A NaN input
 * gives NaN for the features that use that column; a value outside a feature's training domain
 * (e.g. log of a negative number) gives NaN too (infinities are mapped to NaN). Predictions are NaN
 * for rows whose used features are NaN. Nothing here throws for numeric reasons.
 */
public final class FittedAutoFeat {

  private final List<String> inputNames;
  private final List<Expr> features;
  private final LinearModel model;
  private final EngineReport report;

  FittedAutoFeat(
      List<String> inputNames, List<Expr> features, LinearModel model, EngineReport report) {
    this.inputNames = List.copyOf(inputNames);
    this.features = List.copyOf(features);
    this.model = Objects.requireNonNull(model, "model");
    this.report = Objects.requireNonNull(report, "report");
  }

  /**
   * A fitted model rebuilt from its parts (a saved model being loaded).
   *
   * @throws IllegalArgumentException if a feature reads a column beyond {@code inputNames} or the
   *     model's width is not the number of features
   */
  public static FittedAutoFeat restore(
      List<String> inputNames, List<Expr> features, LinearModel model, EngineReport report) {
    for (Expr e : features) {
      for (int s : e.symbols()) {
        if (s >= inputNames.size()) {
          throw new IllegalArgumentException(
              "feature " + e + " reads column " + s + " of " + inputNames.size());
        }
      }
    }
    if (model.features() != features.size()) {
      throw new IllegalArgumentException(
          "the linear model has "
              + model.features()
              + " coefficients per row for "
              + features.size()
              + " features");
    }
    return new FittedAutoFeat(inputNames, features, model, report);
  }

  /**
   * The input column names, in the order {@code transform} and {@code predict} expect the columns.
   */
  public List<String> inputNames() {
    return inputNames;
  }

  /** The selected features (input columns appear as plain symbols), in model order. */
  public List<Expr> features() {
    return features;
  }

  /** The printed selected features. */
  public List<String> featureNames() {
    return features.stream().map(Expr::toString).toList();
  }

  /** The final linear model over {@link #features()}. */
  public LinearModel model() {
    return model;
  }

  /** Figures of the fit. */
  public EngineReport report() {
    return report;
  }

  /**
   * Computes the selected features for new data given column-major.
   *
   * @param columns one array per input column, all of the same length
   * @return one array per selected feature
   * @throws IllegalArgumentException if the number of columns is wrong or their lengths differ
   */
  public double[][] transformColumns(double[][] columns) {
    int n = checkColumns(columns);
    double[][] out = new double[features.size()][];
    for (int k = 0; k < features.size(); k++) {
      double[] v = ExprEvaluator.evaluate(features.get(k), columns, n);
      for (int i = 0; i < n; i++) {
        if (Double.isInfinite(v[i])) {
          v[i] = Double.NaN;
        }
      }
      out[k] = v;
    }
    return out;
  }

  /**
   * Computes the selected features of rows {@code [0, rows)} into {@code out}, one array per
   * feature, with temporaries from {@code work}; allocates nothing once {@code work} has grown.
   *
   * @throws IllegalArgumentException if the number of columns is wrong or an array is too short
   */
  public void transformInto(double[][] columns, int rows, double[][] out, ExprEvaluator.Work work) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(out, "out");
    if (columns.length != inputNames.size()) {
      throw new IllegalArgumentException(
          "got " + columns.length + " columns, expected " + inputNames.size() + " " + inputNames);
    }
    if (out.length != features.size()) {
      throw new IllegalArgumentException(
          "got " + out.length + " output arrays, expected one per feature: " + features.size());
    }
    for (int k = 0; k < features.size(); k++) {
      double[] v = out[k];
      ExprEvaluator.evaluateInto(features.get(k), columns, rows, v, work);
      for (int i = 0; i < rows; i++) {
        if (Double.isInfinite(v[i])) {
          v[i] = Double.NaN;
        }
      }
    }
  }

  /**
   * Computes the selected features for new data given row-major.
   *
   * @param rows one array of input values per row
   * @return one array of feature values per row
   * @throws IllegalArgumentException if a row has the wrong number of values
   */
  public double[][] transformRows(double[][] rows) {
    double[][] out = new double[rows.length][features.size()];
    for (int i = 0; i < rows.length; i++) {
      transformRow(rows[i], out[i]);
    }
    return out;
  }

  private void transformRow(double[] row, double[] out) {
    if (row.length != inputNames.size()) {
      throw new IllegalArgumentException(
          "row has " + row.length + " values, expected " + inputNames.size());
    }
    for (int k = 0; k < features.size(); k++) {
      double v = ExprEvaluator.evaluate(features.get(k), row);
      out[k] = Double.isInfinite(v) ? Double.NaN : v;
    }
  }

  /** Rows {@link #predictColumns} evaluates at a time. */
  public static final int PREDICT_BLOCK = 4096;

  /**
   * Heap bytes {@link #predictColumns} allocates besides its result for {@code rows} rows: one
   * block of feature values and the evaluation temporaries (an upper bound).
   */
  public long predictWorkBytes(int rows) {
    int block = Math.max(1, Math.min(rows, PREDICT_BLOCK));
    return HeapBytes.doubles(features.size(), block)
        + 2 * HeapBytes.doubles(features.size())
        + evaluationWorkBytes(block);
  }

  /**
   * Heap bytes of the temporaries one feature's evaluation over {@code rows} rows allocates besides
   * its result (the largest over the features, an upper bound), as in {@link #transformColumns}.
   */
  public long evaluationWorkBytes(int rows) {
    long evaluation = 0;
    for (Expr e : features) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(e, rows));
    }
    return evaluation;
  }

  /**
   * Predictions (values, or class labels) for column-major data, computed {@link #PREDICT_BLOCK}
   * rows at a time so that the temporaries stay within {@link #predictWorkBytes} whatever the
   * number of rows.
   */
  public double[] predictColumns(double[][] columns) {
    int n = checkColumns(columns);
    double[] out = new double[n];
    int p = features.size();
    int block = Math.max(1, Math.min(n, PREDICT_BLOCK));
    double[][] f = new double[p][block];
    double[] row = new double[p];
    ExprEvaluator.Work work = new ExprEvaluator.Work();
    for (int from = 0; from < n; from += block) {
      int len = Math.min(block, n - from);
      for (int k = 0; k < p; k++) {
        ExprEvaluator.evaluateRange(features.get(k), columns, from, len, f[k], 0, work);
      }
      for (int i = 0; i < len; i++) {
        for (int k = 0; k < p; k++) {
          double v = f[k][i];
          row[k] = Double.isInfinite(v) ? Double.NaN : v;
        }
        out[from + i] = model.predict(row);
      }
    }
    return out;
  }

  /** Predictions (values, or class labels) for row-major data. */
  public double[] predictRows(double[][] rows) {
    double[] out = new double[rows.length];
    double[] f = new double[features.size()];
    for (int i = 0; i < rows.length; i++) {
      transformRow(rows[i], f);
      out[i] = model.predict(f);
    }
    return out;
  }

  private int checkColumns(double[][] columns) {
    Objects.requireNonNull(columns, "columns");
    if (columns.length != inputNames.size()) {
      throw new IllegalArgumentException(
          "got " + columns.length + " columns, expected " + inputNames.size() + " " + inputNames);
    }
    int n = columns.length == 0 ? 0 : columns[0].length;
    for (int j = 0; j < columns.length; j++) {
      if (columns[j].length != n) {
        throw new IllegalArgumentException(
            "column " + j + " has " + columns[j].length + " values, column 0 has " + n);
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "FittedAutoFeat{features=" + featureNames() + ", " + model + "}";
  }
}
