/**
 * memguard core: budgets, hierarchical {@link io.memguard.core.MemoryScope scopes}, {@link
 * io.memguard.core.Reservation reservations} with a Cleaner safety net, fair admission of
 * concurrent tasks with batch sizing ({@link io.memguard.core.ResourceAllocator}), staged cleanup
 * ({@link io.memguard.core.CleanupManager}), weak registries and pressure levels.
 *
 * <p>Start with {@link io.memguard.core.MemoryManager#builder()}. Implementation classes are
 * package-private; everything public here is API.
 */
package io.memguard.core;
