/**
 * AutoFeat inside memguard scopes: {@link io.memguard.autofeat.AutoFeatProcessor} fits {@link
 * io.memguard.autofeat.AutoFeatModel}s on a {@link io.memguard.autofeat.Dataset}, reserving
 * everything a fit allocates in the scope it is given, sizing its batches from the memory it has,
 * switching to a lightweight plan when memory runs short, and reporting what it did ({@link
 * io.memguard.autofeat.FitReport}, {@link io.memguard.autofeat.FitListener}). {@link
 * io.memguard.autofeat.ModelRegistry} holds fitted models weakly.
 *
 * <p>The algorithm itself lives in {@code io.memguard.autofeat.internal}, which is not API.
 *
 * <p>Nullness, one rule for all memguard packages: parameters, results and fields are non-null
 * unless annotated {@code @Nullable} (JSpecify's {@code @NullMarked}). Lookups that may find
 * nothing return {@code Optional} ({@code MemoryScope.parent()}, {@code tryReserve}, {@code
 * latest()}); {@code @Nullable} marks only fields of reports and events that are absent in some
 * states (a cleanup's error, a leak at close) and {@code ResourceAllocator.tryAcquire}, whose
 * {@code null} goes in try-with-resources.
 */
@NullMarked
package io.memguard.autofeat;

import org.jspecify.annotations.NullMarked;
