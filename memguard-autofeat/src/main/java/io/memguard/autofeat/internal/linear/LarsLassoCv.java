package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;

/**
 * Lasso regression with an intercept, solved by the LARS homotopy (least angle regression with the
 * lasso modification), the penalty chosen by K-fold cross-validation (mean squared error) on a
 * geometric grid and the model taken from the all-rows path at the best penalty; stateless and
 * thread-safe (each call works on its own buffers).
 *
 * <p>Same objective and grid as {@link LassoCv}, which solves each penalty approximately by
 * coordinate descent. The homotopy instead follows the piecewise-linear solution path knot by knot
 * (a column enters or leaves the active set) and stops on each grid penalty, so its coefficients
 * are the exact solution up to rounding. Small penalties on nearly collinear columns, where
 * coordinate descent converges slowly and inexactly, cost one step per knot. This is the solver of
 * scikit-learn's {@code LassoLarsCV}, and like it each path is bounded by {@link
 * PathOptions#maxSteps()} knots; unlike it, no path matrix is stored.
 *
 * <p>The K fold paths advance together along the grid, keeping only their current coefficients. The
 * path stops by {@link PathOptions#patience()}, {@link PathOptions#maxCvRise()}, glmnet's deviance
 * rules applied to the mean explained deviance of the fold fits, or when no fold path can change
 * any more. Then the all-rows path runs down to the chosen penalty only. {@link
 * PathOptions#tolerance()} and {@link PathOptions#maxSweeps()} do not apply.
 *
 * <p>Memory besides the columns: a few arrays of length {@code p} per path, a Cholesky factor of
 * each path's active Gram matrix, and a cache of training-row inner products of active columns with
 * every column, shared by the paths. The cache gives up columns (first those no path has active,
 * the one that left longest ago first) to keep itself and the factors within a budget: the size of
 * the column block ({@code p * m} doubles), or for small blocks up to room for {@code (K + 1) * p *
 * min(maxSteps + 2, m + 1, p + 1)} doubles, four times the block and 16 MiB (few rows: the active
 * sets of the K + 1 paths can then all be cached). Only the factors can pass that bound, when
 * active sets approach the row count: they hold at most {@code (K + 1) * min(maxSteps, m, p)^2 / 2}
 * doubles. Active columns that are not cached cost one pass over the columns per step. {@link
 * #workBytes} bounds it all.
 *
 * <p>A column that is constant on a path's training rows, or that would make the active Gram matrix
 * numerically singular (pivot below 1e-10 of its centred variance), never enters that path. Such a
 * column is left out for the rest of the path, even if a later exit would make room for it.
 */
public final class LarsLassoCv {

  /**
   * Pivots below this fraction of the column's centred variance count as collinear with the active
   * set.
   */
  private static final double SINGULAR_PIVOT = 1e-10;

  /**
   * A centred variance below this fraction of the mean square is rounding: the column is constant.
   */
  private static final double CONSTANT_VARIANCE = 1e-12;

  private LarsLassoCv() {}

  /**
   * An upper bound of the heap bytes {@link #fit} allocates besides its input for {@code p}
   * columns, {@code m} rows and {@code options}: the fold sums, each path's per-column arrays and
   * Cholesky factor, the shared cache, the scratch vectors and the result. The cache and the
   * factors together stay within their budget (see the class comment) unless the factors alone need
   * more (active sets near the row count).
   */
  public static long workBytes(int p, int m, PathOptions options) {
    int folds = Math.max(2, Math.min(options.folds(), m));
    int paths = folds + 1;
    long cap = activeCapacity(p, m, options.maxSteps());
    long perPath =
        HeapBytes.OBJECT * 2
            + 5 * HeapBytes.doubles(p)
            + HeapBytes.booleans(p)
            + HeapBytes.ints(p)
            + HeapBytes.ints(cap)
            + 2 * HeapBytes.doubles(cap)
            + HeapBytes.refs(cap);
    long factor = 0;
    for (long q = 0; q < cap; q++) {
      factor += HeapBytes.doubles(q + 1);
    }
    long budget = cacheBudget(p, m, folds, options.maxSteps());
    long crossColumn = HeapBytes.doubles(paths, p);
    long cacheColumns = Math.min(p, budget / ((long) paths * Math.max(1, p))) + 1;
    long cache = cacheColumns * crossColumn;
    long shared =
        FoldSums.bytes(p, m, folds)
            + HeapBytes.refs(p)
            + HeapBytes.ints(cacheColumns)
            + HeapBytes.ints(p)
            + HeapBytes.doubles(p)
            + HeapBytes.doubles(m)
            + HeapBytes.doubles(cap + 1);
    return shared
        + HeapBytes.refs(paths)
        + paths * perPath
        + cache
        + paths * factor
        + HeapBytes.doubles(p)
        + 8 * HeapBytes.OBJECT;
  }

  /**
   * The most active columns a path can hold, plus one: entries are bounded by the knots and by the
   * rank.
   */
  private static int activeCapacity(int p, int m, int maxSteps) {
    return (int) Math.min((long) maxSteps + 2, (long) Math.min(p, m) + 1);
  }

  /** The most doubles a cache larger than the column block may hold (16 MiB). */
  private static final long EXTRA_CACHE_DOUBLES = 1L << 21;

  /**
   * Doubles the cache and the Cholesky factors may hold together: the column block's size, or more
   * for small blocks, up to what caches every column the paths can have active at once, four times
   * the block and 16 MiB (few rows: active sets near the row count, where a path without its active
   * columns cached passes over all columns at every step; macrodata with 2 steps fits twice as
   * fast).
   */
  private static long cacheBudget(int p, int m, int folds, int maxSteps) {
    long block = (long) p * m;
    long active = (long) (folds + 1) * p * activeCapacity(p, m, maxSteps);
    return Math.max(block, Math.min(Math.min(active, 4 * block), EXTRA_CACHE_DOUBLES));
  }

  /**
   * Fits the model.
   *
   * @param x the columns, each with at least {@code m} values (standardised or at least centred and
   *     scaled)
   * @param m the number of rows to use (the first m of every column and of y)
   * @param y the target
   * @param options the path settings
   * @return the coefficients and intercept on the columns' own scale; {@code alpha} is the penalty
   *     they solve (the chosen grid penalty, or a larger one if the all-rows path reached {@code
   *     maxSteps} first), {@code alphaIndex} the chosen grid index, {@code pathLength} the grid
   *     penalties visited and {@code cvMse} the mean CV error at the chosen one (NaN if no column
   *     correlates with y)
   * @throws IllegalArgumentException if {@code m < 2}, or if a column or y holds a value that is
   *     not finite
   */
  public static LassoCv.Result fit(double[][] x, int m, double[] y, PathOptions options) {
    return fit(x, m, y, options, new SolverWork());
  }

  /**
   * Like {@link #fit(double[][], int, double[], PathOptions)}, with the solver's arrays (the
   * inner-product cache, Cholesky rows, per-column vectors) taken from {@code work} and given back
   * to it at the end, for the caller's next fit.
   */
  public static LassoCv.Result fit(
      double[][] x, int m, double[] y, PathOptions options, SolverWork work) {
    KFold split = FoldSums.split(x, m, y, options);
    Shared shared = new Shared(x, m, y, split, options.maxSteps(), work);
    Path[] paths = new Path[shared.folds + 1];
    try {
      for (int f = 0; f < paths.length; f++) {
        paths[f] = new Path(shared, f < shared.folds ? f : -1, options.maxSteps());
      }
      return fit(shared, paths, options);
    } finally {
      for (Path path : paths) {
        if (path != null) {
          path.giveBack();
        }
      }
      shared.giveBack();
    }
  }

  private static LassoCv.Result fit(Shared shared, Path[] paths, PathOptions options) {
    double[][] x = shared.x;
    int m = shared.m;
    int p = x.length;
    int folds = shared.folds;
    Path full = paths[folds];
    double alphaMax = full.alpha;
    if (!Double.isFinite(alphaMax) || !Double.isFinite(full.nullVar)) {
      throw new IllegalArgumentException(
          "the L1 path needs finite values: the largest |correlation| is "
              + alphaMax
              + " and the target variance "
              + full.nullVar
              + " over "
              + m
              + " rows and "
              + p
              + " columns; drop or impute non-finite values first");
    }
    if (!(alphaMax > 0) || p == 0) {
      return new LassoCv.Result(new double[p], full.ybar, 0, 0, 0, Double.NaN);
    }
    PathSearch search = new PathSearch(options, alphaMax);
    int lambdas = options.lambdas();
    int k = 0;
    while (k < lambdas) {
      double alpha = search.penalty(alphaMax, k);
      double mse = 0;
      double dev = 0;
      boolean moving = false;
      for (int f = 0; f < folds; f++) {
        moving |= paths[f].advance(alpha);
        mse += paths[f].testMse();
        dev += paths[f].explained();
      }
      boolean stop = search.record(k, alpha, mse / folds, dev / folds);
      k++;
      if (stop || !moving) {
        break;
      }
    }
    full.advance(search.bestAlpha());
    double[] bestCoef = new double[p];
    full.copyCoefficients(bestCoef);
    double intercept = full.ybar;
    for (int j = 0; j < p; j++) {
      if (bestCoef[j] != 0) {
        intercept -= bestCoef[j] * full.mu[j];
      }
    }
    return new LassoCv.Result(
        bestCoef, intercept, full.alpha, search.bestIndex(), k, search.best());
  }

  /**
   * Products below which a cross column is computed by its thread alone (a helper's hand-over costs
   * microseconds; one product a nanosecond or less).
   */
  private static final long HELPED_CROSS_PRODUCTS = 1L << 18;

  /** The fewest products in one block of a helped cross column. */
  private static final int HELPED_BLOCK_PRODUCTS = 1 << 16;

  /** Data shared by the paths of one call: fold blocks and cached per-block inner products. */
  private static final class Shared extends FoldSums {
    /**
     * cross[k][f][j]: sum of x_j * x_k over the training rows of fold f (all rows but f's block; f
     * = folds: all rows); null until computed.
     */
    final double[][][] cross;

    /**
     * Doubles the cache and the paths' Cholesky factors may hold together ({@link #cacheBudget}).
     */
    final long budget;

    /** Doubles held by the Cholesky factors of all paths. */
    long cholDoubles;

    /** The cached columns, in cache slots. */
    final int[] cached;

    int cachedCount;

    /**
     * releasedAt[k]: the value of {@link #releases} when column k last left the last active set.
     */
    final long[] releasedAt;

    long releases;

    /** activeIn[k]: the number of paths that have column k active. */
    final int[] activeIn;

    /** Scratch of {@code Path#enter}: the new column's inner products with the active set. */
    final double[] entry;

    /**
     * Scratch of {@code Path#computeSlope} when an active column is not cached; allocated on first
     * need.
     */
    private double[] slopeRows;

    final SolverWork work;

    Shared(double[][] x, int m, double[] y, KFold kf, int maxSteps, SolverWork work) {
      super(x, m, y, kf);
      this.work = work;
      int p = x.length;
      cross = new double[p][][];
      budget = cacheBudget(p, m, folds, maxSteps);
      entry = new double[activeCapacity(p, m, maxSteps) + 1];
      cached = new int[(int) Math.min(p, budget / ((long) (folds + 1) * Math.max(1, p)))];
      activeIn = new int[p];
      releasedAt = new long[p];
    }

    /** The zeroed scratch of m values for a slope computed from the columns themselves. */
    double[] slopeRows() {
      if (slopeRows == null) {
        slopeRows = new double[m];
      } else {
        Arrays.fill(slopeRows, 0);
      }
      return slopeRows;
    }

    /**
     * The per-block inner products of column k with every column, or null if the cache is full of
     * columns that are still active in some path. Columns no path has active any more make room
     * (their arrays are reused), so the cache follows the active sets as they change along the
     * paths.
     */
    double[][] crossColumn(int k) {
      double[][] c = cross[k];
      return c != null ? c : computeCrossColumn(k);
    }

    /**
     * {@link #crossColumn} when column k is not cached. A method of its own: a path asks for cached
     * columns far more often, so a cold JVM compiles the paths' steps without this (and the
     * products' loops): on synthetic with 2 steps one compilation of 89 ms, not two of 187 ms in
     * all.
     */
    private double[][] computeCrossColumn(int k) {
      double[][] c;
      long needed = (long) (cachedCount + 1) * (folds + 1) * x.length + cholDoubles;
      if (cachedCount < cached.length && needed <= budget) {
        c = new double[folds + 1][];
        for (int f = 0; f <= folds; f++) {
          c[f] = work.doubles(x.length);
        }
        cached[cachedCount++] = k;
      } else {
        int slot = evictable();
        if (slot < 0) {
          return null;
        }
        int old = cached[slot];
        c = cross[old];
        cross[old] = null;
        cached[slot] = k;
      }
      fillCross(k, c);
      cross[k] = c;
      return c;
    }

    /**
     * Gives up cached columns while the cache and the Cholesky factors together exceed the budget:
     * first those no path has active, then any (their paths fall back to passes over the columns).
     */
    void trim() {
      long perColumn = (long) (folds + 1) * x.length;
      while (cachedCount > 0 && cachedCount * perColumn + cholDoubles > budget) {
        int slot = evictable();
        if (slot < 0) {
          slot = cachedCount - 1;
        }
        giveBack(cross[cached[slot]]);
        cross[cached[slot]] = null;
        cached[slot] = cached[--cachedCount];
      }
    }

    /** Gives every cached column's arrays to the work for the caller's next fit. */
    void giveBack() {
      for (int t = 0; t < cachedCount; t++) {
        giveBack(cross[cached[t]]);
        cross[cached[t]] = null;
      }
      cachedCount = 0;
    }

    private void giveBack(double[][] c) {
      for (double[] a : c) {
        work.recycle(a);
      }
    }

    /**
     * The slot of the cached column that left the last active set longest ago, or -1 if all are
     * active.
     */
    private int evictable() {
      int slot = -1;
      long oldest = Long.MAX_VALUE;
      for (int t = 0; t < cachedCount; t++) {
        int k = cached[t];
        if (activeIn[k] == 0 && releasedAt[k] < oldest) {
          oldest = releasedAt[k];
          slot = t;
        }
      }
      return slot;
    }

    private void fillCross(int k, double[][] c) {
      double[][] cols = x;
      double[] xk = x[k];
      KFold kFold = kf;
      int nFolds = folds;
      if ((long) cols.length * m < HELPED_CROSS_PRODUCTS) {
        fillCross(cols, xk, kFold, nFolds, c, 0, cols.length);
      } else {
        HelpedLoop.run(
            work.helper(),
            cols.length,
            Math.max(1, HELPED_BLOCK_PRODUCTS / Math.max(1, m)),
            (from, to) -> fillCross(cols, xk, kFold, nFolds, c, from, to));
      }
    }

    /**
     * A static loop, compiled early in a cold JVM (see {@link Path}'s kernels). Columns go in pairs
     * through one pass over xk, each sum in {@link Vectors#dot}'s order (the same bits).
     */
    private static void fillCross(
        double[][] x, double[] xk, KFold kf, int folds, double[][] c, int from, int to) {
      int j = from;
      for (; j + 1 < to; j += 2) {
        for (int f = 0; f < folds; f++) {
          Vectors.dot2(xk, x[j], x[j + 1], kf.start(f), kf.end(f), 1.0, c[f], j, j + 1);
        }
        totalsAndComplements(c, folds, j);
        totalsAndComplements(c, folds, j + 1);
      }
      if (j < to) {
        for (int f = 0; f < folds; f++) {
          c[f][j] = Vectors.dot(x[j], xk, kf.start(f), kf.end(f));
        }
        totalsAndComplements(c, folds, j);
      }
    }

    /**
     * Turns column j's per-fold sums into the sums over all rows but each fold's, and the total.
     */
    private static void totalsAndComplements(double[][] c, int folds, int j) {
      double total = 0;
      for (int f = 0; f < folds; f++) {
        total += c[f][j];
      }
      for (int f = 0; f < folds; f++) {
        c[f][j] = total - c[f][j];
      }
      c[folds][j] = total;
    }
  }

  /** The homotopy on all rows except fold {@code fold}'s block (none for -1). */
  private static final class Path extends FoldFit {
    final Shared sh;
    final int maxSteps;

    /** Index of this path's training-row sums in a cached cross column. */
    final int trainIndex;

    /**
     * Centred inner product / mt of each column with the residual of the current coefficients; set
     * to exactly {@code sign * alpha} for active columns, which the homotopy keeps on that
     * boundary.
     */
    final double[] corr;

    /** corr at zero coefficients. */
    final double[] corr0;

    final double[] beta;
    final boolean[] excluded;
    final int[] pos;

    /**
     * Active columns in order of entry, their signs and the Cholesky factor of their Gram matrix.
     */
    int[] active;

    double[] sign;
    double[][] chol;
    int count;

    /**
     * The column that just left: it sits on the boundary and would re-enter at once by rounding.
     */
    int justDropped = -1;

    /** Whether direction and slope belong to the current active set (no entry or exit since). */
    boolean directionFresh;

    int steps;
    boolean ended;

    /** The penalty the coefficients are the solution for. */
    double alpha;

    double[] direction;
    final double[] slope;

    Path(Shared sh, int fold, int maxSteps) {
      super(sh, fold, sh.work);
      this.sh = sh;
      this.maxSteps = maxSteps;
      this.trainIndex = fold < 0 ? sh.folds : fold;
      int p = x.length;
      corr = gradient;
      beta = sh.work.zeros(p);
      excluded = new boolean[p];
      pos = new int[p];
      slope = sh.work.doubles(p);
      Arrays.fill(pos, -1);
      int cap = activeCapacity(p, m, maxSteps);
      active = new int[cap];
      sign = new double[cap];
      chol = new double[cap][];
      direction = new double[cap];
      double max = 0;
      for (int j = 0; j < p; j++) {
        max = Math.max(max, Math.abs(corr[j]));
      }
      corr0 = sh.work.doubles(p);
      System.arraycopy(corr, 0, corr0, 0, p);
      alpha = max;
      ended = !(max > 0);
    }

    /** Centred inner product / mt of columns j and k over the training rows. */
    private double gramEntry(int j, int k) {
      double[][] c = sh.cross[k];
      int at = j;
      if (c == null) {
        c = sh.cross[j];
        at = k;
      }
      double raw;
      if (c != null) {
        raw = c[trainIndex][at];
      } else {
        raw = Vectors.dotOutside(x[j], x[k], s, e, m);
      }
      return raw / mt - mu[j] * mu[k];
    }

    /**
     * Follows the path down to penalty {@code target} (or to its end); returns whether the
     * coefficients can still change below {@code target}.
     */
    boolean advance(double target) {
      while (!ended && alpha > target) {
        if (count == 0 && !enterStrongest()) {
          ended = true;
          break;
        }
        step(target);
      }
      return !ended;
    }

    /**
     * Adds the column with the largest |corr| that can enter to an empty active set; false if no
     * column with a non-zero correlation can.
     */
    private boolean enterStrongest() {
      while (true) {
        int best = -1;
        double max = 0;
        for (int j = 0; j < x.length; j++) {
          if (!excluded[j] && Math.abs(corr[j]) > max) {
            max = Math.abs(corr[j]);
            best = j;
          }
        }
        if (best < 0) {
          return false;
        }
        alpha = Math.min(alpha, max);
        if (enter(best)) {
          return true;
        }
      }
    }

    private void step(double target) {
      if (!directionFresh) {
        solveDirection();
        computeSlope();
        directionFresh = true;
      }
      int joining = firstToJoin(corr, slope, pos, excluded, justDropped, alpha, x.length);
      double gamma = joining < 0 ? alpha : joinGap(corr[joining], slope[joining], alpha);
      int dropping = -1;
      for (int q = 0; q < count; q++) {
        double d = direction[q];
        if (d != 0) {
          double g = -beta[active[q]] / d;
          if (g > 0 && g < gamma) {
            gamma = g;
            dropping = q;
            joining = -1;
          }
        }
      }
      boolean toEnd = joining < 0 && dropping < 0;
      boolean truncated = alpha - gamma < target;
      if (truncated) {
        gamma = alpha - target;
        joining = -1;
        dropping = -1;
        toEnd = false;
      }
      move(gamma, truncated ? target : alpha - gamma);
      if (dropping >= 0) {
        int j = active[dropping];
        beta[j] = 0;
        remove(dropping);
        justDropped = j;
        steps++;
      } else if (joining >= 0) {
        justDropped = -1;
        if (enter(joining)) {
          steps++;
        }
      } else if (toEnd) {
        alpha = 0;
        ended = true;
      }
      if (steps >= maxSteps) {
        ended = true;
      }
    }

    /**
     * Moves along the current direction by gamma, to penalty {@code next} (alpha - gamma without
     * rounding).
     */
    private void move(double gamma, double next) {
      if (gamma > 0) {
        for (int q = 0; q < count; q++) {
          beta[active[q]] += gamma * direction[q];
        }
        Vectors.axpy(-gamma, slope, corr, 0, x.length);
      }
      alpha = Math.max(0, next);
      for (int q = 0; q < count; q++) {
        corr[active[q]] = sign[q] * alpha;
      }
    }

    /**
     * direction = G_AA^-1 sign: the change of the active coefficients per unit decrease of the
     * penalty.
     */
    private void solveDirection() {
      double[] d = direction;
      // the first row is peeled off (see minusDot)
      if (count > 0) {
        d[0] = sign[0] / chol[0][0];
      }
      for (int q = 1; q < count; q++) {
        double[] row = chol[q];
        d[q] = minusDot(sign[q], row, d, q) / row[q];
      }
      backSubstitute(chol, d, count);
    }

    /**
     * slope[j] = sum over active k of G_jk direction_k: how fast corr[j] falls per unit of penalty.
     */
    private void computeSlope() {
      int p = x.length;
      double[] a = slope;
      Arrays.fill(a, 0);
      double muDot = 0;
      double[] u = null;
      for (int q = 0; q < count; q++) {
        int k = active[q];
        double dk = direction[q];
        double[][] c = sh.crossColumn(k);
        if (c != null) {
          Vectors.axpy(dk, c[trainIndex], a, 0, p);
          muDot += dk * mu[k];
        } else {
          if (u == null) {
            u = sh.slopeRows();
          }
          addCentred(u, dk, x[k], mu[k], 0, s);
          addCentred(u, dk, x[k], mu[k], e, m);
        }
      }
      scaleAndShift(a, mt, mu, muDot, p);
      if (u != null) {
        addRowProducts(a, p, x, u, s, e, m, mt);
      }
    }

    /**
     * Adds column j to the active set; false (and j excluded for good) if it is collinear with the
     * set.
     */
    private boolean enter(int j) {
      int q = count;
      if (q == active.length) {
        int cap = q * 2;
        active = Arrays.copyOf(active, cap);
        sign = Arrays.copyOf(sign, cap);
        chol = Arrays.copyOf(chol, cap);
        direction = Arrays.copyOf(direction, cap);
      }
      double[] g = q + 1 <= sh.entry.length ? sh.entry : new double[q + 1];
      for (int t = 0; t < q; t++) {
        g[t] = gramEntry(j, active[t]);
      }
      g[q] = gramEntry(j, j);
      double[] l = sh.work.doubles(q + 1);
      double ss = 0;
      if (q > 0) {
        l[0] = g[0] / chol[0][0];
        ss += l[0] * l[0];
      }
      for (int t = 1; t < q; t++) {
        double[] row = chol[t];
        double v = minusDot(g[t], row, l, t);
        l[t] = v / row[t];
        ss += l[t] * l[t];
      }
      double pivot = g[q] - ss;
      boolean constant = !(g[q] > CONSTANT_VARIANCE * (g[q] + mu[j] * mu[j]));
      if (constant || !(pivot > SINGULAR_PIVOT * g[q])) {
        excluded[j] = true;
        sh.work.recycle(l);
        return false;
      }
      l[q] = Math.sqrt(pivot);
      active[q] = j;
      sign[q] = Math.signum(corr[j]);
      chol[q] = l;
      pos[j] = q;
      sh.activeIn[j]++;
      sh.cholDoubles += q + 1;
      sh.trim();
      count++;
      directionFresh = false;
      return true;
    }

    /**
     * Removes the q-th active column: deleting its row from the Cholesky factor leaves one entry
     * above the diagonal in each row below, which Givens rotations of adjacent columns fold back
     * (O(active^2)).
     */
    private void remove(int q) {
      pos[active[q]] = -1;
      sh.work.recycle(chol[q]);
      if (--sh.activeIn[active[q]] == 0) {
        sh.releasedAt[active[q]] = ++sh.releases;
      }
      for (int t = q; t < count - 1; t++) {
        active[t] = active[t + 1];
        sign[t] = sign[t + 1];
        chol[t] = chol[t + 1];
        pos[active[t]] = t;
      }
      sh.cholDoubles -= count;
      directionFresh = false;
      count--;
      chol[count] = null;
      for (int t = q; t < count; t++) {
        double[] row = chol[t];
        double a = row[t];
        double b = row[t + 1];
        double r = Math.hypot(a, b);
        double c = a / r;
        double sn = b / r;
        row[t] = r;
        for (int i = t + 1; i < count; i++) {
          double[] ri = chol[i];
          double u = ri[t];
          double v = ri[t + 1];
          ri[t] = c * u + sn * v;
          ri[t + 1] = c * v - sn * u;
        }
      }
    }

    /**
     * Gives the path's arrays to the work for the caller's next fit; the path is unusable after.
     */
    void giveBack() {
      for (int q = 0; q < count; q++) {
        sh.work.recycle(chol[q]);
        chol[q] = null;
      }
      count = 0;
      sh.work.recycle(beta);
      sh.work.recycle(slope);
      sh.work.recycle(corr0);
      sh.work.recycle(mu);
      sh.work.recycle(gradient);
    }

    void copyCoefficients(double[] out) {
      for (int q = 0; q < count; q++) {
        out[active[q]] = beta[active[q]];
      }
    }

    /** The fraction of the training variance explained by the current coefficients. */
    double explained() {
      if (!(nullVar > 0)) {
        return 1;
      }
      double drop = 0;
      for (int q = 0; q < count; q++) {
        int j = active[q];
        drop += beta[j] * (corr0[j] + corr[j]);
      }
      return drop / nullVar;
    }

    double testMse() {
      return sh.testMse(s, e, ybar, active, count, beta, mu);
    }

    /*
     * The loops over all columns or rows live in small static methods: in a cold JVM the JIT
     * compiles a small method to optimised code soon after it turns hot, where a loop inside a
     * large method runs with profiling (several times slower) until the whole method is compiled.
     * Each keeps the arithmetic and the order of the loop it replaced, so the results are
     * unchanged to the bit.
     */

    /**
     * The inactive column whose |corr| reaches the penalty first along the current direction, or -1
     * if none does before the penalty reaches 0.
     */
    private static int firstToJoin(
        double[] corr,
        double[] slope,
        int[] pos,
        boolean[] excluded,
        int skip,
        double alpha,
        int p) {
      double gamma = alpha;
      int joining = -1;
      for (int j = 0; j < p; j++) {
        if (pos[j] >= 0 || excluded[j] || j == skip) {
          continue;
        }
        double g = joinGap(corr[j], slope[j], alpha);
        if (g < gamma) {
          gamma = g;
          joining = j;
        }
      }
      return joining;
    }

    /**
     * How far the penalty must fall for a column with correlation c and slope a to reach it
     * (infinite if it never does).
     */
    private static double joinGap(double c, double a, double alpha) {
      double g = Double.POSITIVE_INFINITY;
      if (Math.abs(c) >= alpha) {
        g = 0;
      } else {
        if (1 - a > 0) {
          g = (alpha - c) / (1 - a);
        }
        if (1 + a > 0) {
          g = Math.min(g, (alpha + c) / (1 + a));
        }
      }
      return g;
    }

    /** {@code u[i] += dk * (xk[i] - shift)} for i in [from, to). */
    private static void addCentred(
        double[] u, double dk, double[] xk, double shift, int from, int to) {
      for (int i = from; i < to; i++) {
        u[i] += dk * (xk[i] - shift);
      }
    }

    /** Solves L^T d = d in place for the lower-triangular factor L held by rows. */
    private static void backSubstitute(double[][] chol, double[] d, int count) {
      if (count > 0) {
        d[count - 1] /= chol[count - 1][count - 1];
      }
      for (int q = count - 2; q >= 0; q--) {
        double v = d[q];
        for (int t = q + 1; t < count; t++) {
          v -= chol[t][q] * d[t];
        }
        d[q] = v / chol[q][q];
      }
    }

    /**
     * {@code v - sum(a[t] * b[t])} for t in [0, n), subtracted in order. Callers peel off the
     * triangular solves' first row, where n is 0: a cold JVM's optimised loop speculates that the
     * loop is entered, and throws its code away (a recompilation of the whole caller) when it is
     * not.
     */
    private static double minusDot(double v, double[] a, double[] b, int n) {
      for (int t = 0; t < n; t++) {
        v -= a[t] * b[t];
      }
      return v;
    }

    /** {@code a[j] = a[j] / mt - mu[j] * muDot} for j in [0, p). */
    private static void scaleAndShift(double[] a, double mt, double[] mu, double muDot, int p) {
      for (int j = 0; j < p; j++) {
        a[j] = a[j] / mt - mu[j] * muDot;
      }
    }

    /** Adds each column's inner product with u over the rows outside [s, e), over mt. */
    private static void addRowProducts(
        double[] a, int p, double[][] x, double[] u, int s, int e, int m, double mt) {
      for (int j = 0; j < p; j++) {
        a[j] += Vectors.dotOutside(x[j], u, s, e, m) / mt;
      }
    }
  }
}
