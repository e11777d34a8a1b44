package io.memguard.autofeat.internal.linear;

/** Whether the target is a real number or a class label; thread-safe. */
public enum ProblemType {
    /** Real-valued target, Lasso models, R^2 score. */
    REGRESSION,
    /** Class labels, L1 logistic models with balanced class weights, accuracy score. */
    CLASSIFICATION
}
