package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;
import java.util.Objects;

/**
 * Lasso regression with an intercept, fitted by coordinate descent on a warm-started penalty path, the penalty
 * chosen by K-fold cross-validation (mean squared error) and the model refitted on all rows; stateless and
 * thread-safe (each call works on its own buffers).
 *
 * <p>Objective for penalty {@code a}: {@code (1/(2m)) * ||y - b - X w||^2 + a * ||w||_1}, as in scikit-learn.
 * Columns are used as given (callers standardise); each fit centres implicitly on its own training rows.
 *
 * <p>The K fold fits and the fit on all rows advance together along the penalty grid, so the path can stop as
 * soon as the mean CV error has not improved for {@link PathOptions#patience()} penalties; the coefficients of
 * the all-rows fit at the best penalty are kept. Each penalty uses the sequential strong rule to restrict
 * coordinate descent to likely-active columns, then a pass over the other columns to check the optimality
 * conditions; that pass is the only full pass over the data per penalty, shared by all fits (each column is read
 * once and multiplied with every fit's residual). Fold fits read the training rows of the shared columns in place
 * (the test block of unshuffled K-fold is contiguous), so no data is copied.
 *
 * <p>Coordinate descent uses glmnet's covariance updates: the fit keeps the inner products among its strong-set
 * columns, so a coordinate update costs O(strong set) instead of O(rows), and the residual is updated once per
 * penalty. Beyond {@value #MAX_GRAM} strong columns a fit switches to updating the residual per coordinate, which
 * bounds the extra memory at {@code 512^2} doubles (2 MiB) per fit.
 */
public final class LassoCv {

    /** Result of a fit. */
    public record Result(double[] coef, double intercept, double alpha, int alphaIndex, int pathLength, double cvMse) {}

    /** The largest strong set for which a fit keeps inner products (covariance updates). */
    static final int MAX_GRAM = 512;

    private LassoCv() {}

    /**
     * Fits the model.
     *
     * @param x the columns, each with at least {@code m} values
     * @param m the number of rows to use (the first m of every column and of y)
     * @param y the target
     * @param options the path settings
     * @throws IllegalArgumentException if {@code m < 2}
     */
    public static Result fit(double[][] x, int m, double[] y, PathOptions options) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(options, "options");
        if (m < 2) {
            throw new IllegalArgumentException("need at least 2 rows, got " + m);
        }
        int p = x.length;
        int folds = Math.min(options.folds(), m);
        KFold kf = new KFold(m, folds);
        Fit[] fits = new Fit[folds + 1];
        for (int f = 0; f < folds; f++) {
            fits[f] = new Fit(x, y, m, kf.start(f), kf.end(f));
        }
        Fit full = new Fit(x, y, m, 0, 0);
        fits[folds] = full;
        double alphaMax = 0;
        for (int j = 0; j < p; j++) {
            alphaMax = Math.max(alphaMax, Math.abs(full.grad[j]));
        }
        if (!(alphaMax > 0) || p == 0) {
            return new Result(new double[p], full.ybar, 0, 0, 0, Double.NaN);
        }
        int lambdas = options.lambdas();
        double ratio = lambdas == 1 ? 1 : Math.pow(options.eps(), 1.0 / (lambdas - 1));
        double best = Double.POSITIVE_INFINITY;
        int bestK = 0;
        double[] bestCoef = new double[p];
        double bestAlpha = alphaMax;
        double prev = alphaMax;
        double prevDev = 0;
        int k = 0;
        for (; k < lambdas; k++) {
            double alpha = alphaMax * Math.pow(ratio, k);
            double mse = 0;
            solveAll(fits, x, m, alpha, prev, options);
            for (int f = 0; f < folds; f++) {
                mse += fits[f].testMse();
            }
            mse /= folds;
            prev = alpha;
            if (mse < best) {
                best = mse;
                bestK = k;
                bestAlpha = alpha;
                System.arraycopy(full.beta, 0, bestCoef, 0, p);
            } else if (options.patience() > 0 && k - bestK >= options.patience()) {
                k++;
                break;
            }
            double dev = full.explained();
            if (k > 0 && options.devianceStop(dev, prevDev)) {
                k++;
                break;
            }
            prevDev = dev;
        }
        double intercept = full.ybar;
        for (int j = 0; j < p; j++) {
            if (bestCoef[j] != 0) {
                intercept -= bestCoef[j] * full.mean(j);
            }
        }
        return new Result(bestCoef, intercept, bestAlpha, bestK, Math.min(k, lambdas), best);
    }

    /**
     * Solves every fit at penalty {@code alpha}: strong-rule screening and coordinate descent per fit, then one
     * shared optimality pass in which each column is read once for all fits' residuals; fits with violations
     * repeat descent and check on their own (rare).
     */
    private static void solveAll(Fit[] fits, double[][] x, int m, double alpha, double prevAlpha, PathOptions o) {
        int nf = fits.length;
        double[][] residuals = new double[nf][];
        for (int f = 0; f < nf; f++) {
            fits[f].screen(alpha, prevAlpha);
            fits[f].descend(alpha, o.tolerance() * fits[f].nullVar, o.maxSweeps());
            fits[f].syncResidual();
            residuals[f] = fits[f].r;
        }
        boolean[] violated = new boolean[nf];
        double[] g = new double[nf];
        for (int j = 0; j < x.length; j++) {
            Vectors.dotMany(x[j], residuals, nf, m, g);
            for (int f = 0; f < nf; f++) {
                violated[f] |= fits[f].check(j, g[f], alpha);
            }
        }
        for (int f = 0; f < nf; f++) {
            if (violated[f]) {
                fits[f].solve(alpha, o);
            }
        }
    }

    /** One fit on all rows except the test block {@code [s, e)}; its residual is kept at 0 on the test rows. */
    private static final class Fit {
        final double[][] x;
        final double[] y;
        final int m;
        final int s;
        final int e;
        final int mt;
        final double ybar;
        final double nullVar;
        final double[] r;
        final double[] beta;
        final double[] grad;
        final double[] mu;
        final double[] d;
        final int[] pos;
        int[] strongList = new int[16];
        int strongCount;
        /** gram[q][q2]: inner product (over training rows, centred, divided by mt) of strong columns q and q2. */
        double[][] gram = new double[16][];
        /** Gradient of strong column q, kept current by covariance updates. */
        double[] gs = new double[16];
        /** Coefficient changes not yet applied to the residual. */
        double[] pending = new double[16];
        boolean covariance = true;

        Fit(double[][] x, double[] y, int m, int s, int e) {
            this.x = x;
            this.y = y;
            this.m = m;
            this.s = s;
            this.e = e;
            int p = x.length;
            mt = m - (e - s);
            ybar = (Vectors.sum(y, 0, s) + Vectors.sum(y, e, m)) / mt;
            r = new double[m];
            double nv = 0;
            for (int i = 0; i < m; i++) {
                if (i < s || i >= e) {
                    r[i] = y[i] - ybar;
                    nv += r[i] * r[i];
                }
            }
            nullVar = nv / mt;
            beta = new double[p];
            grad = new double[p];
            mu = new double[p];
            d = new double[p];
            pos = new int[p];
            Arrays.fill(mu, Double.NaN);
            Arrays.fill(pos, -1);
            for (int j = 0; j < p; j++) {
                grad[j] = Vectors.dot(x[j], r, 0, m) / mt;
            }
        }

        double mean(int j) {
            if (Double.isNaN(mu[j])) {
                double[] c = x[j];
                double mean = (Vectors.sum(c, 0, s) + Vectors.sum(c, e, m)) / mt;
                double ss = 0;
                for (int i = 0; i < s; i++) {
                    double dd = c[i] - mean;
                    ss += dd * dd;
                }
                for (int i = e; i < m; i++) {
                    double dd = c[i] - mean;
                    ss += dd * dd;
                }
                mu[j] = mean;
                d[j] = ss / mt;
            }
            return mu[j];
        }

        /** Adds column j (current gradient gj) to the strong set; the residual must be in sync. */
        void addStrong(int j, double gj) {
            if (pos[j] >= 0) {
                return;
            }
            int q = strongCount++;
            if (q == strongList.length) {
                int cap = q * 2;
                strongList = Arrays.copyOf(strongList, cap);
                gs = Arrays.copyOf(gs, cap);
                pending = Arrays.copyOf(pending, cap);
                gram = Arrays.copyOf(gram, cap);
            }
            strongList[q] = j;
            pos[j] = q;
            gs[q] = gj;
            double mj = mean(j);
            if (!covariance) {
                return;
            }
            if (q >= MAX_GRAM) {
                covariance = false;
                gram = null;
                return;
            }
            double[] row = new double[Math.max(16, gram.length)];
            double[] xj = x[j];
            for (int q2 = 0; q2 < q; q2++) {
                int k = strongList[q2];
                double g = (Vectors.dot(xj, x[k], 0, s) + Vectors.dot(xj, x[k], e, m)) / mt - mj * mu[k];
                row[q2] = g;
                double[] other = gram[q2];
                if (other.length <= q) {
                    other = Arrays.copyOf(other, Math.max(q + 1, other.length * 2));
                    gram[q2] = other;
                }
                other[q] = g;
            }
            row[q] = d[j];
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

        /** Records column j's gradient from a shared pass; true if it violates the optimality conditions. */
        boolean check(int j, double dot, double alpha) {
            double gj = dot / mt;
            grad[j] = gj;
            int q = pos[j];
            if (q >= 0) {
                gs[q] = gj;
                return false;
            }
            if (Math.abs(gj) > alpha) {
                addStrong(j, gj);
                return true;
            }
            return false;
        }

        /** Descent and optimality checks on this fit alone until no column violates them. */
        void solve(double alpha, PathOptions o) {
            int p = x.length;
            double tol = o.tolerance() * nullVar;
            while (true) {
                descend(alpha, tol, o.maxSweeps());
                syncResidual();
                boolean violated = false;
                for (int j = 0; j < p; j++) {
                    violated |= check(j, Vectors.dot(x[j], r, 0, m), alpha);
                }
                if (!violated) {
                    return;
                }
            }
        }

        /** Coordinate descent over the strong set, iterating on the active set in between full sweeps. */
        void descend(double alpha, double tol, int maxSweeps) {
            int sweeps = 0;
            while (sweeps < maxSweeps) {
                double change = sweep(alpha, false);
                sweeps++;
                if (change < tol) {
                    return;
                }
                while (sweeps < maxSweeps) {
                    change = sweep(alpha, true);
                    sweeps++;
                    if (change < tol) {
                        break;
                    }
                }
            }
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
                double g;
                if (covariance) {
                    g = gs[q];
                } else {
                    g = Vectors.dot(x[j], r, 0, m) / mt;
                }
                double z = g + dj * bOld;
                double bNew = z > alpha ? (z - alpha) / dj : (z < -alpha ? (z + alpha) / dj : 0.0);
                double delta = bNew - bOld;
                if (delta == 0) {
                    continue;
                }
                beta[j] = bNew;
                maxChange = Math.max(maxChange, dj * delta * delta);
                if (covariance) {
                    double[] row = gram[q];
                    double[] g2 = gs;
                    for (int q2 = 0; q2 < n; q2++) {
                        g2[q2] -= row[q2] * delta;
                    }
                    pending[q] += delta;
                } else {
                    double[] c = x[j];
                    double shift = delta * mu[j];
                    Vectors.axpyShift(-delta, c, shift, r, 0, s);
                    Vectors.axpyShift(-delta, c, shift, r, e, m);
                    gs[q] = g - dj * delta;
                }
            }
            return maxChange;
        }

        /** Applies pending coefficient changes to the residual (covariance mode). */
        void syncResidual() {
            for (int q = 0; q < strongCount; q++) {
                double delta = pending[q];
                if (delta != 0) {
                    int j = strongList[q];
                    double shift = delta * mu[j];
                    Vectors.axpyShift(-delta, x[j], shift, r, 0, s);
                    Vectors.axpyShift(-delta, x[j], shift, r, e, m);
                    pending[q] = 0;
                }
            }
        }

        /** The fraction of the null deviance (training variance) explained by the current coefficients. */
        double explained() {
            if (!(nullVar > 0)) {
                return 1;
            }
            double rss = Vectors.dot(r, r, 0, m) / mt;
            return 1 - rss / nullVar;
        }

        double testMse() {
            int nt = e - s;
            if (nt == 0) {
                return 0;
            }
            double[] pred = new double[nt];
            Arrays.fill(pred, ybar);
            for (int q = 0; q < strongCount; q++) {
                int j = strongList[q];
                double b = beta[j];
                if (b != 0) {
                    double[] c = x[j];
                    double shift = -b * mu[j];
                    for (int i = s; i < e; i++) {
                        pred[i - s] += b * c[i] + shift;
                    }
                }
            }
            double sse = 0;
            for (int i = s; i < e; i++) {
                double dd = y[i] - pred[i - s];
                sse += dd * dd;
            }
            return sse / nt;
        }
    }
}
