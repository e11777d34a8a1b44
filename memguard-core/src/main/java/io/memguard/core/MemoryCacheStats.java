package io.memguard.core;

import java.util.Locale;

/**
 * A snapshot of a {@link MemoryCache}'s counters (Caffeine's, plus its weight). An immutable value.
 *
 * @param hits reads that found an entry
 * @param misses reads that did not
 * @param evictions entries evicted for size (not explicit invalidations)
 * @param evictedBytes the evicted entries' weight
 * @param weightBytes the entries' weight now
 * @param maxBytes the maximum weight
 * @param entries the number of entries (estimated, as Caffeine counts)
 * @since 0.1.0
 */
public record MemoryCacheStats(
    long hits,
    long misses,
    long evictions,
    long evictedBytes,
    long weightBytes,
    long maxBytes,
    long entries) {

  /** Hits over reads, or 0 before the first read. */
  public double hitRate() {
    long reads = hits + misses;
    return reads == 0 ? 0 : (double) hits / reads;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "MemoryCacheStats[hits=%d (%.1f%%), misses=%d, evictions=%d (%s), weight=%s of %s,"
            + " entries=%d]",
        hits,
        hitRate() * 100,
        misses,
        evictions,
        MemorySize.format(evictedBytes),
        MemorySize.format(weightBytes),
        MemorySize.format(maxBytes),
        entries);
  }
}
