package io.memguard.autofeat.internal.linear;

/**
 * Settings of a cross-validated L1 penalty path; an immutable value, validated on construction, thread-safe.
 *
 * @param folds the number of cross-validation folds (unshuffled, like scikit-learn's KFold)
 * @param lambdas the number of penalties on the geometric grid from the smallest penalty that zeroes every
 *     coefficient down to {@code eps} times it
 * @param eps the ratio of the smallest to the largest penalty
 * @param tolerance coordinate descent stops when no coefficient moves the objective by more than this times the
 *     null deviance
 * @param maxSweeps the maximum number of coordinate-descent sweeps per penalty
 * @param patience the path stops once the mean CV error has not improved for this many consecutive penalties
 *     (0 = always run the full grid)
 * @param maxDevianceRatio glmnet's {@code devmax}: the path stops once the all-rows fit explains more than this
 *     fraction of the null deviance (1 = never)
 * @param minDevianceChange glmnet's {@code fdev}: the path stops once the explained fraction grows by less than
 *     this (relative) from one penalty to the next (0 = never)
 */
public record PathOptions(
        int folds,
        int lambdas,
        double eps,
        double tolerance,
        int maxSweeps,
        int patience,
        double maxDevianceRatio,
        double minDevianceChange) {

    /** Validates. */
    public PathOptions {
        if (folds < 2) {
            throw new IllegalArgumentException("folds must be >= 2, was " + folds);
        }
        if (lambdas < 1) {
            throw new IllegalArgumentException("lambdas must be >= 1, was " + lambdas);
        }
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("eps must be in (0, 1), was " + eps);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, was " + tolerance);
        }
        if (maxSweeps < 1) {
            throw new IllegalArgumentException("maxSweeps must be >= 1, was " + maxSweeps);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, was " + patience);
        }
        if (!(maxDevianceRatio > 0 && maxDevianceRatio <= 1)) {
            throw new IllegalArgumentException("maxDevianceRatio must be in (0, 1], was " + maxDevianceRatio);
        }
        if (!(minDevianceChange >= 0 && minDevianceChange < 1)) {
            throw new IllegalArgumentException("minDevianceChange must be in [0, 1), was " + minDevianceChange);
        }
    }

    /**
     * For selection fits: 5 folds, 100 penalties down to 1e-3 (scikit-learn's LassoCV grid), tolerance 1e-7,
     * patience 10, and glmnet's path stops (0.999, 1e-5).
     */
    public static PathOptions forSelection() {
        return new PathOptions(5, 100, 1e-3, 1e-7, 1000, 10, 0.999, 1e-5);
    }

    /**
     * For final models: 5 folds, 100 penalties down to 1e-4, tolerance 1e-9, patience 15, no deviance-based stop
     * (a final model on a handful of features is cheap, and precise targets need the small penalties).
     */
    public static PathOptions forFinalModel() {
        return new PathOptions(5, 100, 1e-4, 1e-9, 5000, 15, 1.0, 0.0);
    }

    /**
     * Defaults for selection fits of {@code problem}: {@link #forSelection()} for regression; for classification
     * 30 penalties down to 1e-3 (scikit-learn's LogisticRegressionCV, which autofeat uses, tries 10 values over
     * 8 decades; each logistic penalty costs several reweighted fits).
     */
    public static PathOptions forSelection(ProblemType problem) {
        return problem == ProblemType.REGRESSION ? forSelection() : forSelection().withGrid(30, 1e-3);
    }

    /** Defaults for final models of {@code problem}: {@link #forFinalModel()}, or 40 penalties down to 1e-4. */
    public static PathOptions forFinalModel(ProblemType problem) {
        return problem == ProblemType.REGRESSION ? forFinalModel() : forFinalModel().withGrid(40, 1e-4);
    }

    /** A copy with another number of penalties and ratio. */
    public PathOptions withGrid(int lambdas, double eps) {
        return new PathOptions(
                folds, lambdas, eps, tolerance, maxSweeps, patience, maxDevianceRatio, minDevianceChange);
    }

    /** A copy with other deviance-based stops. */
    public PathOptions withDevianceStops(double maxRatio, double minChange) {
        return new PathOptions(folds, lambdas, eps, tolerance, maxSweeps, patience, maxRatio, minChange);
    }

    /** Whether the path should stop after a penalty whose all-rows fit explains {@code dev}, previously {@code prev}. */
    boolean devianceStop(double dev, double prev) {
        return dev > maxDevianceRatio || (minDevianceChange > 0 && dev > 0 && (dev - prev) < minDevianceChange * dev);
    }
}
