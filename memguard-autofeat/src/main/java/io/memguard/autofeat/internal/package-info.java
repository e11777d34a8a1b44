/**
 * Internals of memguard's autofeat implementation: the engine that generates non-linear features,
 * selects them with L1 models and fits the final linear model. Not API; the public front door lives
 * in {@code io.memguard.autofeat}.
 */
package io.memguard.autofeat.internal;
