/**
 * Hand-written L1 models on penalty paths with unshuffled K-fold cross-validation: a Lasso solved
 * exactly by the LARS homotopy (selection), a coordinate-descent Lasso (final models) and an
 * L1-penalised logistic regression, and the fitted linear models they produce.
 */
package io.memguard.autofeat.internal.linear;
