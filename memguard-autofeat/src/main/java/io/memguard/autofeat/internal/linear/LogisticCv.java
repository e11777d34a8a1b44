package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.math.Vectors;
import java.util.Arrays;
import java.util.Objects;

/**
 * Binary L1-penalised logistic regression with an intercept and sample weights, fitted by coordinate descent on
 * iteratively reweighted quadratic approximations (as glmnet does) along a warm-started penalty path, the
 * penalty chosen by K-fold cross-validation (weighted log-loss) and refitted on all rows; stateless and
 * thread-safe.
 *
 * <p>Objective for penalty {@code a}: {@code (1/W) * sum_i w_i * (log(1 + e^eta_i) - y_i * eta_i) + a * ||beta||_1}
 * with {@code eta = b + X beta}, {@code W = sum_i w_i}. The fold fits and the all-rows fit advance together along
 * the grid, as in {@link LassoCv}, with the same strong-rule screening and early stop.
 */
public final class LogisticCv {

    /** Result of a fit: coefficients, intercept, chosen penalty. */
    public record Result(double[] coef, double intercept, double lambda, int lambdaIndex, int pathLength, double cvLoss) {}

    private static final double MIN_VARIANCE_WEIGHT = 1e-5;
    private static final int MAX_IRLS = 50;

    private LogisticCv() {}

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
        Fit[] fits = new Fit[folds + 1];
        for (int f = 0; f < folds; f++) {
            fits[f] = new Fit(x, y, w, m, kf.start(f), kf.end(f));
        }
        Fit full = new Fit(x, y, w, m, 0, 0);
        fits[folds] = full;
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
            double loss = 0;
            for (int f = 0; f <= folds; f++) {
                fits[f].solve(lambda, prev, options);
                if (f < folds) {
                    loss += fits[f].testLoss();
                }
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
            if (k > 0 && options.devianceStop(dev, prevDev)) {
                k++;
                break; // includes (nearly) separable data, where smaller penalties only inflate coefficients
            }
            prevDev = dev;
        }
        return new Result(bestCoef, bestB0, bestLambda, bestK, Math.min(k, lambdas), best);
    }

    static double softplus(double eta) {
        return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    }

    static double sigmoid(double eta) {
        if (eta >= 0) {
            return 1.0 / (1.0 + Math.exp(-eta));
        }
        double e = Math.exp(eta);
        return e / (1.0 + e);
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
        final double[] eta;
        final double[] res;
        final double[] wt;
        final double[] beta;
        final double[] grad;
        final double[] dw;
        final boolean[] strong;
        int[] strongList;
        int strongCount;
        double b0;

        Fit(double[][] x, double[] y, double[] sw, int m, int s, int e) {
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
            res = new double[m];
            wt = new double[m];
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
            return Vectors.dot(a, b, 0, s) + Vectors.dot(a, b, e, m);
        }

        double trainLoss() {
            double l = 0;
            for (int i = 0; i < m; i++) {
                if (i < s || i >= e) {
                    l += sw[i] * (softplus(eta[i]) - y[i] * eta[i]);
                }
            }
            return l / wsum;
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
            while (true) {
                for (int it = 0; it < MAX_IRLS; it++) {
                    if (irls(lambda, tol, o.maxSweeps()) < tol) {
                        break;
                    }
                }
                // optimality check on the columns outside the strong set, at the current solution
                for (int i = 0; i < m; i++) {
                    res[i] = (i < s || i >= e) ? sw[i] * (y[i] - sigmoid(eta[i])) : 0;
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

        /** One reweighting step followed by coordinate descent on the quadratic; returns the largest change. */
        private double irls(double lambda, double tol, int maxSweeps) {
            for (int i = 0; i < m; i++) {
                if (i < s || i >= e) {
                    double pi = sigmoid(eta[i]);
                    double v = Math.max(pi * (1 - pi), MIN_VARIANCE_WEIGHT);
                    wt[i] = sw[i] * v;
                    res[i] = (y[i] - pi) / v;
                } else {
                    wt[i] = 0;
                    res[i] = 0;
                }
            }
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
            double[] et = new double[nt];
            Arrays.fill(et, b0);
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
