package io.memguard.core.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Brings the JVM's next garbage collection when a reading that only a collection can correct is
 * holding work back and nothing else allocates: short-lived arrays, none kept, fill the young
 * generation until the collector runs as it would for any allocation, with its own policy (a young
 * or mixed collection, a concurrent cycle when the old generation is past its threshold). It never
 * requests a collection and frees nothing by itself. Not API. Thread-safe.
 */
public final class YoungCollection {

  /** The size of the throwaway arrays: well under half of G1's smallest region (not humongous). */
  private static final int ARRAY_BYTES = 64 << 10;

  private static final List<GarbageCollectorMXBean> COLLECTORS =
      ManagementFactory.getGarbageCollectorMXBeans();

  /**
   * Where the arrays are dropped: a field other threads could read, so the compiler cannot remove
   * the allocations.
   */
  @SuppressWarnings("unused")
  private static volatile Object sink;

  private YoungCollection() {}

  /** The collections the JVM has made so far (all collectors), or -1 where it reports none. */
  public static long count() {
    long count = 0;
    boolean any = false;
    for (GarbageCollectorMXBean gc : COLLECTORS) {
      long c = gc.getCollectionCount();
      if (c >= 0) {
        count += c;
        any = true;
      }
    }
    return any ? count : -1;
  }

  /**
   * Allocates throwaway arrays until the JVM makes its next collection or {@code maxBytes} are
   * allocated; returns whether a collection came. An {@link OutOfMemoryError} from one of these
   * arrays ends it (returns false) instead of reaching the caller.
   */
  public static boolean provoke(long maxBytes) {
    long before = count();
    if (before < 0) {
      return false;
    }
    try {
      for (long allocated = 0; allocated < maxBytes; allocated += ARRAY_BYTES) {
        sink = new byte[ARRAY_BYTES];
        if ((allocated & ((1 << 20) - 1)) == 0 && count() != before) {
          return true;
        }
      }
      return count() != before;
    } catch (OutOfMemoryError e) {
      return false;
    } finally {
      sink = null;
    }
  }
}
