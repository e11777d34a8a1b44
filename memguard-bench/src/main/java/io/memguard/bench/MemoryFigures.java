package io.memguard.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The process memory figures scenarios report: the peak of the heap's used bytes, sampled by a
 * daemon thread; the peak of the heap in use right after each garbage collection (the live set as
 * the collector left it); and the peak resident set size as the kernel records it. Start it before
 * the work, {@link #close()} it after; not thread-safe apart from the sampler and the collection
 * listener themselves.
 *
 * <p>Heap: {@link MemoryMXBean#getHeapMemoryUsage()} {@code used}, polled every {@code
 * periodMillis} (default 10 ms), so it includes garbage not yet collected and can miss a peak
 * shorter than the period. Live heap: the used bytes of all heap pools after each collection, from
 * the JVM's collection notifications (no collection is ever requested), minus the same before the
 * work (the last collection before {@link #start()}, or the heap in use then if none ran yet); with
 * a generational collector a young collection's figure still holds old garbage, so it is an upper
 * bound of the live set. When no collection runs during the work the heap in use at the end stands
 * in (an upper bound too). RSS: {@code VmHWM} of {@code /proc/self/status} (Linux), the high-water
 * mark of the resident set over the whole process life, JVM start-up included; -1 where
 * unavailable.
 */
final class MemoryFigures implements AutoCloseable {
  private static final LastCollection LAST = LastCollection.install();

  private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
  private final Thread sampler;
  private final long periodMillis;
  private long liveBaseline;
  private long collectionsAtStart;
  private volatile long peakHeapUsed;
  private volatile boolean running = true;

  private MemoryFigures(long periodMillis) {
    this.periodMillis = periodMillis;
    long after = LAST.usedAfter();
    liveBaseline = after >= 0 ? after : bean.getHeapMemoryUsage().getUsed();
    collectionsAtStart = LAST.count();
    LAST.resetPeak();
    sample();
    sampler = new Thread(this::loop, "memguard-bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * Takes the live-heap baseline again, now that the data the work reads ({@code dataBytes}) is
   * loaded, so that the figure counts what the work itself keeps: the heap in use after the last
   * collection if one ran since {@link #start()} (it saw the data), else the baseline at start plus
   * {@code dataBytes}.
   */
  void restartLiveBaseline(long dataBytes) {
    long after = LAST.usedAfter();
    if (LAST.count() > collectionsAtStart && after >= 0) {
      liveBaseline = after;
    } else {
      liveBaseline += dataBytes;
    }
    collectionsAtStart = LAST.count();
    LAST.resetPeak();
  }

  /**
   * The most heap in use after a collection since {@link #start()}, above what was in use after the
   * last collection before it; see the class comment.
   */
  long peakLiveHeapBytes() {
    long peak =
        LAST.count() > collectionsAtStart
            ? LAST.peakSinceReset()
            : bean.getHeapMemoryUsage().getUsed();
    return Math.max(0, peak - liveBaseline);
  }

  /** Collections the JVM ran since {@link #start()}. */
  long collections() {
    return LAST.count() - collectionsAtStart;
  }

  /** Listens to every collector's notifications for the heap in use after each collection. */
  private static final class LastCollection implements NotificationListener {
    private final List<String> heapPools = new ArrayList<>();
    private final AtomicLong usedAfter = new AtomicLong(-1);
    private final AtomicLong peak = new AtomicLong(-1);
    private final AtomicLong count = new AtomicLong();

    static LastCollection install() {
      LastCollection l = new LastCollection();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          l.heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(l, null, null);
        }
      }
      return l;
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info =
          GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
      Map<String, MemoryUsage> after = info.getGcInfo().getMemoryUsageAfterGc();
      long used = 0;
      for (String pool : heapPools) {
        MemoryUsage u = after.get(pool);
        if (u != null) {
          used += u.getUsed();
        }
      }
      usedAfter.set(used);
      peak.accumulateAndGet(used, Math::max);
      count.incrementAndGet();
    }

    long usedAfter() {
      return usedAfter.get();
    }

    long count() {
      return count.get();
    }

    void resetPeak() {
      peak.set(-1);
    }

    long peakSinceReset() {
      return peak.get();
    }
  }

  /** Starts sampling every 10 ms. */
  static MemoryFigures start() {
    return new MemoryFigures(10);
  }

  private void loop() {
    while (running) {
      sample();
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sample() {
    long used = bean.getHeapMemoryUsage().getUsed();
    if (used > peakHeapUsed) {
      peakHeapUsed = used;
    }
  }

  /** The highest heap used bytes sampled so far. */
  long peakHeapUsedBytes() {
    sample();
    return peakHeapUsed;
  }

  /** The maximum heap ({@code -Xmx}) in bytes. */
  long heapMaxBytes() {
    return bean.getHeapMemoryUsage().getMax();
  }

  /** The process's peak resident set size in bytes ({@code VmHWM}), or -1 if unknown. */
  static long peakRssBytes() {
    return statusKib("VmHWM:");
  }

  /** The process's resident set size now in bytes ({@code VmRSS}), or -1 if unknown. */
  static long rssBytes() {
    return statusKib("VmRSS:");
  }

  private static long statusKib(String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: unknown
    }
    return -1;
  }

  /** Stops the sampler. */
  @Override
  public void close() {
    sample();
    running = false;
    sampler.interrupt();
  }
}
