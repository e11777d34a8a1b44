package io.memguard.core;

/**
 * A snapshot of an {@link ArrayPool}'s counters. Counts are events since the pool was built; bytes
 * are array sizes including the JVM's array header. An immutable value; each field is read on its
 * own, so a snapshot taken while other threads borrow is approximate across fields.
 *
 * @param borrows arrays handed out
 * @param hits borrows served from a retained array
 * @param misses borrows that allocated a new array
 * @param returns arrays given back
 * @param dropped arrays given back and not kept (pressure at ELEVATED or above, the cap, the pool
 *     scope's budget, or too large to pool)
 * @param forgotten borrows whose scope closed before they were given back (their bytes returned to
 *     the budget by the close, which reports them as a reservation leak)
 * @param outstandingBytes bytes of arrays borrowed and not yet given back
 * @param retainedBytes bytes of arrays kept for reuse, all reserved in the pool's scope
 * @param trimmedBytes bytes released by trims (cleanup's {@code POOLS} stage, {@link
 *     ArrayPool#trim()}, close)
 * @since 0.1.0
 */
public record ArrayPoolStats(
    long borrows,
    long hits,
    long misses,
    long returns,
    long dropped,
    long forgotten,
    long outstandingBytes,
    long retainedBytes,
    long trimmedBytes) {

  /** Hits over borrows, or 0 before the first borrow. */
  public double hitRate() {
    return borrows == 0 ? 0 : (double) hits / borrows;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "ArrayPoolStats[borrows=%d, hits=%d (%.1f%%), misses=%d, returns=%d, dropped=%d,"
            + " forgotten=%d, outstanding=%s, retained=%s, trimmed=%s]",
        borrows,
        hits,
        hitRate() * 100,
        misses,
        returns,
        dropped,
        forgotten,
        MemorySize.format(outstandingBytes),
        MemorySize.format(retainedBytes),
        MemorySize.format(trimmedBytes));
  }
}
