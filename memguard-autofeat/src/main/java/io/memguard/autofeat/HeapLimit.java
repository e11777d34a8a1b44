package io.memguard.autofeat;

import io.memguard.core.MemoryManager;

/**
 * What the JVM's heap can hold besides what is already in it: a fit never plans for more than a
 * share of the maximum heap less the heap in use after the most recent collection (or less the heap
 * in use now when no collection has run yet, which counts garbage too and so errs on the safe
 * side). A manager's budget is the caller's word for what memguard may reserve; this is the heap's
 * word, and a fit takes the smaller, so that a budget set larger than the free heap (the default
 * 80% of a 16 MiB heap already holding the data) cannot lead to an {@link OutOfMemoryError}.
 *
 * <p>Garbage never counts once a collection has run: a fit's plan (and so its features) does not
 * depend on how much garbage happens to lie in the heap when it starts. Never requests a
 * collection. Thread-safe.
 */
final class HeapLimit {

  /**
   * The share of the free heap a fit plans for: the rest is for what no reservation covers (short
   * temporaries, the collector's own room to copy survivors).
   */
  static final double FREE_HEAP_SHARE = 0.8;

  private HeapLimit() {}

  /** The maximum heap in bytes, or {@code Long.MAX_VALUE} when the JVM sets none. */
  static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  /**
   * The heap in use: after the most recent collection when the collectors say (read once, then from
   * their notifications) plus {@code recentBytes} that may have been allocated and still be live
   * since that collection (never more than now), else now (garbage included, so an upper bound).
   *
   * @param recentBytes live bytes that may postdate the last collection: a fit passes twice its
   *     data set (the table it was given and one copy, as a split or a parse leaves behind), which
   *     a collection that ran before they were allocated did not see
   */
  static long inUseBytes(long recentBytes) {
    Runtime rt = Runtime.getRuntime();
    long now = rt.totalMemory() - rt.freeMemory();
    if (rt.maxMemory() == Long.MAX_VALUE) {
      return now;
    }
    long after = MemoryManager.heapUsedAfterLastCollectionBytes();
    return after >= 0 ? Math.min(now, after + Math.max(0, recentBytes)) : now;
  }

  /**
   * The bytes a fit starting now may plan for: a share of the heap not in use.
   *
   * @param inUseBytes the heap in use now, from {@link #inUseBytes(long)}
   */
  static long limitBytes(long inUseBytes) {
    long max = maxHeapBytes();
    if (max == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return (long) (Math.max(0, max - inUseBytes) * FREE_HEAP_SHARE);
  }
}
