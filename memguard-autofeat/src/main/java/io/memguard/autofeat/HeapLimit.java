package io.memguard.autofeat;

import io.memguard.core.MemoryManager;

/**
 * What the JVM's heap can hold besides what is already in it: a fit never sizes its work for more
 * than a share of the maximum heap less the heap in use. Two figures: for the plan and the sizes
 * that shape the model, the heap's live floor (the lowest heap in use after any collection) plus
 * the fit's data; for every other size, the heap in use after the last collection plus the data,
 * which also counts the garbage a young collection left and so errs on the safe side. Before the
 * first collection both are the heap in use now. A manager's budget is the caller's word for what
 * memguard may reserve; this is the heap's word, and a fit takes the smaller, so that a budget set
 * larger than the free heap (the default 80% of a 16 MiB heap already holding the data) does not
 * size work the heap cannot hold.
 *
 * <p>The floor makes the plan, and so the features, independent of the old-generation garbage of
 * earlier work (unless the floor leaves too little for the fit's smallest plan: it then plans on
 * the heap in use now before it refuses); it does not see data that became live after its reading
 * either. Neither figure is a guarantee: each reservation passes the live-heap line as the heap is
 * then, and a refusal narrows the work, switches to a cheaper plan or fails with {@link
 * InsufficientMemoryException}. Never requests a collection. Thread-safe.
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
   * Counts the old-generation garbage a young collection left: the figure for sizing work now.
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
   * The heap a fit plans around: the heap's live floor (the lowest heap in use after any
   * collection) plus {@code recentBytes}; before the first collection, the heap in use now (garbage
   * included, so an upper bound). Garbage does not move it, so the same fit plans alike in a JVM
   * that has worked before; live data that came after the floor's reading is not in it, which the
   * live-heap line sees at each reservation.
   *
   * @param recentBytes live bytes the floor may not include: twice the fit's data set
   */
  static long floorInUseBytes(long recentBytes) {
    Runtime rt = Runtime.getRuntime();
    long floor = MemoryManager.lowestHeapAfterCollectionBytes();
    if (rt.maxMemory() == Long.MAX_VALUE || floor < 0) {
      return rt.totalMemory() - rt.freeMemory();
    }
    return floor + Math.max(0, recentBytes);
  }

  /**
   * The bytes a fit starting now may plan for: a share of the heap not in use.
   *
   * @param inUseBytes the heap in use, from {@link #inUseBytes(long)} or {@link
   *     #floorInUseBytes(long)}
   */
  static long limitBytes(long inUseBytes) {
    long max = maxHeapBytes();
    if (max == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return (long) (Math.max(0, max - inUseBytes) * FREE_HEAP_SHARE);
  }
}
