package io.memguard.monitor.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.memguard.monitor.MemorySnapshot.GcPause;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Listens to the JVM's GC notifications and keeps the events since the last {@link #drain} in a
 * bounded buffer, together with the lowest post-GC heap use among them (the live-set reading). The
 * listener runs on the JMX notification thread and does a bounded amount of work; it never throws.
 * Thread-safe.
 */
final class GcEventCollector implements NotificationListener, AutoCloseable {
  static final int CAPACITY = 256;

  private final Set<String> heapPools;
  private final LongSupplier nanoClock;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final GcPause[] ring = new GcPause[CAPACITY];
  private int head;
  private int size;
  private long minHeapAfter = -1;
  private long dropped;
  private volatile boolean closed;

  GcEventCollector(
      List<GarbageCollectorMXBean> collectors, Set<String> heapPools, LongSupplier nanoClock) {
    this.heapPools = Set.copyOf(heapPools);
    this.nanoClock = nanoClock;
    for (GarbageCollectorMXBean gc : collectors) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(this, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** True when at least one collector emits notifications. */
  boolean active() {
    return !emitters.isEmpty();
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (closed
        || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
            notification.getType())) {
      return;
    }
    try {
      GarbageCollectionNotificationInfo info =
          GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
      String name = info.getGcName();
      long before = heapSum(info.getGcInfo().getMemoryUsageBeforeGc());
      long after = heapSum(info.getGcInfo().getMemoryUsageAfterGc());
      boolean pause = JvmSampler.isPausing(name);
      GcPause event =
          new GcPause(
              name,
              info.getGcAction(),
              info.getGcCause(),
              nanoClock.getAsLong(),
              info.getGcInfo().getDuration(),
              before,
              after,
              pause);
      // ZGC/Shenandoah "Pauses" beans report heap use in the middle of a concurrent cycle: not a
      // live-set reading. Every other collector's post-GC use is.
      boolean liveReading = !name.endsWith("Pauses") && after >= 0;
      synchronized (this) {
        if (size == CAPACITY) {
          head = (head + 1) % CAPACITY;
          size--;
          dropped++;
        }
        ring[(head + size) % CAPACITY] = event;
        size++;
        if (liveReading && (minHeapAfter < 0 || after < minHeapAfter)) {
          minHeapAfter = after;
        }
      }
    } catch (RuntimeException e) {
      // Never throw into the JMX notification thread; a malformed event is simply skipped.
    }
  }

  private long heapSum(Map<String, MemoryUsage> usage) {
    long sum = 0;
    boolean any = false;
    for (Map.Entry<String, MemoryUsage> e : usage.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += e.getValue().getUsed();
        any = true;
      }
    }
    return any ? sum : -1;
  }

  /**
   * Moves the buffered events into {@code sink} (oldest first) and returns the lowest post-GC heap
   * use among them, or -1 when no GC ended since the last drain.
   */
  synchronized long drain(java.util.function.Consumer<GcPause> sink) {
    for (int i = 0; i < size; i++) {
      int idx = (head + i) % CAPACITY;
      sink.accept(ring[idx]);
      ring[idx] = null;
    }
    head = 0;
    size = 0;
    long min = minHeapAfter;
    minHeapAfter = -1;
    return min;
  }

  /** Events dropped because the buffer was full between two samples. */
  synchronized long dropped() {
    return dropped;
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(this);
      } catch (ListenerNotFoundException | RuntimeException ignored) {
        // already gone
      }
    }
    emitters.clear();
  }
}
