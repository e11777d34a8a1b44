package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;

/**
 * Lasso regression with an intercept, fitted by coordinate descent on a warm-started penalty path,
 * the penalty chosen by K-fold cross-validation (mean squared error) and the model refitted on all
 * rows; stateless and thread-safe (each call works on its own buffers).
 *
 * <p>Objective for penalty {@code a}: {@code (1/(2m)) * ||y - b - X w||^2 + a * ||w||_1}, as in
 * scikit-learn. Columns are used as given (callers standardise them); each fit centres implicitly
 * on its own training rows.
 *
 * <p>The K fold fits and the fit on all rows advance together along the penalty grid, so the path
 * can stop as soon as the mean CV error has not improved for {@link PathOptions#patience()}
 * penalties, has risen back {@link PathOptions#maxCvRise()} of the way to the intercept-only error,
 * or by glmnet's deviance rules; the coefficients of the all-rows fit at the best penalty are kept.
 * {@link LarsLassoCv} solves the same problem exactly. Fold fits read the training rows of the
 * shared columns in place (the test block of unshuffled K-fold is contiguous), so no data is
 * copied.
 *
 * <p>Work per penalty follows glmnet's covariance mode. Each fit screens columns with the
 * sequential strong rule and runs coordinate descent on that strong set using inner products among
 * its columns (O(strong set) per update). The gradients of all other columns, needed for the
 * optimality check and the next strong rule, are then updated from cached inner products of each
 * changed (active) column with every column, which all fits share through per-fold block sums: O(p)
 * per changed column instead of a pass over the data. The caches are bounded so that they never
 * exceed the size of the column block itself ({@code p * m} doubles); when a needed inner product
 * is not cached, the penalty falls back to one exact pass over the columns, shared by all fits
 * (each column read once and multiplied with every fit's residual).
 */
public final class LassoCv {

  /** Result of a fit. */
  public record Result(
      double[] coef,
      double intercept,
      double alpha,
      int alphaIndex,
      int pathLength,
      double cvMse) {}

  private LassoCv() {}

  /**
   * An upper bound of the heap bytes {@link #fit} allocates besides its input for {@code p} columns
   * and {@code m} rows: the fold sums, each fit's residual and per-column arrays, the strong-set
   * Gram matrices (at most {@code min(512, sqrt(p * m / (K + 1)))} columns each) and the shared
   * inner-product cache (at most the column block, {@code p * m} doubles), plus the scratch of an
   * exact pass and the result.
   */
  public static long workBytes(int p, int m, PathOptions options) {
    int folds = Math.max(2, Math.min(options.folds(), m));
    int fits = folds + 1;
    long strong = Math.min(p, maxGram(p, m, folds));
    long strongCapacity = Math.max(16, 2 * (long) p);
    long perFit =
        2 * HeapBytes.OBJECT
            + HeapBytes.doubles(m)
            + 4 * HeapBytes.doubles(p)
            + HeapBytes.ints(p)
            + HeapBytes.ints(strongCapacity)
            + 3 * HeapBytes.doubles(strongCapacity)
            + HeapBytes.refs(strongCapacity)
            + strong * HeapBytes.doubles(Math.max(16, 2 * strong));
    long crossColumns = Math.min(p, Math.max(1, m / folds));
    long cache = HeapBytes.refs(p) + crossColumns * HeapBytes.doubles(folds, p);
    long pass = HeapBytes.booleans(fits) + HeapBytes.refs(fits) + HeapBytes.doubles(fits);
    return FoldSums.bytes(p, m, folds)
        + HeapBytes.refs(fits)
        + fits * perFit
        + cache
        + pass
        + 2 * HeapBytes.doubles(p)
        + 8 * HeapBytes.OBJECT;
  }

  /** The largest strong set a fit keeps a Gram matrix for. */
  static int maxGram(int p, int m, int folds) {
    return (int) Math.max(16, Math.min(512, Math.sqrt((double) p * m / (folds + 1))));
  }

  /**
   * Fits the model.
   *
   * @param x the columns, each with at least {@code m} values (standardised or at least centred and
   *     scaled)
   * @param m the number of rows to use (the first m of every column and of y)
   * @param y the target
   * @param options the path settings
   * @throws IllegalArgumentException if {@code m < 2}
   */
  public static Result fit(double[][] x, int m, double[] y, PathOptions options) {
    KFold split = FoldSums.split(x, m, y, options);
    int p = x.length;
    int folds = split.folds();
    Shared shared = new Shared(x, m, y, split);
    Fit[] fits = new Fit[folds + 1];
    for (int f = 0; f <= folds; f++) {
      fits[f] = new Fit(shared, f < folds ? f : -1);
    }
    Fit full = fits[folds];
    double alphaMax = 0;
    for (int j = 0; j < p; j++) {
      alphaMax = Math.max(alphaMax, Math.abs(full.grad[j]));
    }
    if (!(alphaMax > 0) || p == 0) {
      return new Result(new double[p], full.ybar, 0, 0, 0, Double.NaN);
    }
    PathSearch search = new PathSearch(options, alphaMax);
    double[] bestCoef = new double[p];
    double prev = alphaMax;
    int lambdas = options.lambdas();
    int k = 0;
    while (k < lambdas) {
      double alpha = search.penalty(alphaMax, k);
      solveAll(fits, shared, alpha, prev, options);
      double mse = 0;
      for (int f = 0; f < folds; f++) {
        mse += fits[f].testMse();
      }
      mse /= folds;
      prev = alpha;
      boolean stop = search.record(k, alpha, mse, full.explained());
      if (search.improved()) {
        System.arraycopy(full.beta, 0, bestCoef, 0, p);
      }
      k++;
      if (stop) {
        break;
      }
    }
    double intercept = full.ybar;
    for (int j = 0; j < p; j++) {
      if (bestCoef[j] != 0) {
        intercept -= bestCoef[j] * full.mu[j];
      }
    }
    return new Result(
        bestCoef, intercept, search.bestAlpha(), search.bestIndex(), k, search.best());
  }

  /** Solves every fit at penalty {@code alpha}; see the class comment. */
  private static void solveAll(
      Fit[] fits, Shared shared, double alpha, double prevAlpha, PathOptions o) {
    int nf = fits.length;
    boolean exactPass = false;
    for (Fit f : fits) {
      f.screen(alpha, prevAlpha);
      f.descend(alpha, o.tolerance() * f.nullVar, o.maxSweeps());
      exactPass |= !f.applyPending();
    }
    boolean[] violated = new boolean[nf];
    if (exactPass) {
      double[][] residuals = new double[nf][];
      for (int f = 0; f < nf; f++) {
        residuals[f] = fits[f].r;
      }
      double[] g = new double[nf];
      double[][] x = shared.x;
      for (int j = 0; j < x.length; j++) {
        Vectors.dotMany(x[j], residuals, nf, shared.m, g);
        for (int f = 0; f < nf; f++) {
          violated[f] |= fits[f].check(j, g[f], alpha);
        }
      }
    } else {
      for (int f = 0; f < nf; f++) {
        violated[f] = fits[f].admitViolators(alpha);
      }
    }
    for (int f = 0; f < nf; f++) {
      if (violated[f]) {
        fits[f].solve(alpha, o);
      }
    }
  }

  /**
   * Data shared by the fits of one call: fold blocks, per-block sums and cached inner-product
   * columns.
   */
  private static final class Shared extends FoldSums {
    /**
     * cross[k]: for column k, [f][j] = sum over fold f's rows of x_j * x_k; null until computed.
     */
    final double[][][] cross;

    final int maxCross;
    int crossCount;

    Shared(double[][] x, int m, double[] y, KFold kf) {
      super(x, m, y, kf);
      int p = x.length;
      cross = new double[p][][];
      // the cache never holds more doubles than the column block itself: crossCount * folds * p <=
      // p * m
      maxCross = Math.max(1, m / folds);
    }

    /** The per-block inner products of column k with every column, or null if the cache is full. */
    double[][] crossColumn(int k) {
      double[][] c = cross[k];
      if (c == null) {
        if (crossCount >= maxCross) {
          return null;
        }
        int p = x.length;
        c = new double[folds][p];
        double[] xk = x[k];
        for (int j = 0; j < p; j++) {
          double[] xj = x[j];
          for (int f = 0; f < folds; f++) {
            c[f][j] = Vectors.dot(xj, xk, kf.start(f), kf.end(f));
          }
        }
        cross[k] = c;
        crossCount++;
      }
      return c;
    }
  }

  /**
   * One fit on all rows except fold {@code fold}'s block (none for -1); its residual is 0 on the
   * test rows.
   */
  private static final class Fit extends FoldFit {
    final Shared sh;
    final double[] r;
    final double[] beta;

    /**
     * Gradient (centred inner product with the residual, over mt) of every column not in the strong
     * set.
     */
    final double[] grad;

    final double[] d;
    final int[] pos;
    final int maxGram;
    int[] strongList = new int[16];
    int strongCount;

    /** gram[q][q2]: centred inner product / mt of strong columns q and q2 (covariance mode). */
    double[][] gram = new double[16][];

    /** Gradient of strong column q. */
    double[] gs = new double[16];

    /** Coefficient changes not yet applied to the residual (covariance mode). */
    double[] pendingR = new double[16];

    /** Coefficient changes not yet applied to the gradients of the other columns. */
    double[] pendingG = new double[16];

    boolean covariance = true;

    Fit(Shared sh, int fold) {
      super(sh, fold);
      this.sh = sh;
      int p = x.length;
      r = new double[m];
      for (int i = 0; i < m; i++) {
        if (i < s || i >= e) {
          r[i] = sh.y[i] - ybar;
        }
      }
      beta = new double[p];
      grad = gradient;
      d = new double[p];
      pos = new int[p];
      Arrays.fill(d, Double.NaN);
      Arrays.fill(pos, -1);
      maxGram = LassoCv.maxGram(p, m, sh.folds);
    }

    /** Centred sum of squares of column j over the training rows, divided by mt (computed once). */
    double dTrain(int j) {
      double dj = d[j];
      if (Double.isNaN(dj)) {
        double[] c = x[j];
        double mean = mu[j];
        double ss = 0;
        for (int i = 0; i < s; i++) {
          double dd = c[i] - mean;
          ss += dd * dd;
        }
        for (int i = e; i < m; i++) {
          double dd = c[i] - mean;
          ss += dd * dd;
        }
        dj = ss / mt;
        d[j] = dj;
      }
      return dj;
    }

    /** Centred inner product / mt of columns j and k over the training rows. */
    private double gramEntry(int j, int k) {
      double raw;
      double[][] c = sh.cross[k];
      int at = j;
      if (c == null) {
        c = sh.cross[j];
        at = k;
      }
      if (c != null) {
        raw = 0;
        for (int f = 0; f < sh.folds; f++) {
          if (f != fold) {
            raw += c[f][at];
          }
        }
      } else {
        raw = Vectors.dotOutside(x[j], x[k], s, e, m);
      }
      return raw / mt - mu[j] * mu[k];
    }

    /** Adds column j with current gradient gj to the strong set; the residual must be in sync. */
    void addStrong(int j, double gj) {
      if (pos[j] >= 0) {
        return;
      }
      int q = strongCount++;
      if (q == strongList.length) {
        int cap = q * 2;
        strongList = Arrays.copyOf(strongList, cap);
        gs = Arrays.copyOf(gs, cap);
        pendingR = Arrays.copyOf(pendingR, cap);
        pendingG = Arrays.copyOf(pendingG, cap);
        if (gram != null) {
          gram = Arrays.copyOf(gram, cap);
        }
      }
      strongList[q] = j;
      pos[j] = q;
      gs[q] = gj;
      double dj = dTrain(j);
      if (!covariance) {
        return;
      }
      if (q >= maxGram) {
        covariance = false;
        gram = null;
        return;
      }
      double[] row = new double[Math.max(16, gram.length)];
      for (int q2 = 0; q2 < q; q2++) {
        double g = gramEntry(j, strongList[q2]);
        row[q2] = g;
        double[] other = gram[q2];
        if (other.length <= q) {
          other = Arrays.copyOf(other, Math.max(q + 1, other.length * 2));
          gram[q2] = other;
        }
        other[q] = g;
      }
      row[q] = dj;
      gram[q] = row;
    }

    /** Sequential strong rule: columns likely to be active at {@code alpha} join the strong set. */
    void screen(double alpha, double prevAlpha) {
      double thr = 2 * alpha - prevAlpha;
      int p = x.length;
      for (int j = 0; j < p; j++) {
        if (pos[j] < 0 && Math.abs(grad[j]) >= thr) {
          addStrong(j, grad[j]);
        }
      }
    }

    /**
     * Records column j's exact gradient from a pass; true if it violates the optimality conditions.
     */
    boolean check(int j, double dot, double alpha) {
      double gj = dot / mt;
      int q = pos[j];
      if (q >= 0) {
        gs[q] = gj;
        return false;
      }
      grad[j] = gj;
      if (Math.abs(gj) > alpha) {
        addStrong(j, gj);
        return true;
      }
      return false;
    }

    /** Moves columns outside the strong set whose (up-to-date) gradient exceeds alpha into it. */
    boolean admitViolators(double alpha) {
      boolean violated = false;
      int p = x.length;
      for (int j = 0; j < p; j++) {
        if (pos[j] < 0 && Math.abs(grad[j]) > alpha) {
          addStrong(j, grad[j]);
          violated = true;
        }
      }
      return violated;
    }

    /**
     * Applies the coefficient changes of the last descent to the residual and to the gradients of
     * the columns outside the strong set; returns false if an inner-product column was not
     * available, in which case those gradients are stale and an exact pass must follow.
     */
    boolean applyPending() {
      for (int q = 0; q < strongCount; q++) {
        double delta = pendingR[q];
        if (delta != 0) {
          int j = strongList[q];
          double shift = delta * mu[j];
          Vectors.axpyShift(-delta, x[j], shift, r, 0, s);
          Vectors.axpyShift(-delta, x[j], shift, r, e, m);
          pendingR[q] = 0;
        }
      }
      boolean ok = true;
      for (int q = 0; q < strongCount; q++) {
        double delta = pendingG[q];
        if (delta == 0) {
          continue;
        }
        pendingG[q] = 0;
        if (!ok) {
          continue;
        }
        int k = strongList[q];
        double[][] c = sh.crossColumn(k);
        if (c == null) {
          ok = false;
          continue;
        }
        double scale = -delta / mt;
        for (int f = 0; f < sh.folds; f++) {
          if (f != fold) {
            Vectors.axpy(scale, c[f], grad, 0, grad.length);
          }
        }
        Vectors.axpy(delta * mu[k], mu, grad, 0, grad.length);
      }
      return ok;
    }

    /** Descent and optimality checks on this fit alone until no column violates them. */
    void solve(double alpha, PathOptions o) {
      int p = x.length;
      double tol = o.tolerance() * nullVar;
      while (true) {
        descend(alpha, tol, o.maxSweeps());
        boolean violated;
        if (applyPending()) {
          violated = admitViolators(alpha);
        } else {
          violated = false;
          for (int j = 0; j < p; j++) {
            violated |= check(j, Vectors.dot(x[j], r, 0, m), alpha);
          }
        }
        if (!violated) {
          return;
        }
      }
    }

    /**
     * Coordinate descent over the strong set, iterating on the active set in between full sweeps.
     */
    void descend(double alpha, double tol, int maxSweeps) {
      CoordinateDescent.descend(this::sweep, alpha, tol, maxSweeps);
    }

    private double sweep(double alpha, boolean activeOnly) {
      double maxChange = 0;
      int n = strongCount;
      for (int q = 0; q < n; q++) {
        int j = strongList[q];
        double bOld = beta[j];
        if (activeOnly && bOld == 0) {
          continue;
        }
        double dj = d[j];
        if (!(dj > 0)) {
          continue;
        }
        double g = covariance ? gs[q] : Vectors.dot(x[j], r, 0, m) / mt;
        double z = g + dj * bOld;
        double bNew = z > alpha ? (z - alpha) / dj : (z < -alpha ? (z + alpha) / dj : 0.0);
        double delta = bNew - bOld;
        if (delta == 0) {
          continue;
        }
        beta[j] = bNew;
        pendingG[q] += delta;
        maxChange = Math.max(maxChange, dj * delta * delta);
        if (covariance) {
          double[] row = gram[q];
          double[] g2 = gs;
          for (int q2 = 0; q2 < n; q2++) {
            g2[q2] -= row[q2] * delta;
          }
          pendingR[q] += delta;
        } else {
          double shift = delta * mu[j];
          Vectors.axpyShift(-delta, x[j], shift, r, 0, s);
          Vectors.axpyShift(-delta, x[j], shift, r, e, m);
          gs[q] = g - dj * delta;
        }
      }
      return maxChange;
    }

    /**
     * The fraction of the null deviance (training variance) explained by the current coefficients.
     */
    double explained() {
      if (!(nullVar > 0)) {
        return 1;
      }
      double rss = Vectors.dot(r, r, 0, m) / mt;
      return 1 - rss / nullVar;
    }

    double testMse() {
      return sh.testMse(s, e, ybar, strongList, strongCount, beta, mu);
    }
  }
}
