package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import java.util.Arrays;
import java.util.Objects;

/**
 * A one-vs-rest L1-penalised logistic classifier refitted over rows that are read in passes and
 * never held: the final model of a streamed classification fit. The penalty of each class and the
 * starting point come from a cross-validated {@link LogisticCv} fit on a sample held in memory (the
 * search's); each pass then adds, per class and per side (the class, the rest), the sums a Newton
 * step needs at the current coefficients: the weighted cross-products of the features, the gradient
 * and the loss, a few kilobytes for any number of rows. Between passes, the penalised quadratic
 * model is minimised by coordinate descent, and a step that does not lower the penalised objective
 * is halved (as {@link LogisticCv} does). Classes are balanced as in-process (each side weighs
 * half), with the counts of the whole pass.
 *
 * <p>The objective per class is {@link LogisticCv}'s, {@code (1/W) sum_i w_i (log(1 + e^eta_i) -
 * y_i eta_i) + lambda ||beta||_1}, on features centred and scaled by the sample's mean and spread.
 * Rows on which a feature is not finite are left out and counted; a label the sample did not have
 * counts on the rest's side of every class. Not thread-safe.
 */
public final class StreamedLogistic {

  /** Passes after which the refit stops, converged or not. */
  public static final int MAX_PASSES = 30;

  /** The relative decrease of the objective below which a class has converged. */
  static final double TOLERANCE = 1e-10;

  private static final int MAX_HALVINGS = 30;
  private static final int MAX_SWEEPS = 10_000;

  private final double[] classes;
  private final double[] shift;
  private final double[] scale;
  private final ClassModel[] models;
  private final double[] z;
  private long rows;
  private long skipped;
  private long unknownLabels;
  private int passes;

  /**
   * One class's one-vs-rest model: its penalty, its points and the sums of the pass under way, per
   * side (0: the class, 1: the rest).
   */
  private static final class ClassModel {
    final double positive;
    final double lambda;
    double[] theta; // intercept, then one coefficient per feature
    double[] accepted;
    double acceptedObjective = Double.POSITIVE_INFINITY;
    boolean converged;
    int halvings;
    final double[][] cross; // [side][a * (p + 1) + b], a <= b: sum of v * z_a * z_b
    final double[][] gradient; // [side][a]: sum of (y - prob) * z_a
    final double[] loss = new double[2];
    final long[] count = new long[2];

    ClassModel(double positive, double lambda, double[] theta) {
      this.positive = positive;
      this.lambda = lambda;
      this.theta = theta;
      int q = theta.length;
      this.cross = new double[2][q * q];
      this.gradient = new double[2][q];
    }

    void clearSums() {
      for (int s = 0; s < 2; s++) {
        Arrays.fill(cross[s], 0);
        Arrays.fill(gradient[s], 0);
        loss[s] = 0;
        count[s] = 0;
      }
    }
  }

  private StreamedLogistic(double[] classes, double[] shift, double[] scale, ClassModel[] models) {
    this.classes = classes;
    this.shift = shift;
    this.scale = scale;
    this.models = models;
    this.z = new double[shift.length + 1];
  }

  /**
   * Heap bytes {@link #fromSample} allocates besides its input and the pass sums ({@link
   * #sumsBytes}), for {@code p} features and {@code m} sample rows: the standardised copy, the
   * binary targets and weights, and one {@link LogisticCv} fit's work.
   */
  public static long sampleFitBytes(int p, int m, PathOptions options) {
    return HeapBytes.doubles(p, m) + 2 * HeapBytes.doubles(m) + LogisticCv.workBytes(p, m, options);
  }

  /** Heap bytes of the pass sums for {@code p} features and {@code classes} classes. */
  public static long sumsBytes(int p, int classes) {
    int models = classes == 2 ? 1 : classes;
    long q = p + 1L;
    return models * (4 * HeapBytes.doubles(q) + 2 * HeapBytes.doubles(q * q) + 256)
        + 4 * HeapBytes.doubles(p + 1)
        + 256;
  }

  /**
   * Fits each class's cross-validated model on the sample ({@code x[feature][row]}, the first
   * {@code m} rows, every value finite) and returns the refit starting there, with those penalties.
   *
   * @throws IllegalArgumentException if the sample has fewer than two classes
   */
  public static StreamedLogistic fromSample(double[][] x, int m, double[] y, PathOptions options) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    int p = x.length;
    double[] classes = L1Models.classes(y, m);
    if (classes.length < 2) {
      throw new IllegalArgumentException(
          "classification needs at least 2 classes, found " + classes.length);
    }
    double[] shift = new double[p];
    double[] scale = new double[p];
    double[][] zs = new double[p][m];
    L1Models.standardise(x, m, shift, scale, zs);
    int count = classes.length == 2 ? 1 : classes.length;
    ClassModel[] models = new ClassModel[count];
    double[] yb = new double[m];
    double[] w = new double[m];
    for (int k = 0; k < count; k++) {
      double positive = classes[classes.length == 2 ? 1 : k];
      L1Models.binaryProblem(y, m, positive, yb, w);
      LogisticCv.Result r = LogisticCv.fit(zs, m, yb, w, options);
      double[] theta = new double[p + 1];
      theta[0] = r.intercept();
      System.arraycopy(r.coef(), 0, theta, 1, p);
      models[k] = new ClassModel(positive, r.lambda(), theta);
    }
    return new StreamedLogistic(classes, shift, scale, models);
  }

  /**
   * Adds {@code n} rows of a pass at the current coefficients: {@code features[feature][i]} and
   * {@code labels[i]}.
   */
  public void add(double[][] features, double[] labels, int n) {
    int p = shift.length;
    int q = p + 1;
    double[] zi = z;
    zi[0] = 1;
    for (int i = 0; i < n; i++) {
      boolean finite = true;
      for (int j = 0; j < p; j++) {
        double v = features[j][i];
        if (!Double.isFinite(v)) {
          finite = false;
          break;
        }
        zi[j + 1] = scale[j] > 0 ? (v - shift[j]) / scale[j] : 0;
      }
      if (!finite) {
        skipped++;
        continue;
      }
      rows++;
      double label = labels[i];
      if (Arrays.binarySearch(classes, label) < 0) {
        unknownLabels++;
      }
      for (ClassModel model : models) {
        if (model.converged) {
          continue;
        }
        boolean isPositive = label == model.positive;
        int s = isPositive ? 0 : 1;
        double eta = dot(model.theta, zi, q);
        double prob = 1 / (1 + Math.exp(-eta));
        double yb = isPositive ? 1 : 0;
        model.loss[s] += softplus(eta) - yb * eta;
        model.count[s]++;
        addRow(model.cross[s], model.gradient[s], zi, q, prob * (1 - prob), yb - prob);
      }
    }
  }

  private static double dot(double[] a, double[] b, int q) {
    double s = 0;
    for (int j = 0; j < q; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  /** log(1 + e^eta) without overflow. */
  private static double softplus(double eta) {
    return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
  }

  private static void addRow(
      double[] cross, double[] gradient, double[] zi, int q, double variance, double residual) {
    for (int a = 0; a < q; a++) {
      double va = variance * zi[a];
      gradient[a] += residual * zi[a];
      int base = a * q;
      for (int b = a; b < q; b++) {
        cross[base + b] += va * zi[b];
      }
    }
  }

  /**
   * Ends a pass: per class, accepts the point the pass evaluated (or halves the step when the
   * objective rose) and moves to the minimiser of the penalised quadratic model there.
   *
   * @return whether the refit is done: every class converged, or {@link #MAX_PASSES} passes
   */
  public boolean endPass() {
    passes++;
    for (ClassModel model : models) {
      if (!model.converged) {
        step(model);
        model.clearSums();
      }
    }
    return passes >= MAX_PASSES || converged();
  }

  private void step(ClassModel model) {
    long nPos = model.count[0];
    long nNeg = model.count[1];
    long n = nPos + nNeg;
    if (n == 0) {
      model.converged = true;
      return;
    }
    double wPos = nPos == 0 ? 1 : n / (2.0 * nPos);
    double wNeg = nNeg == 0 ? 1 : n / (2.0 * nNeg);
    double total = wPos * nPos + wNeg * nNeg;
    double[] theta = model.theta;
    int q = theta.length;
    double penalty = 0;
    for (int j = 1; j < q; j++) {
      penalty += Math.abs(theta[j]);
    }
    double objective =
        (wPos * model.loss[0] + wNeg * model.loss[1]) / total + model.lambda * penalty;
    if (model.accepted != null) {
      double tolerance = TOLERANCE * Math.max(1, Math.abs(objective));
      if (objective > model.acceptedObjective) {
        if (objective - model.acceptedObjective <= tolerance || ++model.halvings > MAX_HALVINGS) {
          // at the optimum up to rounding, or a direction that does not descend
          model.theta = model.accepted;
          model.converged = true;
          return;
        }
        for (int j = 0; j < q; j++) {
          theta[j] = 0.5 * (theta[j] + model.accepted[j]);
        }
        return;
      }
      if (model.acceptedObjective - objective <= tolerance) {
        model.converged = true;
        return;
      }
    }
    model.accepted = theta.clone();
    model.acceptedObjective = objective;
    model.halvings = 0;
    double[] h = new double[q * q];
    double[] g = new double[q];
    for (int a = 0; a < q; a++) {
      g[a] = (wPos * model.gradient[0][a] + wNeg * model.gradient[1][a]) / total;
      for (int b = a; b < q; b++) {
        double v = (wPos * model.cross[0][a * q + b] + wNeg * model.cross[1][a * q + b]) / total;
        h[a * q + b] = v;
        h[b * q + a] = v;
      }
    }
    double[] next = solveQuadratic(h, g, theta, model.lambda);
    double change = 0;
    for (int j = 0; j < q; j++) {
      change = Math.max(change, Math.abs(next[j] - theta[j]));
    }
    model.theta = next;
    if (change == 0) {
      model.converged = true;
    }
  }

  /**
   * Minimises {@code -g.(t - theta) + (t - theta)' h (t - theta) / 2 + lambda ||t[1..]||_1} over
   * {@code t} by cyclic coordinate descent (the intercept, index 0, unpenalised).
   */
  static double[] solveQuadratic(double[] h, double[] g, double[] theta, double lambda) {
    int q = theta.length;
    double[] t = theta.clone();
    double[] hu = new double[q]; // h (t - theta)
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double largest = 0;
      for (int j = 0; j < q; j++) {
        double a = h[j * q + j];
        if (!(a > 0)) {
          continue;
        }
        double u = t[j] - theta[j];
        double c = g[j] - (hu[j] - a * u);
        double next = j == 0 ? theta[j] + c / a : softThreshold(a * theta[j] + c, lambda) / a;
        double delta = next - t[j];
        if (delta != 0) {
          t[j] = next;
          for (int l = 0; l < q; l++) {
            hu[l] += h[l * q + j] * delta;
          }
          largest = Math.max(largest, Math.abs(delta) * Math.sqrt(a));
        }
      }
      if (largest < 1e-14) {
        break;
      }
    }
    return t;
  }

  private static double softThreshold(double x, double lambda) {
    return x > lambda ? x - lambda : x < -lambda ? x + lambda : 0;
  }

  /** Whether every class has converged. */
  public boolean converged() {
    for (ClassModel model : models) {
      if (!model.converged) {
        return false;
      }
    }
    return true;
  }

  /** Class {@code k}'s intercept and coefficients on the centred and scaled features. */
  double[] theta(int k) {
    return models[k].theta.clone();
  }

  double[] shift() {
    return shift.clone();
  }

  double[] scale() {
    return scale.clone();
  }

  /** Passes ended so far. */
  public int passes() {
    return passes;
  }

  /** Rows used by the last pass, and by every pass before it. */
  public long rowsPerPass() {
    return passes == 0 ? rows : rows / passes;
  }

  /** Rows left out of each pass because a feature was not finite on them. */
  public long skippedRowsPerPass() {
    return passes == 0 ? skipped : skipped / passes;
  }

  /** Rows per pass whose label the sample did not have (counted on the rest's side). */
  public long unknownLabelsPerPass() {
    return passes == 0 ? unknownLabels : unknownLabels / passes;
  }

  /** The penalty of each class's model (one for two classes). */
  public double[] lambdas() {
    double[] out = new double[models.length];
    for (int k = 0; k < models.length; k++) {
      out[k] = models[k].lambda;
    }
    return out;
  }

  /** The model at the current coefficients, on the features' own scale. */
  public LinearModel model() {
    int p = shift.length;
    double[][] coef = new double[models.length][p];
    double[] intercept = new double[models.length];
    for (int k = 0; k < models.length; k++) {
      double[] theta = models[k].theta;
      double b = theta[0];
      for (int j = 0; j < p; j++) {
        if (scale[j] > 0) {
          coef[k][j] = theta[j + 1] / scale[j];
          b -= coef[k][j] * shift[j];
        }
      }
      intercept[k] = b;
    }
    return LinearModel.classifier(classes, coef, intercept);
  }
}
