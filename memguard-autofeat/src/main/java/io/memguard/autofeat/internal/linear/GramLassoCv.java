package io.memguard.autofeat.internal.linear;

/**
 * {@link LassoCv}'s problem (a lasso with intercept, penalty chosen by K-fold cross-validation on a
 * geometric grid with {@link PathOptions}' stopping rules, refitted on all rows) solved from
 * sufficient statistics instead of the rows: per fold, the row count, the sums of each column and
 * of the target, and their cross products. The statistics take {@code O(K p^2)} doubles whatever
 * the number of rows, so they can be accumulated in one streamed pass over data larger than the
 * heap. Coordinate descent follows {@link LassoCv}'s (the same update, the same convergence test on
 * the same tolerance), on the full Gram matrix, so on the same rows and folds it finds the same
 * path up to the solver's tolerance.
 *
 * <p>Statistics are accumulated on shifted and scaled columns {@code u = (x - shift) / scale}
 * (anything close to the columns' means and deviations keeps the sums well conditioned); the fit
 * standardises them exactly (mean 0, population deviation 1 over all rows, as {@code
 * L1Models.fitFinal} does) before solving. Not thread-safe while accumulating.
 */
public final class GramLassoCv {

  /** Per-fold sums, in the scaled space {@code u}; serializable, to be summed where rows are. */
  public static final class Stats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final int p;
    final int folds;
    final long[] n;
    final double[][] su;
    final double[] sy;
    final double[][][] suu;
    final double[][] suy;
    final double[] syy;

    /** Empty sums for {@code p} columns and {@code folds} folds. */
    public Stats(int p, int folds) {
      this.p = p;
      this.folds = folds;
      this.n = new long[folds];
      this.su = new double[folds][p];
      this.sy = new double[folds];
      this.suu = new double[folds][p][p];
      this.suy = new double[folds][p];
      this.syy = new double[folds];
    }

    /** Heap bytes the sums of {@code p} columns and {@code folds} folds take. */
    public static long bytes(int p, int folds) {
      return 64L + folds * (16L + 8L * p) * (p + 3) + 64L * folds;
    }

    /**
     * Adds rows {@code [from, from + len)} of the scaled columns {@code u} and the target to fold
     * {@code fold}'s sums.
     */
    public void add(int fold, double[][] u, double[] y, int from, int len) {
      n[fold] += len;
      int to = from + len;
      double s = 0;
      double ss = 0;
      for (int i = from; i < to; i++) {
        s += y[i];
        ss += y[i] * y[i];
      }
      sy[fold] += s;
      syy[fold] += ss;
      for (int j = 0; j < p; j++) {
        double[] uj = u[j];
        double sj = 0;
        double sjy = 0;
        for (int i = from; i < to; i++) {
          sj += uj[i];
          sjy += uj[i] * y[i];
        }
        su[fold][j] += sj;
        suy[fold][j] += sjy;
        double[] row = suu[fold][j];
        for (int k = j; k < p; k++) {
          double[] uk = u[k];
          double d = 0;
          for (int i = from; i < to; i++) {
            d += uj[i] * uk[i];
          }
          row[k] += d;
        }
      }
    }

    /**
     * Adds {@code other}'s sums (of other rows, same columns and folds) to these.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public void merge(Stats other) {
      if (other.p != p || other.folds != folds) {
        throw new IllegalArgumentException(
            "sums of "
                + other.p
                + " columns in "
                + other.folds
                + " folds; these have "
                + p
                + " in "
                + folds);
      }
      for (int f = 0; f < folds; f++) {
        n[f] += other.n[f];
        sy[f] += other.sy[f];
        syy[f] += other.syy[f];
        for (int j = 0; j < p; j++) {
          su[f][j] += other.su[f][j];
          suy[f][j] += other.suy[f][j];
          for (int k = j; k < p; k++) {
            suu[f][j][k] += other.suu[f][j][k];
          }
        }
      }
    }

    /** Rows added, over all folds. */
    public long rows() {
      long total = 0;
      for (long c : n) {
        total += c;
      }
      return total;
    }
  }

  /**
   * The fit, mapped back to the raw columns {@code x = shift + scale * u}.
   *
   * @param coef one coefficient per raw column
   * @param intercept the intercept on the raw scale
   * @param alpha the chosen penalty (on the standardised scale)
   * @param alphaIndex its index on the grid
   * @param pathLength penalties tried before the path stopped
   * @param cvMse the mean CV error at the chosen penalty
   */
  public record Result(
      double[] coef,
      double intercept,
      double alpha,
      int alphaIndex,
      int pathLength,
      double cvMse) {}

  private GramLassoCv() {}

  /**
   * Heap bytes {@link #fit} allocates for {@code p} columns and {@code folds} folds besides the
   * statistics (an upper bound): the folds' standardised sums and the fits' Gram matrices, {@code 3
   * folds + 2} matrices of {@code p x p}, and their vectors.
   */
  public static long fitBytes(int p, int folds) {
    long matrix = 16L + (long) p * (16L + 8L * p);
    long vector = 16L + 8L * p;
    return (3L * folds + 2) * (matrix + 5 * vector) + 256;
  }

  /**
   * Fits from {@code stats}, accumulated on {@code u = (x - shift) / scale}.
   *
   * @throws IllegalArgumentException if a fold is empty
   */
  public static Result fit(Stats stats, double[] shift, double[] scale, PathOptions options) {
    int p = stats.p;
    int folds = stats.folds;
    long m = stats.rows();
    for (int f = 0; f < folds; f++) {
      if (stats.n[f] == 0) {
        throw new IllegalArgumentException("fold " + f + " has no rows");
      }
    }
    // exact standardisation over all rows: z = (u - mu) / sigma
    double[] mu = new double[p];
    double[] sigma = new double[p];
    for (int j = 0; j < p; j++) {
      double s = 0;
      double ss = 0;
      for (int f = 0; f < folds; f++) {
        s += stats.su[f][j];
        ss += stats.suu[f][j][j];
      }
      mu[j] = s / m;
      sigma[j] = Math.sqrt(Math.max(0, ss / m - mu[j] * mu[j]));
    }
    Fold[] z = new Fold[folds];
    for (int f = 0; f < folds; f++) {
      z[f] = new Fold(stats, f, mu, sigma);
    }
    Fit[] fits = new Fit[folds + 1];
    for (int f = 0; f <= folds; f++) {
      fits[f] = new Fit(z, f < folds ? f : -1, p);
    }
    Fit full = fits[folds];
    double alphaMax = 0;
    for (int j = 0; j < p; j++) {
      alphaMax = Math.max(alphaMax, Math.abs(full.c[j]));
    }
    double[] bestCoef = new double[p];
    double alphaChosen = 0;
    int bestIndex = 0;
    int k = 0;
    double cvMse = Double.NaN;
    if (alphaMax > 0 && p > 0) {
      PathSearch search = new PathSearch(options, alphaMax);
      while (k < options.lambdas()) {
        double alpha = search.penalty(alphaMax, k);
        for (Fit fit : fits) {
          fit.descend(alpha, options.tolerance() * fit.nullVar, options.maxSweeps());
        }
        double mse = 0;
        for (int f = 0; f < folds; f++) {
          mse += fits[f].testMse(z[f]);
        }
        mse /= folds;
        boolean stop = search.record(k, alpha, mse, full.explained());
        if (search.improved()) {
          System.arraycopy(full.w, 0, bestCoef, 0, p);
        }
        k++;
        if (stop) {
          break;
        }
      }
      alphaChosen = search.bestAlpha();
      bestIndex = search.bestIndex();
      cvMse = search.best();
    }
    // back to the raw scale: x = shift + scale * (mu + sigma * z)
    double[] coef = new double[p];
    double intercept = full.ybar;
    for (int j = 0; j < p; j++) {
      double rawScale = scale[j] * sigma[j];
      if (bestCoef[j] != 0 && rawScale > 0) {
        coef[j] = bestCoef[j] / rawScale;
        intercept -= coef[j] * (shift[j] + scale[j] * mu[j]);
      }
    }
    return new Result(coef, intercept, alphaChosen, bestIndex, k, cvMse);
  }

  /** One fold's sums in the standardised space z. */
  private static final class Fold {
    final long n;
    final double[] sz;
    final double sy;
    final double[][] szz;
    final double[] szy;
    final double syy;

    Fold(Stats s, int f, double[] mu, double[] sigma) {
      int p = s.p;
      n = s.n[f];
      sy = s.sy[f];
      syy = s.syy[f];
      sz = new double[p];
      szy = new double[p];
      szz = new double[p][p];
      for (int j = 0; j < p; j++) {
        if (!(sigma[j] > 0)) {
          continue; // a constant column is all zeros once standardised
        }
        sz[j] = (s.su[f][j] - n * mu[j]) / sigma[j];
        szy[j] = (s.suy[f][j] - mu[j] * sy) / sigma[j];
        for (int k = j; k < p; k++) {
          if (!(sigma[k] > 0)) {
            continue;
          }
          double v =
              (s.suu[f][j][k] - mu[j] * s.su[f][k] - mu[k] * s.su[f][j] + n * mu[j] * mu[k])
                  / (sigma[j] * sigma[k]);
          szz[j][k] = v;
          szz[k][j] = v;
        }
      }
    }
  }

  /** A fit on every fold but one (or on all): centred Gram matrix, gradient, coefficients. */
  private static final class Fit {
    final double[][] g;
    final double[] c;
    final double[] zbar;
    final double ybar;
    final double nullVar;
    final double[] w;
    final double[] grad;

    Fit(Fold[] folds, int leftOut, int p) {
      long m = 0;
      double sy = 0;
      double syy = 0;
      double[] sz = new double[p];
      double[] szy = new double[p];
      double[][] szz = new double[p][p];
      for (int f = 0; f < folds.length; f++) {
        if (f == leftOut) {
          continue;
        }
        Fold d = folds[f];
        m += d.n;
        sy += d.sy;
        syy += d.syy;
        for (int j = 0; j < p; j++) {
          sz[j] += d.sz[j];
          szy[j] += d.szy[j];
          for (int k = 0; k < p; k++) {
            szz[j][k] += d.szz[j][k];
          }
        }
      }
      ybar = sy / m;
      nullVar = Math.max(0, syy / m - ybar * ybar);
      zbar = new double[p];
      for (int j = 0; j < p; j++) {
        zbar[j] = sz[j] / m;
      }
      g = new double[p][p];
      c = new double[p];
      for (int j = 0; j < p; j++) {
        c[j] = szy[j] / m - zbar[j] * ybar;
        for (int k = 0; k < p; k++) {
          g[j][k] = szz[j][k] / m - zbar[j] * zbar[k];
        }
      }
      w = new double[p];
      grad = c.clone();
    }

    /** Coordinate descent as {@link LassoCv}'s, on the full Gram matrix. */
    void descend(double alpha, double tol, int maxSweeps) {
      CoordinateDescent.descend(this::sweep, alpha, tol, maxSweeps);
    }

    private double sweep(double alpha, boolean activeOnly) {
      double maxChange = 0;
      int p = w.length;
      for (int j = 0; j < p; j++) {
        double bOld = w[j];
        if (activeOnly && bOld == 0) {
          continue;
        }
        double dj = g[j][j];
        if (!(dj > 0)) {
          continue;
        }
        double z = grad[j] + dj * bOld;
        double bNew = z > alpha ? (z - alpha) / dj : (z < -alpha ? (z + alpha) / dj : 0.0);
        double delta = bNew - bOld;
        if (delta == 0) {
          continue;
        }
        w[j] = bNew;
        maxChange = Math.max(maxChange, dj * delta * delta);
        for (int k = 0; k < p; k++) {
          grad[k] -= g[k][j] * delta;
        }
      }
      return maxChange;
    }

    /** The explained fraction of the null deviance on the training rows. */
    double explained() {
      if (!(nullVar > 0)) {
        return 1;
      }
      double rss = nullVar;
      for (int j = 0; j < w.length; j++) {
        if (w[j] != 0) {
          rss -= w[j] * (c[j] + grad[j]);
        }
      }
      return 1 - rss / nullVar;
    }

    /** Mean squared error on the left-out fold's rows, from its sums. */
    double testMse(Fold t) {
      int p = w.length;
      double b = ybar;
      for (int j = 0; j < p; j++) {
        b -= w[j] * zbar[j];
      }
      double wSzy = 0;
      double wSz = 0;
      double quad = 0;
      for (int j = 0; j < p; j++) {
        if (w[j] == 0) {
          continue;
        }
        wSzy += w[j] * t.szy[j];
        wSz += w[j] * t.sz[j];
        double row = 0;
        for (int k = 0; k < p; k++) {
          row += t.szz[j][k] * w[k];
        }
        quad += w[j] * row;
      }
      double sse = t.syy - 2 * b * t.sy - 2 * wSzy + t.n * b * b + 2 * b * wSz + quad;
      return Math.max(0, sse) / t.n;
    }
  }
}
