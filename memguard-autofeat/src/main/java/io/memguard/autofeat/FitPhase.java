package io.memguard.autofeat;

/**
 * The phases of a fit, in order. Thread-safe.
 *
 * @since 0.1.0
 */
public enum FitPhase {
  /** Planning: a pilot generation on a few rows predicts the memory of the normal plan. */
  PLAN,
  /** Feature generation in batches, then generation's final filter. */
  GENERATE,
  /** Feature selection: L1 fits on chunks of candidate columns, one step per selection run. */
  SELECT,
  /** The final model on the selected features, on all training rows. */
  MODEL
}
