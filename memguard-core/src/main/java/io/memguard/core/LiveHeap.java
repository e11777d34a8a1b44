package io.memguard.core;

import com.sun.management.GarbageCollectionNotificationInfo;
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

/**
 * The JVM's heap in use after its last garbage collection, kept current by the collectors'
 * notifications (no sampler between a collection and the reading): one listener per JVM, installed
 * when the first manager with a live-heap limit needs it. Each reading carries an epoch that
 * changes with every collection, so a manager can tell a new reading from the one it has seen.
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
  private volatile Reading latest = new Reading(0, 0);

  /** The heap in use after the most recent collection, or -1 before the first one. */
  private volatile long afterLastCollection = -1;

  private LiveHeap() {}

  /** The JVM-wide instance (installs the listener on first use). */
  static LiveHeap instance() {
    return Holder.INSTANCE;
  }

  /** The heap in use after the most recent collection, or -1 before the first one. */
  long afterLastCollection() {
    return afterLastCollection;
  }

  /** The latest reading: one volatile load. */
  @Override
  public Reading get() {
    return latest;
  }

  private static LiveHeap install() {
    LiveHeap heap = new LiveHeap();
    try {
      long after = 0;
      boolean collected = false;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heap.heapPools.add(pool.getName());
          MemoryUsage u = pool.getCollectionUsage();
          if (u != null) {
            after += u.getUsed();
            collected |= u.getUsed() > 0;
          }
        }
      }
      // before the first collection nothing tells live from garbage: all in use counts as live
      // (measured: counting none let a task racing the first collections run the heap out)
      if (collected) {
        heap.afterLastCollection = after;
      }
      heap.latest =
          new Reading(
              0,
              collected
                  ? after
                  : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
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

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    try {
      Map<String, MemoryUsage> after =
          GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
              .getGcInfo()
              .getMemoryUsageAfterGc();
      long used = 0;
      for (String pool : heapPools) {
        MemoryUsage u = after.get(pool);
        if (u != null) {
          used += u.getUsed();
        }
      }
      afterLastCollection = used;
      latest = new Reading(latest.epoch() + 1, used);
    } catch (RuntimeException e) {
      // a notification we cannot read changes nothing
    }
  }
}
