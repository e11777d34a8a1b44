package io.memguard.autofeat.internal.linear;

import java.util.Arrays;
import java.util.Objects;

/**
 * A fitted linear model on the original (unstandardised) feature scale: a regression line, or
 * one-vs-rest logistic scores per class; immutable and thread-safe.
 *
 * <p>For regression there is one coefficient row and {@link #predict(double[])} returns {@code b +
 * w.x}. For classification there is one row per class (a single row for two classes, scoring the
 * second class), and {@code predict} returns the class label with the highest score. A NaN feature
 * gives a NaN prediction.
 */
public final class LinearModel {

  private final TargetKind problem;
  private final double[][] coef;
  private final double[] intercept;
  private final double[] classes;

  private LinearModel(TargetKind problem, double[][] coef, double[] intercept, double[] classes) {
    this.problem = problem;
    this.coef = coef;
    this.intercept = intercept;
    this.classes = classes;
  }

  /** A regression model {@code intercept + coef.x}. */
  public static LinearModel regression(double[] coef, double intercept) {
    return new LinearModel(
        TargetKind.REGRESSION, new double[][] {coef.clone()}, new double[] {intercept}, null);
  }

  /**
   * A classifier.
   *
   * @param classes the sorted class labels
   * @param coef one row per class, or a single row (scoring {@code classes[1]}) when there are two
   *     classes
   * @param intercept one per row
   */
  public static LinearModel classifier(double[] classes, double[][] coef, double[] intercept) {
    Objects.requireNonNull(classes, "classes");
    int rows = classes.length == 2 ? 1 : classes.length;
    if (coef.length != rows || intercept.length != rows) {
      throw new IllegalArgumentException(
          "expected "
              + rows
              + " coefficient rows for "
              + classes.length
              + " classes, got "
              + coef.length);
    }
    double[][] c = new double[rows][];
    for (int k = 0; k < rows; k++) {
      c[k] = coef[k].clone();
    }
    return new LinearModel(TargetKind.CLASSIFICATION, c, intercept.clone(), classes.clone());
  }

  /** Regression or classification. */
  public TargetKind problem() {
    return problem;
  }

  /** The number of features. */
  public int features() {
    return coef[0].length;
  }

  /**
   * A copy of the coefficients: one row for regression and binary classification, else one per
   * class.
   */
  public double[][] coefficients() {
    double[][] c = new double[coef.length][];
    for (int k = 0; k < coef.length; k++) {
      c[k] = coef[k].clone();
    }
    return c;
  }

  /** A copy of the intercepts, one per coefficient row. */
  public double[] intercepts() {
    return intercept.clone();
  }

  /** A copy of the class labels (classification), or an empty array. */
  public double[] classes() {
    return classes == null ? new double[0] : classes.clone();
  }

  /** The linear score of coefficient row {@code k} for one row of features. */
  public double decision(int k, double[] features) {
    double v = intercept[k];
    double[] c = coef[k];
    for (int j = 0; j < c.length; j++) {
      if (c[j] != 0) {
        v += c[j] * features[j];
      }
    }
    return v;
  }

  /** The prediction for one row of features (value, or class label). */
  public double predict(double[] features) {
    if (features.length != coef[0].length) {
      throw new IllegalArgumentException(
          "expected " + coef[0].length + " features, got " + features.length);
    }
    if (problem == TargetKind.REGRESSION) {
      return decision(0, features);
    }
    for (double f : features) {
      if (Double.isNaN(f)) {
        return Double.NaN;
      }
    }
    if (classes.length == 2) {
      double d = decision(0, features);
      return Double.isNaN(d) ? Double.NaN : (d > 0 ? classes[1] : classes[0]);
    }
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < coef.length; k++) {
      double d = decision(k, features);
      if (d > bestScore) {
        bestScore = d;
        best = k;
      }
    }
    return classes[best];
  }

  /**
   * Class probabilities (one-vs-rest scores normalised to sum to one), in the order of {@link
   * #classes()}.
   */
  public double[] predictProba(double[] features) {
    if (problem != TargetKind.CLASSIFICATION) {
      throw new IllegalStateException("predictProba needs a classifier");
    }
    if (classes.length == 2) {
      double p1 = LogisticCv.sigmoid(decision(0, features));
      return new double[] {1 - p1, p1};
    }
    double[] p = new double[classes.length];
    double sum = 0;
    for (int k = 0; k < p.length; k++) {
      p[k] = LogisticCv.sigmoid(decision(k, features));
      sum += p[k];
    }
    for (int k = 0; k < p.length; k++) {
      p[k] /= sum;
    }
    return p;
  }

  @Override
  public String toString() {
    return problem
        + " model: intercept="
        + Arrays.toString(intercept)
        + ", coef="
        + Arrays.deepToString(coef);
  }
}
