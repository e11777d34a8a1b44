package io.memguard.core;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.memguard.core.internal.YoungCollection;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.jspecify.annotations.Nullable;

/**
 * The JVM's heap in use after its last garbage collection, kept current by the collectors'
 * notifications (no sampler between a collection and the reading): one listener per JVM, installed
 * when the first manager with a live-heap limit needs it. Each reading carries an epoch, the number
 * of collections the JVM had made when it was read, so a manager can tell a new reading from the
 * one it has seen.
 *
 * <p>Notifications come on one JMX thread, which a busy JVM can starve: measured, a task filling a
 * 128 MiB heap outran ten collections before their readings arrived and ran the heap out. So near
 * the line a reservation asks for {@link #fresh()}, which compares the collectors' counts with the
 * reading's epoch (two native calls) and, when a collection is missing, reads the collector's last
 * report itself.
 *
 * <p>Before the first collection the reading is the heap in use, garbage included, which errs on
 * the safe side until the JVM collects. After a young collection the reading includes
 * old-generation garbage not yet collected, which makes the limit err on the safe side.
 * Thread-safe; the listener runs on the JMX notification thread and never throws.
 */
final class LiveHeap implements NotificationListener, Supplier<LiveHeap.Reading> {

  /** A reading: the heap in use after collection number {@code epoch}. */
  record Reading(long epoch, long liveBytes) {}

  private static final class Holder {
    static final LiveHeap INSTANCE = install();
  }

  private final List<String> heapPools = new ArrayList<>();
  private final List<MemoryPoolMXBean> youngPools = new ArrayList<>();
  private final List<com.sun.management.GarbageCollectorMXBean> collectors = new ArrayList<>();
  private volatile Reading latest = new Reading(0, 0);

  /** The heap in use after the most recent collection, or -1 before the first one. */
  private volatile long afterLastCollection = -1;

  /** The lowest heap in use after any collection since the listener was installed, or -1. */
  private volatile long lowestAfterCollection = -1;

  private final java.lang.management.MemoryMXBean memoryBean = ManagementFactory.getMemoryMXBean();

  private LiveHeap() {}

  /**
   * The heap in use now, garbage included: an upper bound of what is live at this moment (one
   * native call per heap pool). Never requests a collection.
   */
  long usedNow() {
    return memoryBean.getHeapMemoryUsage().getUsed();
  }

  /**
   * The young generation in use now (eden and survivor spaces; 0 for a collector without one): what
   * the next young collection may copy into pages it has not touched yet. One native call per young
   * pool.
   */
  long youngUsedNow() {
    long used = 0;
    for (MemoryPoolMXBean pool : youngPools) {
      MemoryUsage u = pool.getUsage();
      if (u != null) {
        used += u.getUsed();
      }
    }
    return used;
  }

  /**
   * Allocates throwaway arrays until the JVM's next collection or {@code maxBytes}; whether one
   * came ({@link YoungCollection#provoke}).
   */
  boolean provokeYoungCollection(long maxBytes) {
    return !collectors.isEmpty() && YoungCollection.provoke(maxBytes);
  }

  /** The JVM-wide instance (installs the listener on first use). */
  static LiveHeap instance() {
    return Holder.INSTANCE;
  }

  /** The heap in use after the most recent collection, or -1 before the first one. */
  long afterLastCollection() {
    return afterLastCollection;
  }

  /**
   * The lowest heap in use after a collection since the listener was installed, or -1 before the
   * first one: the JVM's live floor, garbage of the moment excluded once a collection cleaned it.
   */
  long lowestAfterCollection() {
    return lowestAfterCollection;
  }

  /** Records the heap in use after a collection; called under this object's lock or at install. */
  private void recordAfterCollection(long used) {
    afterLastCollection = used;
    long lowest = lowestAfterCollection;
    if (lowest < 0 || used < lowest) {
      lowestAfterCollection = used;
    }
  }

  /** The latest reading: one volatile load. */
  @Override
  public Reading get() {
    return latest;
  }

  private static LiveHeap install() {
    LiveHeap heap = new LiveHeap();
    try {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heap.heapPools.add(pool.getName());
          if (pool.getName().contains("Eden") || pool.getName().contains("Survivor")) {
            heap.youngPools.add(pool);
          }
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof com.sun.management.GarbageCollectorMXBean withReports) {
          heap.collectors.add(withReports);
        }
      }
      // Before the first collection nothing tells live from garbage: all in use counts as live
      // (measured: counting none let a task racing the first collections run the heap out). After
      // one, the last collection's own report: a pool's collection usage is not it (G1's old
      // generation's is updated by mixed and full collections only, so it read 80 KiB for 24 MiB).
      long count = heap.collections();
      heap.latest =
          new Reading(count, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      Reading last = count > 0 ? heap.lastReport(count) : null;
      if (last != null) {
        heap.recordAfterCollection(last.liveBytes());
        heap.latest = last;
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(heap, null, null);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // no collector figures on this JVM: the limit then counts reservations only
    }
    return heap;
  }

  /**
   * The reading as of the JVM's most recent collection: {@link #get()} when no collection has
   * happened since, otherwise the collector's last report, read on the calling thread. Costs two
   * native calls when current, tens of microseconds once per collection otherwise.
   */
  Reading fresh() {
    Reading r = latest;
    if (collectors.isEmpty() || collections() == r.epoch()) {
      return r;
    }
    return refresh();
  }

  private long collections() {
    long count = 0;
    for (com.sun.management.GarbageCollectorMXBean gc : collectors) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  /** Reads the most recent collection's report; one thread at a time, never an older reading. */
  private synchronized Reading refresh() {
    long count = collections();
    Reading r = latest;
    if (count <= r.epoch()) {
      return r;
    }
    Reading last = lastReport(count);
    if (last == null) {
      return r;
    }
    recordAfterCollection(last.liveBytes());
    latest = last;
    return last;
  }

  /** The most recent collection's report as a reading of epoch {@code count}, or null if none. */
  private @Nullable Reading lastReport(long count) {
    com.sun.management.GcInfo last = null;
    for (com.sun.management.GarbageCollectorMXBean gc : collectors) {
      com.sun.management.GcInfo info = gc.getLastGcInfo();
      if (info != null && (last == null || info.getEndTime() >= last.getEndTime())) {
        last = info;
      }
    }
    return last == null ? null : new Reading(count, heapUsed(last.getMemoryUsageAfterGc()));
  }

  private long heapUsed(Map<String, MemoryUsage> pools) {
    long used = 0;
    for (String pool : heapPools) {
      MemoryUsage u = pools.get(pool);
      if (u != null) {
        used += u.getUsed();
      }
    }
    return used;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    try {
      if (!collectors.isEmpty()) {
        refresh();
        return;
      }
      long used =
          heapUsed(
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
                  .getGcInfo()
                  .getMemoryUsageAfterGc());
      synchronized (this) {
        recordAfterCollection(used);
      }
      latest = new Reading(latest.epoch() + 1, used);
    } catch (RuntimeException e) {
      // a notification we cannot read changes nothing
    }
  }
}
