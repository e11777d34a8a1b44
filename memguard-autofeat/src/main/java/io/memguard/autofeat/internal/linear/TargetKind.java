package io.memguard.autofeat.internal.linear;

/**
 * The engine's view of the target: a real number (Lasso models, R^2) or a class label (L1 logistic
 * models with balanced class weights, accuracy). The API's {@code TargetKind} maps onto it; the
 * engine never depends on the API package. Thread-safe.
 */
public enum TargetKind {
  /** Real-valued target, Lasso models, R^2 score. */
  REGRESSION,
  /** Class labels, L1 logistic models with balanced class weights, accuracy score. */
  CLASSIFICATION
}
