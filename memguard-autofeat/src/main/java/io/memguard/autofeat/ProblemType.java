package io.memguard.autofeat;

/**
 * What the target of a {@link Dataset} is. Thread-safe.
 *
 * @since 0.1.0
 */
public enum ProblemType {
  /** A real-valued target: Lasso models; {@link AutoFeatModel#score} is R^2. */
  REGRESSION,
  /**
   * Class labels (any distinct numbers, at least two): L1 logistic models, one-vs-rest with
   * balanced class weights; {@link AutoFeatModel#score} is the accuracy.
   */
  CLASSIFICATION
}
