package io.memguard.autofeat;

/**
 * Where a fit is: an immutable value sent to {@link FitListener#onProgress}. Thread-safe.
 *
 * @param phase the phase
 * @param step the step within the phase: feature-engineering step (PLAN, GENERATE), selection run
 *     (SELECT; 0 for the final aggregation), 0 for MODEL
 * @param steps the number of steps of the phase
 * @param batch batches finished in this step
 * @param batches the estimated number of batches of this step (batch sizes adapt, so this can
 *     change)
 * @param percent progress of this step, 0..100
 * @since 0.1.0
 */
public record FitProgress(
    FitPhase phase, int step, int steps, int batch, int batches, double percent) {

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s step %d/%d, batch %d of %d, %.0f%%",
        phase,
        step,
        steps,
        batch,
        batches,
        percent);
  }
}
