package io.memguard.autofeat.internal.linear;

import java.util.Objects;

/**
 * Settings of a cross-validated L1 penalty path; an immutable value, validated on construction,
 * thread-safe.
 *
 * @param folds the number of cross-validation folds (unshuffled, like scikit-learn's KFold)
 * @param lambdas the number of penalties on the geometric grid from the smallest penalty that
 *     zeroes every coefficient down to {@code eps} times it
 * @param eps the ratio of the smallest to the largest penalty
 * @param tolerance coordinate descent stops when no coefficient moves the objective by more than
 *     this times the null deviance (not used by the homotopy)
 * @param maxSweeps the maximum number of coordinate-descent sweeps per penalty (not used by the
 *     homotopy)
 * @param patience the path stops once the mean CV error has not improved for this many consecutive
 *     penalties (0 = always run the full grid)
 * @param maxDevianceRatio glmnet's {@code devmax}: the path stops once the fit explains more than
 *     this fraction of the null deviance (1 = never); coordinate descent reads the all-rows fit,
 *     the homotopy the mean of the fold fits
 * @param minDevianceChange glmnet's {@code fdev}: the path stops once the explained fraction grows
 *     by less than this (relative) from one penalty to the next (0 = never)
 * @param maxCvRise the path stops once the mean CV error, after its best so far, has risen back
 *     this fraction of the way to the error of the intercept-only model (the first penalty's); 0 =
 *     never. It ends paths that head for interpolation while letting them cross a small hump to a
 *     second, lower minimum. Regression only
 * @param solver how each penalty of a regression path is solved (classification always uses
 *     coordinate descent and ignores this, {@code maxCvRise} and {@code maxSteps})
 * @param maxSteps the maximum number of knots (entries and exits of columns) an exact homotopy path
 *     follows, like scikit-learn's {@code max_iter}; the coefficients stay at the last knot's below
 *     it
 */
public record PathOptions(
    int folds,
    int lambdas,
    double eps,
    double tolerance,
    int maxSweeps,
    int patience,
    double maxDevianceRatio,
    double minDevianceChange,
    double maxCvRise,
    Solver solver,
    int maxSteps) {

  /** How a regression path is solved. */
  public enum Solver {
    /**
     * Coordinate descent at each penalty, warm-started; approximate, to {@link
     * PathOptions#tolerance()}.
     */
    COORDINATE_DESCENT,
    /** The LARS homotopy: exact up to rounding at every penalty ({@link LarsLassoCv}). */
    LARS
  }

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
      throw new IllegalArgumentException(
          "maxDevianceRatio must be in (0, 1], was " + maxDevianceRatio);
    }
    if (!(minDevianceChange >= 0 && minDevianceChange < 1)) {
      throw new IllegalArgumentException(
          "minDevianceChange must be in [0, 1), was " + minDevianceChange);
    }
    if (!(maxCvRise >= 0)) {
      throw new IllegalArgumentException("maxCvRise must be >= 0, was " + maxCvRise);
    }
    Objects.requireNonNull(solver, "solver");
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be >= 1, was " + maxSteps);
    }
  }

  /** Settings solved by coordinate descent, without the CV-rise stop ({@code maxCvRise} 0). */
  public PathOptions(
      int folds,
      int lambdas,
      double eps,
      double tolerance,
      int maxSweeps,
      int patience,
      double maxDevianceRatio,
      double minDevianceChange) {
    this(
        folds,
        lambdas,
        eps,
        tolerance,
        maxSweeps,
        patience,
        maxDevianceRatio,
        minDevianceChange,
        0,
        Solver.COORDINATE_DESCENT,
        500);
  }

  /**
   * For regression selection fits: 5 folds, 150 penalties down to 1e-4, solved exactly by the LARS
   * homotopy (at most 500 knots, scikit-learn's {@code max_iter}), no patience, the CV-rise stop at
   * 0.1 and glmnet's path stops (0.999, 1e-5). The CV error of selection fits often has a second,
   * lower minimum at small penalties, where many correlated candidates share the hard rows;
   * autofeat's {@code LassoLarsCV} finds it and so must this.
   */
  public static PathOptions forSelection() {
    return new PathOptions(5, 150, 1e-4, 1e-7, 1000, 0, 0.999, 1e-5, 0.1, Solver.LARS, 500);
  }

  /**
   * For final regression models: 5 folds, 100 penalties down to 1e-4, tolerance 1e-9, the whole
   * grid (no patience), no deviance-based stop. A final model on a handful of features is cheap,
   * precise targets need the small penalties, and its CV error can have a second, lower minimum
   * after a hump, as in selection.
   */
  public static PathOptions forFinalModel() {
    return new PathOptions(5, 100, 1e-4, 1e-9, 5000, 0, 1.0, 0.0);
  }

  /**
   * Defaults for selection fits of {@code problem}: {@link #forSelection()} for regression; for
   * classification coordinate descent on 30 penalties down to 1e-3 with patience 10 (scikit-learn's
   * LogisticRegressionCV, which autofeat uses, tries 10 values over 8 decades; each logistic
   * penalty costs several reweighted fits).
   */
  public static PathOptions forSelection(TargetKind problem) {
    return problem == TargetKind.REGRESSION
        ? forSelection()
        : new PathOptions(5, 30, 1e-3, 1e-7, 1000, 10, 0.999, 1e-5);
  }

  /**
   * Defaults for final models of {@code problem}: {@link #forFinalModel()}, or for classification
   * 40 penalties down to 1e-4 with patience 15 (each logistic penalty costs several reweighted
   * fits).
   */
  public static PathOptions forFinalModel(TargetKind problem) {
    return problem == TargetKind.REGRESSION
        ? forFinalModel()
        : new PathOptions(5, 40, 1e-4, 1e-9, 5000, 15, 1.0, 0.0);
  }

  /** A copy with another number of penalties and ratio. */
  public PathOptions withGrid(int lambdas, double eps) {
    return new PathOptions(
        folds,
        lambdas,
        eps,
        tolerance,
        maxSweeps,
        patience,
        maxDevianceRatio,
        minDevianceChange,
        maxCvRise,
        solver,
        maxSteps);
  }

  /** A copy with other deviance-based stops. */
  public PathOptions withDevianceStops(double maxRatio, double minChange) {
    return new PathOptions(
        folds, lambdas, eps, tolerance, maxSweeps, patience, maxRatio, minChange, maxCvRise, solver,
        maxSteps);
  }

  /** A copy with another patience (0 = run the whole grid). */
  public PathOptions withPatience(int patience) {
    return new PathOptions(
        folds,
        lambdas,
        eps,
        tolerance,
        maxSweeps,
        patience,
        maxDevianceRatio,
        minDevianceChange,
        maxCvRise,
        solver,
        maxSteps);
  }

  /** A copy with another CV-rise stop (0 = never). */
  public PathOptions withMaxCvRise(double maxCvRise) {
    return new PathOptions(
        folds,
        lambdas,
        eps,
        tolerance,
        maxSweeps,
        patience,
        maxDevianceRatio,
        minDevianceChange,
        maxCvRise,
        solver,
        maxSteps);
  }

  /** A copy solved by {@code solver}, homotopy paths bounded by {@code maxSteps} knots. */
  public PathOptions withSolver(Solver solver, int maxSteps) {
    return new PathOptions(
        folds,
        lambdas,
        eps,
        tolerance,
        maxSweeps,
        patience,
        maxDevianceRatio,
        minDevianceChange,
        maxCvRise,
        solver,
        maxSteps);
  }

  /**
   * Whether the path should stop at mean CV error {@code mse}, given the best so far and the first
   * penalty's.
   */
  boolean cvRiseStop(double mse, double best, double first) {
    return maxCvRise > 0 && mse > best + maxCvRise * (first - best);
  }

  /**
   * Whether the path should stop after a penalty whose all-rows fit explains {@code dev},
   * previously {@code prev}.
   */
  boolean devianceStop(double dev, double prev) {
    return dev > maxDevianceRatio
        || (minDevianceChange > 0 && dev > 0 && (dev - prev) < minDevianceChange * dev);
  }
}
