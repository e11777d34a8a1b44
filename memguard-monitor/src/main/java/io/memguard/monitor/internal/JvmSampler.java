package io.memguard.monitor.internal;

import io.memguard.core.internal.CgroupMemory;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.MemorySnapshot.BufferPool;
import io.memguard.monitor.MemorySnapshot.Collector;
import io.memguard.monitor.MemorySnapshot.Pool;
import io.memguard.monitor.MemorySnapshot.Usage;
import io.memguard.monitor.Sampler;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Sampler}: MXBeans for heap, pools, buffers, collectors, allocation and CPU; GC
 * notifications for pauses and the live set; OSHI for RSS, virtual size and host memory; the cgroup
 * files for the container limit. Each source is read on its own: one that fails is reported
 * unavailable in the snapshot (and logged once) while the others are still read.
 *
 * <p>OSHI is initialised lazily on the first sample (its first read takes a few hundred ms), on the
 * sampler thread. Not thread-safe: the monitor calls it from one thread.
 */
public final class JvmSampler implements Sampler {
  private static final Logger LOG = LoggerFactory.getLogger(JvmSampler.class);

  private final OnceLogger once = new OnceLogger(LOG);
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
  private final boolean[] heapPool;
  private final boolean[] oldPool;
  private final List<BufferPoolMXBean> buffers =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();
  private final boolean[] pausing;
  private final GcEventCollector gcEvents;
  private final String gcEventsProblem;
  private final CgroupMemory cgroup;
  private final OshiSource oshi;
  private final long osRefreshNanos;
  private final LongSupplier nanoClock;
  private long liveSet = -1;
  private long fallbackGcCount = -1;
  // The last process, host and container reading, repeated between refreshes.
  private long lastOsRead = Long.MIN_VALUE;

  /**
   * Whether the last reading put the process or the container at half its memory limit or more:
   * then every sample reads them, because a JVM whose heap outgrows its container commits memory
   * faster than one refresh period (measured: 320 MiB container, -Xmx512m, from under 70% to past
   * the limit between two 1 s refreshes, and the kernel killed it).
   */
  private boolean nearALimit;

  private final MemorySnapshot.Builder osReading = MemorySnapshot.builder();
  private final java.util.Map<String, String> osUnavailable = new java.util.LinkedHashMap<>();

  /**
   * A sampler reading the given cgroup and timing GC events with {@code nanoClock}.
   *
   * @param cgroup the cgroup reader ({@link CgroupMemory#detect()} for the real one)
   * @param nanoClock monotonic nanoseconds, the same clock the monitor uses
   * @param useOshi whether to read process and host memory through OSHI
   * @param osRefreshNanos how often OSHI and the cgroup files are read (0: every sample); they cost
   *     more than the MXBeans together, and RSS or a container limit rarely changes faster
   */
  public JvmSampler(
      CgroupMemory cgroup, LongSupplier nanoClock, boolean useOshi, long osRefreshNanos) {
    this.cgroup = cgroup;
    this.nanoClock = nanoClock;
    this.osRefreshNanos = Math.max(0, osRefreshNanos);
    this.oshi = useOshi ? new OshiSource() : null;
    heapPool = new boolean[pools.size()];
    oldPool = new boolean[pools.size()];
    Set<String> heapNames = new HashSet<>();
    int heapCount = 0;
    for (int i = 0; i < pools.size(); i++) {
      heapPool[i] = pools.get(i).getType() == MemoryType.HEAP;
      if (heapPool[i]) {
        heapNames.add(pools.get(i).getName());
        heapCount++;
      }
    }
    for (int i = 0; i < pools.size(); i++) {
      oldPool[i] = heapPool[i] && (heapCount == 1 || isOldGeneration(pools.get(i).getName()));
    }
    pausing = new boolean[collectors.size()];
    for (int i = 0; i < collectors.size(); i++) {
      pausing[i] = isPausing(collectors.get(i).getName());
    }
    GcEventCollector events = null;
    String problem = null;
    try {
      events = new GcEventCollector(collectors, heapNames, nanoClock);
      if (!events.active()) {
        problem = "no garbage collector emits notifications";
      }
    } catch (RuntimeException | LinkageError e) {
      problem = e.toString();
    }
    gcEvents = events;
    gcEventsProblem = problem;
  }

  /** Old-generation pool names across HotSpot collectors. */
  static boolean isOldGeneration(String poolName) {
    String n = poolName.toLowerCase(Locale.ROOT);
    return n.contains("old") || n.contains("tenured");
  }

  /** Collectors whose time is concurrent cycles rather than pauses. */
  static boolean isPausing(String collectorName) {
    return !(collectorName.endsWith("Cycles") || collectorName.contains("Concurrent"));
  }

  @Override
  public void sample(MemorySnapshot.Builder into) {
    long heapUsed = -1;
    try {
      Usage heap = usage(memory.getHeapMemoryUsage());
      heapUsed = heap.usedBytes();
      into.heap(heap);
      into.nonHeap(usage(memory.getNonHeapMemoryUsage()));
    } catch (RuntimeException | LinkageError e) {
      fail(into, "heap", e);
    }
    long collectionLive = 0;
    boolean collectionLiveKnown = false;
    for (int i = 0; i < pools.size(); i++) {
      MemoryPoolMXBean p = pools.get(i);
      try {
        if (!p.isValid()) {
          continue;
        }
        MemoryUsage after = p.getCollectionUsage();
        Usage afterGc = after == null ? Usage.UNKNOWN : usage(after);
        into.addPool(new Pool(p.getName(), heapPool[i], oldPool[i], usage(p.getUsage()), afterGc));
        if (heapPool[i] && afterGc.usedBytes() >= 0) {
          collectionLive += afterGc.usedBytes();
          collectionLiveKnown = true;
        }
      } catch (RuntimeException | LinkageError e) {
        fail(into, "pool " + p.getName(), e);
      }
    }
    for (BufferPoolMXBean b : buffers) {
      try {
        into.addBufferPool(
            new BufferPool(b.getName(), b.getCount(), b.getMemoryUsed(), b.getTotalCapacity()));
      } catch (RuntimeException | LinkageError e) {
        fail(into, "buffer pool " + b.getName(), e);
      }
    }
    long gcCount = 0;
    for (int i = 0; i < collectors.size(); i++) {
      GarbageCollectorMXBean gc = collectors.get(i);
      try {
        long count = gc.getCollectionCount();
        into.addCollector(new Collector(gc.getName(), count, gc.getCollectionTime(), pausing[i]));
        gcCount += Math.max(0, count);
      } catch (RuntimeException | LinkageError e) {
        fail(into, "collector " + gc.getName(), e);
      }
    }
    sampleLiveSet(into, gcCount, collectionLiveKnown ? collectionLive : -1, heapUsed);
    try {
      if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
          && t.isThreadAllocatedMemorySupported()
          && t.isThreadAllocatedMemoryEnabled()) {
        into.allocatedBytes(t.getTotalThreadAllocatedBytes());
      } else {
        into.unavailable("allocation", "thread allocation accounting is not supported or disabled");
      }
    } catch (RuntimeException | LinkageError e) {
      fail(into, "allocation", e);
    }
    try {
      if (ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os) {
        long cpu = os.getProcessCpuTime();
        into.processCpuNanos(cpu);
      } else {
        into.unavailable("cpu", "com.sun.management.OperatingSystemMXBean is not available");
      }
    } catch (RuntimeException | LinkageError e) {
      fail(into, "cpu", e);
    }
    long now = nanoClock.getAsLong();
    if (lastOsRead == Long.MIN_VALUE || nearALimit || now - lastOsRead >= osRefreshNanos) {
      lastOsRead = now;
      readOs();
    }
    MemorySnapshot osValues = osReading.build();
    into.process(osValues.rssBytes(), osValues.virtualBytes());
    into.system(osValues.systemTotalBytes(), osValues.systemAvailableBytes());
    into.container(osValues.containerLimitBytes(), osValues.containerUsageBytes());
    osUnavailable.forEach(into::unavailable);
  }

  /** Reads OSHI and the cgroup files into {@link #osReading}. */
  private void readOs() {
    MemorySnapshot.Builder b = MemorySnapshot.builder();
    if (oshi != null) {
      oshi.sample(b, once);
    }
    try {
      CgroupMemory.Reading r = cgroup.read();
      // the working set: a cgroup doing file I/O fills up to its limit with page cache that the
      // kernel reclaims first; counted as used, it would make every such container an emergency
      b.container(r.limitBytes(), r.workingSetBytes());
    } catch (Exception | LinkageError e) {
      fail(b, "cgroup", e);
    }
    MemorySnapshot read = b.build();
    osReading.process(read.rssBytes(), read.virtualBytes());
    osReading.system(read.systemTotalBytes(), read.systemAvailableBytes());
    osReading.container(read.containerLimitBytes(), read.containerUsageBytes());
    osUnavailable.clear();
    osUnavailable.putAll(read.unavailable());
    nearALimit =
        atHalfOrMore(read.rssBytes(), memoryLimit(read))
            || atHalfOrMore(read.containerUsageBytes(), read.containerLimitBytes());
  }

  private static long memoryLimit(MemorySnapshot read) {
    long container = read.containerLimitBytes();
    return container > 0 ? container : read.systemTotalBytes();
  }

  static boolean atHalfOrMore(long used, long limit) {
    return used > 0 && limit > 0 && used >= limit / 2;
  }

  /**
   * The live set: the lowest heap use right after a GC since the previous sample. Heap in use now
   * bounds it too: when the heap holds less than the last GC left (a concurrent cycle freed whole
   * regions between pauses, which G1 reports to no MXBean), that lower figure is the new reading.
   */
  private void sampleLiveSet(
      MemorySnapshot.Builder into, long gcCount, long collectionLive, long heapUsed) {
    boolean updated = false;
    boolean fromNotifications = false;
    if (gcEvents != null && gcEvents.active()) {
      try {
        long min = gcEvents.drain(into::addPause);
        if (min >= 0) {
          liveSet = min;
          updated = true;
        }
        fromNotifications = true;
      } catch (RuntimeException | LinkageError e) {
        fail(into, "gc-notifications", e);
      }
    } else {
      into.unavailable(
          "gc-notifications", gcEventsProblem + "; live set taken from pool collection usage");
    }
    if (!fromNotifications && gcCount != fallbackGcCount && collectionLive >= 0) {
      // The pools' usage after their last collection, refreshed when the GC count moves.
      liveSet = collectionLive;
      fallbackGcCount = gcCount;
      updated = true;
    }
    long bounded = boundedByHeapUsed(liveSet, heapUsed);
    if (bounded != liveSet) {
      liveSet = bounded;
      updated = true;
    }
    into.liveSet(liveSet, updated);
  }

  /** The live set can never exceed the heap in use: the lower of the two, unknown (-1) ignored. */
  static long boundedByHeapUsed(long liveSet, long heapUsed) {
    return liveSet >= 0 && heapUsed >= 0 && heapUsed < liveSet ? heapUsed : liveSet;
  }

  private void fail(MemorySnapshot.Builder into, String source, Throwable e) {
    into.unavailable(source, e.toString());
    once.warn(
        source, "memguard monitor: cannot read " + source + "; it is reported unavailable", e);
  }

  static Usage usage(MemoryUsage u) {
    return new Usage(u.getUsed(), u.getCommitted(), u.getMax());
  }

  @Override
  public void close() {
    if (gcEvents != null) {
      gcEvents.close();
    }
  }
}
