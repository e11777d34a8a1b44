/**
 * Hand-written L1 models: a coordinate-descent Lasso and an L1-penalised logistic regression, both on warm-started
 * penalty paths with unshuffled K-fold cross-validation, and the fitted linear models they produce.
 */
package io.memguard.autofeat.internal.linear;
