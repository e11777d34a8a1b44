package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Binary L1-penalised logistic regression with an intercept and sample weights, fitted by
 * coordinate descent on iteratively reweighted quadratic approximations (as glmnet does) along a
 * warm-started penalty path, the penalty chosen by K-fold cross-validation (weighted log-loss) and
 * refitted on all rows; stateless and thread-safe.
 *
 * <p>Objective for penalty {@code a}: {@code (1/W) * sum_i w_i * (log(1 + e^eta_i) - y_i * eta_i) +
 * a * ||beta||_1} with {@code eta = b + X beta}, {@code W = sum_i w_i}. The fold fits and the
 * all-rows fit advance together along the grid, as in {@link LassoCv}, with the same strong-rule
 * screening and early stops; the explained-deviance stop is never above glmnet's 0.999, because on
 * (nearly) separable data smaller penalties only inflate the coefficients.
 *
 * <p>Each reweighting step solves its quadratic approximation in Gram space: for every strong-set
 * column that moves, its weighted inner products with the strong set are built with the current
 * weights and reused by later steps for up to {@value #ROW_REFRESH} penalties, or until a step
 * needs halving (a Newton method with a slightly stale Hessian along the warm-started path; the
 * gradient is always exact), the sweeps then cost {@code O(|S|)} per coordinate without touching
 * the data, and the changes are applied to the linear predictor at the end. Beyond {@value
 * #MAX_GRAM} strong columns the step updates the working residual per coordinate instead. A step
 * that does not decrease the penalised objective is halved until it does (as R's {@code glm} does),
 * which keeps the iteration from diverging once predictions saturate.
 */
public final class LogisticCv {

  /** Result of a fit: coefficients, intercept, chosen penalty. */
  public record Result(
      double[] coef,
      double intercept,
      double lambda,
      int lambdaIndex,
      int pathLength,
      double cvLoss) {}

  private static final double MIN_VARIANCE_WEIGHT = 1e-5;

  /** The largest strong set solved in Gram space. */
  static final int MAX_GRAM = 400;

  private static final double MAX_DEVIANCE_RATIO = 0.999;
  private static final int MAX_IRLS = 50;

  /**
   * Penalties between recomputations of the weighted inner products (earlier if a step needs
   * halving).
   */
  private static final int ROW_REFRESH = 4;

  private static final int MAX_HALVINGS = 30;

  /**
   * Rows, and rows times (columns + 8), from which a fit's fold fits are split between its thread
   * and a helper: below them a penalty's solves take microseconds, which a hand-over would cost. A
   * selection run's chunk (at most 2,500 rows, often 50 columns) is above them.
   */
  private static final int HELPED_ROWS = 1000;

  private static final long HELPED_CELLS = 1L << 16;

  private LogisticCv() {}

  /**
   * An upper bound of the heap bytes {@link #fit} allocates besides its input for {@code p} columns
   * and {@code m} rows: each fit's linear predictor, per-column arrays and cached weighted inner
   * products (at most {@value #MAX_GRAM} strong columns), the three row vectors the fits share, one
   * reweighting step's scratch, the folds' test losses and the result; without a helper.
   */
  public static long workBytes(int p, int m, PathOptions options) {
    return workBytes(p, m, options, false);
  }

  /**
   * {@link #workBytes(int, int, PathOptions)}, and with {@code helped} the second scratch of a fit
   * whose fold fits a helper may share ({@link #fit(double[][], int, double[], double[],
   * PathOptions, Executor)}): a bound that does not depend on whether the helper comes.
   */
  static long workBytes(int p, int m, PathOptions options, boolean helped) {
    int folds = Math.max(2, Math.min(options.folds(), m));
    int fits = folds + 1;
    long strong = Math.min(p, MAX_GRAM);
    long strongCapacity = Math.max(64, 2 * (long) p);
    long perFit =
        2 * HeapBytes.OBJECT
            + HeapBytes.doubles(m)
            + 3 * HeapBytes.doubles(p)
            + HeapBytes.booleans(p)
            + HeapBytes.ints(strongCapacity)
            + HeapBytes.refs(strongCapacity)
            + 2 * HeapBytes.ints(strongCapacity)
            + strong * HeapBytes.doubles(Math.max(16, 2 * strong));
    long step =
        8 * HeapBytes.doubles(m)
            + HeapBytes.refs(strongCapacity)
            + 6 * HeapBytes.doubles(strongCapacity);
    return HeapBytes.ints(folds + 1)
        + HeapBytes.refs(fits)
        + fits * perFit
        + (helped && helpable(p, m) ? 2 : 1) * step
        + HeapBytes.doubles(folds)
        + HeapBytes.doubles(p)
        + 8 * HeapBytes.OBJECT;
  }

  /**
   * Fits the model.
   *
   * @param x the columns, each with at least {@code m} values
   * @param m the number of rows
   * @param y the labels, 0 or 1
   * @param w the sample weights (positive)
   * @param options the path settings
   * @throws IllegalArgumentException if {@code m < 2}
   */
  public static Result fit(double[][] x, int m, double[] y, double[] w, PathOptions options) {
    return fit(x, m, y, w, options, null);
  }

  /** Whether a fit of {@code p} columns and {@code m} rows shares its fold fits with a helper. */
  private static boolean helpable(int p, int m) {
    return m >= HELPED_ROWS && (long) m * (p + 8) >= HELPED_CELLS;
  }

  /**
   * {@link #fit(double[][], int, double[], double[], PathOptions)}, with the fits of each penalty
   * split in two groups (even and odd indices; the all-rows fit is the last) when {@code helper} is
   * not null and the fit is large enough: the calling thread solves one group, the helper the other
   * when it is free. Each fit is solved whole by one thread with its group's scratch, and the
   * cross-validated loss is summed in fold order afterwards, so the result is the same bits.
   */
  static Result fit(
      double[][] x, int m, double[] y, double[] w, PathOptions options, @Nullable Executor helper) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(w, "w");
    Objects.requireNonNull(options, "options");
    if (m < 2) {
      throw new IllegalArgumentException("need at least 2 rows, got " + m);
    }
    int p = x.length;
    int folds = Math.min(options.folds(), m);
    KFold kf = new KFold(m, folds);
    Scratch scratch = new Scratch(m);
    Executor groups = helper != null && helpable(p, m) ? helper : null;
    Scratch odd = groups == null ? scratch : new Scratch(m);
    Fit[] fits = new Fit[folds + 1];
    for (int f = 0; f < folds; f++) {
      fits[f] = new Fit(x, y, w, m, kf.start(f), kf.end(f), f % 2 == 0 ? scratch : odd);
    }
    Fit full = new Fit(x, y, w, m, 0, 0, folds % 2 == 0 ? scratch : odd);
    fits[folds] = full;
    double[] testLoss = new double[folds];
    double lambdaMax = 0;
    for (int j = 0; j < p; j++) {
      lambdaMax = Math.max(lambdaMax, Math.abs(full.grad[j]));
    }
    if (!(lambdaMax > 0) || p == 0) {
      return new Result(new double[p], full.b0, 0, 0, 0, Double.NaN);
    }
    int lambdas = options.lambdas();
    double ratio = lambdas == 1 ? 1 : Math.pow(options.eps(), 1.0 / (lambdas - 1));
    double best = Double.POSITIVE_INFINITY;
    int bestK = 0;
    double[] bestCoef = new double[p];
    double bestB0 = full.b0;
    double bestLambda = lambdaMax;
    double prev = lambdaMax;
    double prevDev = 0;
    int k = 0;
    for (; k < lambdas; k++) {
      double lambda = lambdaMax * Math.pow(ratio, k);
      double prevLambda = prev;
      // without a helper both groups run here, one after the other
      HelpedLoop.run(
          groups,
          2,
          1,
          (from, to) -> {
            for (int g = from; g < to; g++) {
              for (int f = g; f <= folds; f += 2) {
                fits[f].solve(lambda, prevLambda, options);
                if (f < folds) {
                  testLoss[f] = fits[f].testLoss();
                }
              }
            }
          });
      double loss = 0;
      for (int f = 0; f < folds; f++) {
        loss += testLoss[f];
      }
      loss /= folds;
      prev = lambda;
      if (loss < best) {
        best = loss;
        bestK = k;
        bestLambda = lambda;
        bestB0 = full.b0;
        System.arraycopy(full.beta, 0, bestCoef, 0, p);
      } else if (options.patience() > 0 && k - bestK >= options.patience()) {
        k++;
        break;
      }
      double dev = full.nullLoss > 0 ? 1 - full.trainLoss() / full.nullLoss : 1;
      if (k > 0 && (dev > MAX_DEVIANCE_RATIO || options.devianceStop(dev, prevDev))) {
        k++;
        break; // includes (nearly) separable data, where smaller penalties only inflate
        // coefficients
      }
      prevDev = dev;
    }
    return new Result(bestCoef, bestB0, bestLambda, bestK, Math.min(k, lambdas), best);
  }

  /**
   * {@code log(1 + e^eta)}, stable for large |eta|; uses {@code Math.log} (an intrinsic) rather
   * than {@code Math.log1p} (a native call on JDK 17), which is accurate to ~1e-16 in absolute
   * terms.
   */
  static double softplus(double eta) {
    return Math.max(eta, 0) + Math.log(1 + Math.exp(-Math.abs(eta)));
  }

  static double sigmoid(double eta) {
    if (eta >= 0) {
      return 1.0 / (1.0 + Math.exp(-eta));
    }
    double e = Math.exp(eta);
    return e / (1.0 + e);
  }

  /**
   * Row vectors and strong-set vectors the fits of one call, or of one group of them, share (they
   * are solved one at a time): each fit recomputes them before use, so one IRLS step allocates
   * nothing.
   */
  private static final class Scratch {
    final double[] prob;
    final double[] res;
    final double[] wt;

    /** An IRLS step's eta before and after its Newton step, the weighted column, test-row etas. */
    final double[] oldEta;

    final double[] newEta;
    final double[] wx;
    final double[] testEta;

    /** Per strong column (grown as strong sets grow): coefficients before and after, Gram terms. */
    double[] oldBeta = new double[0];

    double[] newBeta = new double[0];
    double[] gq = new double[0];
    double[] cq = new double[0];
    double[] dq = new double[0];
    double[] delta = new double[0];
    double[][] rows = new double[0][];

    /** The fit whose probabilities {@link #prob} holds. */
    Object owner;

    Scratch(int m) {
      prob = new double[m];
      res = new double[m];
      wt = new double[m];
      oldEta = new double[m];
      newEta = new double[m];
      wx = new double[m];
      testEta = new double[m];
    }

    /** Makes the strong-set vectors hold at least {@code n} values (contents unspecified). */
    void ensureStrong(int n) {
      if (oldBeta.length < n) {
        int cap = Math.max(n, 2 * oldBeta.length);
        oldBeta = new double[cap];
        newBeta = new double[cap];
        gq = new double[cap];
        cq = new double[cap];
        dq = new double[cap];
        delta = new double[cap];
        rows = new double[cap][];
      }
    }
  }

  private static final class Fit {
    final double[][] x;
    final double[] y;
    final double[] sw;
    final int m;
    final int s;
    final int e;
    final double wsum;
    final double nullLoss;

    /**
     * The linear predictor {@code b0 + X beta} on the training rows. On the test rows [s, e) it is
     * not kept (the Gram step moves them too, the naive step does not): nothing may read them.
     */
    final double[] eta;

    /** Scratch shared by the fits of one call or group (they are solved one at a time). */
    final Scratch scratch;

    final double[] res;
    final double[] wt;
    final double[] beta;
    final double[] grad;
    final double[] dw;
    final boolean[] strong;
    int[] strongList;
    int strongCount;
    double b0;

    /**
     * Probabilities at the current eta, valid while evaluated is true and this fit owns the
     * scratch.
     */
    final double[] prob;

    /** The loss at the current eta, valid while evaluated is true. */
    double loss;

    boolean evaluated;

    /**
     * Weighted inner products of strong column q with the strong set, valid while rowEpoch[q] ==
     * epoch.
     */
    double[][] rowCache = new double[16][];

    int[] rowEpoch = new int[16];
    int[] rowCount = new int[16];
    int epoch = 1;
    int solves;

    Fit(double[][] x, double[] y, double[] sw, int m, int s, int e, Scratch scratch) {
      this.scratch = scratch;
      this.x = x;
      this.y = y;
      this.sw = sw;
      this.m = m;
      this.s = s;
      this.e = e;
      int p = x.length;
      double ws = 0;
      double wy = 0;
      for (int i = 0; i < m; i++) {
        if (i < s || i >= e) {
          ws += sw[i];
          wy += sw[i] * y[i];
        }
      }
      wsum = ws;
      double pbar = Math.min(Math.max(wy / ws, 1e-9), 1 - 1e-9);
      b0 = Math.log(pbar / (1 - pbar));
      eta = new double[m];
      Arrays.fill(eta, b0);
      prob = scratch.prob;
      res = scratch.res;
      wt = scratch.wt;
      beta = new double[p];
      grad = new double[p];
      dw = new double[p];
      strong = new boolean[p];
      strongList = new int[Math.min(Math.max(p, 1), 64)];
      nullLoss = trainLoss();
      // gradient of the log-likelihood at beta = 0: (1/W) sum w_i x_ij (y_i - pbar), kept in res
      for (int i = 0; i < m; i++) {
        res[i] = (i < s || i >= e) ? sw[i] * (y[i] - pbar) : 0;
      }
      for (int j = 0; j < p; j++) {
        grad[j] = dotTrain(x[j], res) / wsum;
      }
    }

    double dotTrain(double[] a, double[] b) {
      return Vectors.dotOutside(a, b, s, e, m);
    }

    /**
     * The training loss at the current eta (evaluated together with the probabilities, once per
     * eta).
     */
    double trainLoss() {
      if (!evaluated) {
        evaluate();
      }
      return loss;
    }

    /** Makes {@link #prob} hold this fit's probabilities at the current eta. */
    private void ensureProbabilities() {
      if (!evaluated || scratch.owner != this) {
        evaluate();
      }
    }

    /** Computes prob and loss at the current eta with one exp and one log per training row. */
    private void evaluate() {
      scratch.owner = this;
      loss = weightedLoss(eta, sw, y, prob, s, e, m) / wsum;
      evaluated = true;
    }

    /*
     * The loops over rows are small static methods: a cold JVM compiles them to optimised code
     * soon after they turn hot, where a loop inside a larger method runs with profiling until the
     * whole method is. Same arithmetic, same order.
     */

    /**
     * Sets prob to the probabilities at eta and returns the weighted log-loss, over the training
     * rows (outside [s, e)).
     */
    private static double weightedLoss(
        double[] eta, double[] sw, double[] y, double[] prob, int s, int e, int m) {
      double l = 0;
      for (int i = 0; i < m; i++) {
        if (i < s || i >= e) {
          double v = eta[i];
          double ex = Math.exp(-Math.abs(v));
          double inv = 1 / (1 + ex);
          prob[i] = v >= 0 ? inv : ex * inv;
          l += sw[i] * (Math.max(v, 0) + Math.log(1 + ex) - y[i] * v);
        }
      }
      return l;
    }

    /** Adds c to v[from..to). */
    private static void shift(double[] v, double c, int from, int to) {
      for (int i = from; i < to; i++) {
        v[i] += c;
      }
    }

    /** The IRLS weights and working residuals of the training rows (0 on the test rows). */
    private static void workingResponse(
        double[] prob, double[] sw, double[] y, double[] wt, double[] res, int s, int e, int m) {
      for (int i = 0; i < m; i++) {
        if (i < s || i >= e) {
          double pi = prob[i];
          double v = Math.max(pi * (1 - pi), MIN_VARIANCE_WEIGHT);
          wt[i] = sw[i] * v;
          res[i] = (y[i] - pi) / v;
        } else {
          wt[i] = 0;
          res[i] = 0;
        }
      }
    }

    void addStrong(int j) {
      if (!strong[j]) {
        strong[j] = true;
        if (strongCount == strongList.length) {
          strongList = Arrays.copyOf(strongList, Math.max(8, strongCount * 2));
        }
        strongList[strongCount++] = j;
      }
    }

    void solve(double lambda, double prevLambda, PathOptions o) {
      double thr = 2 * lambda - prevLambda;
      int p = x.length;
      for (int j = 0; j < p; j++) {
        if (beta[j] != 0 || Math.abs(grad[j]) >= thr) {
          addStrong(j);
        }
      }
      double tol = o.tolerance();
      if (++solves % ROW_REFRESH == 0) {
        epoch++;
      }
      while (true) {
        for (int it = 0; it < MAX_IRLS; it++) {
          if (irls(lambda, tol, o.maxSweeps()) < tol) {
            break;
          }
        }
        // optimality check on the columns outside the strong set, at the current solution
        ensureProbabilities();
        for (int i = 0; i < m; i++) {
          res[i] = (i < s || i >= e) ? sw[i] * (y[i] - prob[i]) : 0;
        }
        boolean violated = false;
        for (int j = 0; j < p; j++) {
          double g = dotTrain(x[j], res) / wsum;
          grad[j] = g;
          if (!strong[j] && Math.abs(g) > lambda) {
            addStrong(j);
            violated = true;
          }
        }
        if (!violated) {
          return;
        }
      }
    }

    /**
     * One reweighting step followed by coordinate descent on the quadratic; returns the largest
     * change.
     */
    private double irls(double lambda, double tol, int maxSweeps) {
      double before = objective(lambda);
      ensureProbabilities();
      workingResponse(prob, sw, y, wt, res, s, e, m);
      int n = strongCount;
      scratch.ensureStrong(n);
      double[] oldBeta = scratch.oldBeta;
      for (int q = 0; q < n; q++) {
        oldBeta[q] = beta[strongList[q]];
      }
      double oldB0 = b0;
      double[] oldEta = scratch.oldEta;
      System.arraycopy(eta, 0, oldEta, 0, m);
      double change =
          n <= MAX_GRAM ? irlsGram(lambda, tol, maxSweeps) : irlsNaive(lambda, tol, maxSweeps);
      evaluated = false;
      if (objective(lambda) <= before) {
        return change;
      }
      return halveStep(lambda, before, change, n, oldBeta, oldB0, oldEta);
    }

    /**
     * Step-halving: a full Newton step on (nearly) saturated data, or with stale inner products,
     * can overshoot; the next step recomputes the inner products with current weights. A method of
     * its own because it is rare: a cold JVM compiles {@link #irls} without it, and its loops'
     * speculation cannot throw irls's optimised code away.
     */
    private double halveStep(
        double lambda,
        double before,
        double change,
        int n,
        double[] oldBeta,
        double oldB0,
        double[] oldEta) {
      epoch++;
      double[] newBeta = scratch.newBeta;
      for (int q = 0; q < n; q++) {
        newBeta[q] = beta[strongList[q]];
      }
      double newB0 = b0;
      double[] newEta = scratch.newEta;
      System.arraycopy(eta, 0, newEta, 0, m);
      double t = 1;
      for (int h = 0; h < MAX_HALVINGS; h++) {
        t *= 0.5;
        setStep(t, n, oldBeta, newBeta, oldB0, newB0, oldEta, newEta);
        if (objective(lambda) <= before) {
          return change * t * t;
        }
      }
      setStep(0, n, oldBeta, newBeta, oldB0, newB0, oldEta, newEta);
      return 0;
    }

    private void setStep(
        double t,
        int n,
        double[] oldBeta,
        double[] newBeta,
        double oldB0,
        double newB0,
        double[] oldEta,
        double[] newEta) {
      if (t == 0) {
        // exactly the old point: 0 * (an overflowed step) would be NaN
        for (int q = 0; q < n; q++) {
          beta[strongList[q]] = oldBeta[q];
        }
        b0 = oldB0;
        System.arraycopy(oldEta, 0, eta, 0, m);
        evaluated = false;
        return;
      }
      for (int q = 0; q < n; q++) {
        beta[strongList[q]] = oldBeta[q] + t * (newBeta[q] - oldBeta[q]);
      }
      b0 = oldB0 + t * (newB0 - oldB0);
      for (int i = 0; i < m; i++) {
        eta[i] = oldEta[i] + t * (newEta[i] - oldEta[i]);
      }
      evaluated = false;
    }

    /** The penalised objective on the training rows. */
    private double objective(double lambda) {
      double l1 = 0;
      for (int q = 0; q < strongCount; q++) {
        l1 += Math.abs(beta[strongList[q]]);
      }
      return trainLoss() + lambda * l1;
    }

    /**
     * Coordinate descent on the weighted quadratic in Gram space, then one update of eta. Gram rows
     * are built only for coordinates that move ({@code |active| x |S|} inner products instead of
     * {@code |S|^2 / 2}).
     */
    private double irlsGram(double lambda, double tol, int maxSweeps) {
      int n = strongCount;
      scratch.ensureStrong(n);
      double[][] rows = scratch.rows;
      double[] gq = scratch.gq;
      double[] cq = scratch.cq;
      double[] dq = scratch.dq;
      double[] delta = scratch.delta;
      Arrays.fill(rows, 0, n, null);
      Arrays.fill(delta, 0, n, 0);
      int q0 = 0;
      for (; q0 + 1 < n; q0 += 2) {
        weightedSums2(x[strongList[q0]], x[strongList[q0 + 1]], wt, res, m, wsum, q0, gq, cq, dq);
      }
      if (q0 < n) {
        weightedSums(x[strongList[q0]], wt, res, m, wsum, q0, gq, cq, dq);
      }
      double w0 = Vectors.sum(wt, 0, m) / wsum;
      double g0 = Vectors.dot(wt, res, 0, m) / wsum;
      double db = 0;
      double total = 0;
      double[] wx = scratch.wx;
      for (int sweep = 0; sweep < maxSweeps; sweep++) {
        double change = 0;
        for (int q = 0; q < n; q++) {
          double dj = dq[q];
          if (!(dj > 0)) {
            continue;
          }
          int j = strongList[q];
          double bOld = beta[j];
          double z = gq[q] + dj * bOld;
          double bNew = z > lambda ? (z - lambda) / dj : (z < -lambda ? (z + lambda) / dj : 0.0);
          double d = bNew - bOld;
          if (d != 0) {
            double[] row = rows[q];
            if (row == null) {
              row = row(q, n, wx);
              rows[q] = row;
            }
            beta[j] = bNew;
            delta[q] += d;
            Vectors.axpy(-d, row, gq, 0, n);
            g0 -= cq[q] * d;
            change = Math.max(change, dj * d * d);
          }
        }
        if (w0 > 0 && g0 != 0) {
          double d = g0 / w0;
          db += d;
          Vectors.axpy(-d, cq, gq, 0, n);
          g0 = 0;
          change = Math.max(change, w0 * d * d);
        }
        total = Math.max(total, change);
        if (change < tol) {
          break;
        }
      }
      // eta moves on every row, the test rows' included, which nothing reads (the loss, the
      // weights and the steps read the training rows, the test loss its own eta): one loop of m
      // rows instead of two whose lengths change from fold to fold, which a cold JVM's optimised
      // code speculates on and is thrown away for. Same arithmetic on the training rows, same bits.
      for (int q = 0; q < n; q++) {
        if (delta[q] != 0) {
          Vectors.axpy(delta[q], x[strongList[q]], eta, 0, m);
        }
      }
      // unconditional, for the same reason: a cold profile rarely sees db == 0 (adding 0 changes
      // nothing)
      b0 += db;
      shift(eta, db, 0, m);
      return total;
    }

    /**
     * The weighted inner products of strong column q with the first n strong columns: cached and
     * reused while the epoch stays the same (a slightly stale Hessian, which step-halving guards);
     * when the strong set has grown only the new entries are computed.
     */
    /**
     * gq[q], cq[q] and dq[q]: the weighted sums of xq times the residual, of xq and of xq squared,
     * over wsum. A small static loop: a cold JVM compiles it to optimised code soon after it turns
     * hot, where a loop inside a large method runs with profiling until the whole method is.
     */
    private static void weightedSums(
        double[] xq,
        double[] wt,
        double[] res,
        int m,
        double wsum,
        int q,
        double[] gq,
        double[] cq,
        double[] dq) {
      double sg = 0;
      double sc = 0;
      double sd = 0;
      for (int i = 0; i < m; i++) {
        double wxi = wt[i] * xq[i];
        sg += wxi * res[i];
        sc += wxi;
        sd += wxi * xq[i];
      }
      gq[q] = sg / wsum;
      cq[q] = sc / wsum;
      dq[q] = sd / wsum;
    }

    /**
     * {@link #weightedSums} of strong columns q and q + 1 in one pass over the weights and the
     * residual, each sum in the same order (the same bits).
     */
    private static void weightedSums2(
        double[] xa,
        double[] xb,
        double[] wt,
        double[] res,
        int m,
        double wsum,
        int q,
        double[] gq,
        double[] cq,
        double[] dq) {
      double ga = 0;
      double ca = 0;
      double da = 0;
      double gb = 0;
      double cb = 0;
      double db = 0;
      for (int i = 0; i < m; i++) {
        double w = wt[i];
        double r = res[i];
        double a = xa[i];
        double b = xb[i];
        double wa = w * a;
        double wb = w * b;
        ga += wa * r;
        ca += wa;
        da += wa * a;
        gb += wb * r;
        cb += wb;
        db += wb * b;
      }
      gq[q] = ga / wsum;
      cq[q] = ca / wsum;
      dq[q] = da / wsum;
      gq[q + 1] = gb / wsum;
      cq[q + 1] = cb / wsum;
      dq[q + 1] = db / wsum;
    }

    private double[] row(int q, int n, double[] wx) {
      if (rowCache.length < strongList.length) {
        rowCache = Arrays.copyOf(rowCache, strongList.length);
        rowEpoch = Arrays.copyOf(rowEpoch, strongList.length);
        rowCount = Arrays.copyOf(rowCount, strongList.length);
      }
      double[] row = rowCache[q];
      int from = 0;
      if (row != null && rowEpoch[q] == epoch) {
        from = rowCount[q];
        if (from >= n) {
          return row;
        }
        if (row.length < n) {
          row = Arrays.copyOf(row, Math.max(n, row.length * 2));
        }
      } else if (row == null || row.length < n) {
        // room for the strong set to double before the row grows again (the work bound's share)
        row = new double[Math.max(2 * n, 16)];
      }
      double[] xq = x[strongList[q]];
      for (int i = 0; i < m; i++) {
        wx[i] = wt[i] * xq[i];
      }
      int pending = -1; // a column whose product waits for a second one to share the pass
      for (int q2 = from; q2 < n; q2++) {
        double[] other = rowCache[q2];
        if (q2 != q && other != null && rowEpoch[q2] == epoch && rowCount[q2] > q) {
          row[q2] = other[q]; // keep the matrix symmetric
        } else if (pending < 0) {
          pending = q2;
        } else {
          Vectors.dot2(wx, x[strongList[pending]], x[strongList[q2]], 0, m, wsum, row, pending, q2);
          pending = -1;
        }
      }
      if (pending >= 0) {
        row[pending] = Vectors.dot(wx, x[strongList[pending]], 0, m) / wsum;
      }
      rowCache[q] = row;
      rowEpoch[q] = epoch;
      rowCount[q] = n;
      return row;
    }

    /**
     * Coordinate descent on the weighted quadratic updating the working residual per coordinate.
     */
    private double irlsNaive(double lambda, double tol, int maxSweeps) {
      for (int q = 0; q < strongCount; q++) {
        int j = strongList[q];
        dw[j] = (Vectors.dot(wt, x[j], x[j], 0, s) + Vectors.dot(wt, x[j], x[j], e, m)) / wsum;
      }
      double wtot = Vectors.sum(wt, 0, s) + Vectors.sum(wt, e, m);
      double total = 0;
      for (int sweep = 0; sweep < maxSweeps; sweep++) {
        double change = 0;
        for (int q = 0; q < strongCount; q++) {
          int j = strongList[q];
          double dj = dw[j];
          if (!(dj > 0)) {
            continue;
          }
          double[] c = x[j];
          double g = (Vectors.dot(wt, c, res, 0, s) + Vectors.dot(wt, c, res, e, m)) / wsum;
          double bOld = beta[j];
          double z = g + dj * bOld;
          double bNew = z > lambda ? (z - lambda) / dj : (z < -lambda ? (z + lambda) / dj : 0.0);
          double delta = bNew - bOld;
          if (delta != 0) {
            Vectors.axpy(-delta, c, res, 0, s);
            Vectors.axpy(-delta, c, res, e, m);
            Vectors.axpy(delta, c, eta, 0, s);
            Vectors.axpy(delta, c, eta, e, m);
            beta[j] = bNew;
            change = Math.max(change, dj * delta * delta);
          }
        }
        double db = (Vectors.dot(wt, res, 0, s) + Vectors.dot(wt, res, e, m)) / wtot;
        if (db != 0) {
          for (int i = 0; i < m; i++) {
            if (i < s || i >= e) {
              res[i] -= db;
              eta[i] += db;
            }
          }
          b0 += db;
          change = Math.max(change, wtot / wsum * db * db);
        }
        total = Math.max(total, change);
        if (change < tol) {
          break;
        }
      }
      return total;
    }

    double testLoss() {
      int nt = e - s;
      if (nt == 0) {
        return 0;
      }
      double[] et = scratch.testEta;
      Arrays.fill(et, 0, nt, b0);
      for (int q = 0; q < strongCount; q++) {
        int j = strongList[q];
        double b = beta[j];
        if (b != 0) {
          double[] c = x[j];
          for (int i = s; i < e; i++) {
            et[i - s] += b * c[i];
          }
        }
      }
      double l = 0;
      double ws = 0;
      for (int i = s; i < e; i++) {
        double v = et[i - s];
        l += sw[i] * (softplus(v) - y[i] * v);
        ws += sw[i];
      }
      return l / ws;
    }
  }
}
