/**
 * memguard core: budgets, hierarchical {@link io.memguard.core.MemoryScope scopes}, {@link
 * io.memguard.core.Reservation reservations} with a Cleaner safety net, fair admission of
 * concurrent tasks with batch sizing ({@link io.memguard.core.ResourceAllocator}), staged cleanup
 * ({@link io.memguard.core.CleanupManager}), weak registries and pressure levels.
 *
 * <p>Start with {@link io.memguard.core.MemoryManager#builder()}. Implementation classes are
 * package-private; everything public here is API.
 *
 * <p>Nullness, one rule for all memguard packages: parameters, results and fields are non-null
 * unless annotated {@code @Nullable} (JSpecify's {@code @NullMarked}). Lookups that may find
 * nothing return {@code Optional} ({@code MemoryScope.parent()}, {@code tryReserve}, {@code
 * latest()}); {@code @Nullable} marks only fields of reports and events that are absent in some
 * states (a cleanup's error, a leak at close) and {@code ResourceAllocator.tryAcquire}, whose
 * {@code null} goes in try-with-resources.
 */
@NullMarked
package io.memguard.core;

import org.jspecify.annotations.NullMarked;
