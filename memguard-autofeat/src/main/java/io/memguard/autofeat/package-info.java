/**
 * AutoFeat inside memguard scopes: {@link io.memguard.autofeat.AutoFeatProcessor} fits {@link
 * io.memguard.autofeat.AutoFeatModel}s on a {@link io.memguard.autofeat.Dataset}, reserving
 * everything a fit allocates in the scope it is given, sizing its batches from the memory it has,
 * switching to a lightweight plan when memory runs short, and reporting what it did ({@link
 * io.memguard.autofeat.FitReport}, {@link io.memguard.autofeat.FitListener}). {@link
 * io.memguard.autofeat.ModelRegistry} holds fitted models weakly.
 *
 * <p>The algorithm itself lives in {@code io.memguard.autofeat.internal}, which is not API.
 */
package io.memguard.autofeat;
