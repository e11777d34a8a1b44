package io.memguard.autofeat;

import io.memguard.core.MemoryManager;

/**
 * What the JVM's heap can hold besides what is already in it: a fit never plans for more than a
 * share of the maximum heap less the heap's live floor (the lowest heap in use after a collection,
 * plus the fit's data; or the heap in use now when no collection has run yet, which counts garbage
 * too and so errs on the safe side). A manager's budget is the caller's word for what memguard may
 * reserve; this is the heap's word, and a fit takes the smaller, so that a budget set larger than
 * the free heap (the default 80% of a 16 MiB heap already holding the data) does not plan a fit the
 * heap cannot hold.
 *
 * <p>Garbage never counts once a collection has run: the old-generation garbage a young collection
 * leaves behind (a previous fit's column store, say) does not shrink the plan, so a fit's plan (and
 * so its features) does not depend on how much garbage the heap holds when it starts. The floor
 * does not see data that became live after it either: that is what the live-heap line sees at each
 * reservation, which refuses what the heap cannot hold, and the fit then switches to a cheaper plan
 * or fails with {@link InsufficientMemoryException}; never an {@link OutOfMemoryError}. Never
 * requests a collection. Thread-safe.
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
   * The heap a fit plans around: the lowest heap in use after a collection (read once, then from
   * the collectors' notifications) plus {@code recentBytes}, never more than the heap in use now;
   * before the first collection, the heap in use now (garbage included, so an upper bound).
   *
   * @param recentBytes live bytes the floor may not include: a fit passes twice its data set (the
   *     table it was given and one copy, as a split or a parse leaves behind)
   */
  static long inUseBytes(long recentBytes) {
    Runtime rt = Runtime.getRuntime();
    long now = rt.totalMemory() - rt.freeMemory();
    if (rt.maxMemory() == Long.MAX_VALUE) {
      return now;
    }
    long floor = MemoryManager.lowestHeapAfterCollectionBytes();
    return floor >= 0 ? Math.min(now, floor + Math.max(0, recentBytes)) : now;
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
