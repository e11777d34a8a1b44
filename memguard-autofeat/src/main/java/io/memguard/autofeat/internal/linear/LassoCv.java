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
 * conditions; that pass is the only full pass over the data per penalty and fit. Fold fits read the training
 * rows of the shared columns in place (the test block of unshuffled K-fold is contiguous), so no data is copied.
 */
public final class LassoCv {

    /** Result of a fit. */
    public record Result(double[] coef, double intercept, double alpha, int alphaIndex, int pathLength, double cvMse) {}

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
        int k = 0;
        for (; k < lambdas; k++) {
            double alpha = alphaMax * Math.pow(ratio, k);
            double mse = 0;
            for (int f = 0; f <= folds; f++) {
                fits[f].solve(alpha, prev, options);
                if (f < folds) {
                    mse += fits[f].testMse();
                }
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
        }
        double intercept = full.ybar;
        for (int j = 0; j < p; j++) {
            if (bestCoef[j] != 0) {
                intercept -= bestCoef[j] * full.mean(j);
            }
        }
        return new Result(bestCoef, intercept, bestAlpha, bestK, Math.min(k, lambdas), best);
    }

    /** One fit on all rows except the test block {@code [s, e)}. */
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
        final boolean[] strong;
        int[] strongList;
        int strongCount;

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
            Arrays.fill(mu, Double.NaN);
            strong = new boolean[p];
            strongList = new int[Math.min(p, 64)];
            for (int j = 0; j < p; j++) {
                grad[j] = dotTrain(x[j]) / mt;
            }
        }

        double dotTrain(double[] v) {
            return Vectors.dot(v, r, 0, s) + Vectors.dot(v, r, e, m);
        }

        double mean(int j) {
            if (Double.isNaN(mu[j])) {
                double[] c = x[j];
                double sum = Vectors.sum(c, 0, s) + Vectors.sum(c, e, m);
                double mean = sum / mt;
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

        void addStrong(int j) {
            if (!strong[j]) {
                strong[j] = true;
                if (strongCount == strongList.length) {
                    strongList = Arrays.copyOf(strongList, Math.max(8, strongCount * 2));
                }
                strongList[strongCount++] = j;
            }
        }

        void solve(double alpha, double prevAlpha, PathOptions o) {
            double thr = 2 * alpha - prevAlpha;
            int p = x.length;
            for (int j = 0; j < p; j++) {
                if (beta[j] != 0 || Math.abs(grad[j]) >= thr) {
                    addStrong(j);
                }
            }
            double tol = o.tolerance() * nullVar;
            while (true) {
                descend(alpha, tol, o.maxSweeps());
                boolean violated = false;
                for (int j = 0; j < p; j++) {
                    if (!strong[j]) {
                        double g = dotTrain(x[j]) / mt;
                        grad[j] = g;
                        if (Math.abs(g) > alpha) {
                            addStrong(j);
                            violated = true;
                        }
                    }
                }
                if (!violated) {
                    return;
                }
            }
        }

        /** Coordinate descent over the strong set, iterating on the active set in between full sweeps. */
        private void descend(double alpha, double tol, int maxSweeps) {
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
            for (int q = 0; q < strongCount; q++) {
                int j = strongList[q];
                double bOld = beta[j];
                if (activeOnly && bOld == 0) {
                    continue;
                }
                double mean = mean(j);
                double dj = d[j];
                if (!(dj > 0)) {
                    continue;
                }
                double[] c = x[j];
                double g = dotTrain(c) / mt;
                double z = g + dj * bOld;
                double bNew = z > alpha ? (z - alpha) / dj : (z < -alpha ? (z + alpha) / dj : 0.0);
                double delta = bNew - bOld;
                if (delta != 0) {
                    Vectors.axpyShift(-delta, c, delta * mean, r, 0, s);
                    Vectors.axpyShift(-delta, c, delta * mean, r, e, m);
                    beta[j] = bNew;
                    maxChange = Math.max(maxChange, dj * delta * delta);
                }
                grad[j] = g - dj * delta;
            }
            return maxChange;
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
