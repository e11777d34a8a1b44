package io.memguard.autofeat.internal.linear;

/**
 * glmnet's schedule for coordinate descent at one penalty, shared by the lasso solvers: a full
 * sweep, then sweeps over the active set until they converge, then a full sweep again, until a full
 * sweep converges or the sweeps run out. Stateless.
 */
final class CoordinateDescent {

  /** One sweep of a solver at a penalty: returns its largest objective change. */
  @FunctionalInterface
  interface Sweep {
    double sweep(double alpha, boolean activeOnly);
  }

  private CoordinateDescent() {}

  /**
   * Descends at {@code alpha} until a full sweep changes the objective by less than {@code tol}, or
   * {@code maxSweeps} sweeps ran.
   */
  static void descend(Sweep solver, double alpha, double tol, int maxSweeps) {
    int sweeps = 0;
    while (sweeps < maxSweeps) {
      double change = solver.sweep(alpha, false);
      sweeps++;
      if (change < tol) {
        return;
      }
      while (sweeps < maxSweeps) {
        change = solver.sweep(alpha, true);
        sweeps++;
        if (change < tol) {
          break;
        }
      }
    }
  }
}
