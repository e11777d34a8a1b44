package io.memguard.monitor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable sample of the process's memory, taken by the {@link MemoryMonitor}'s sampler.
 *
 * <p>All sizes are bytes; a size of {@code -1} (or a rate of {@code NaN}) means the value is
 * unknown: its source is not supported here or failed, in which case {@link #unavailable()} names
 * the source and the reason. Rates and fractions that need a previous sample ({@link
 * #allocationRateBytesPerSecond()}, {@link #gcOverhead()}, {@link #processCpuLoad()}) are NaN in
 * the first snapshot.
 *
 * @param sequence 1 for the first sample of a monitor, then +1 per sample
 * @param time wall-clock time of the sample
 * @param nanoTime monotonic time of the sample, from the monitor's ticker (nanoseconds)
 * @param sampleDurationNanos how long taking this sample took, in nanoseconds of elapsed time
 * @param heap heap usage (used, committed, max)
 * @param nonHeap non-heap usage (metaspace, code cache, ...)
 * @param pools every memory pool with its usage and its usage after the last GC
 * @param bufferPools the NIO buffer pools ({@code direct}, {@code mapped}, ...)
 * @param collectors cumulative counts and times per garbage collector
 * @param pauses GC events that ended since the previous sample, oldest first (at most {@value
 *     #MAX_PAUSES_PER_SAMPLE})
 * @param liveSetBytes the heap occupancy right after a GC: the lowest post-GC heap use among the
 *     GCs that ended since the previous sample, else the previous value; -1 before the first GC
 * @param liveSetUpdated true when at least one GC ended since the previous sample, so {@code
 *     liveSetBytes} is a new reading
 * @param allocatedBytes heap bytes allocated by all threads since the JVM started, -1 if unknown
 * @param allocationRateBytesPerSecond heap allocation rate since the previous sample
 * @param gcOverhead fraction (0..1) of the elapsed time since the previous sample spent in GC
 *     pauses
 * @param processCpuNanos CPU time used by the whole process since it started, -1 if unknown
 * @param processCpuLoad the process's CPU use since the previous sample, as a fraction of all
 *     available processors (1 = every core busy)
 * @param rssBytes resident set size of the process (OSHI)
 * @param virtualBytes virtual size of the process (OSHI)
 * @param systemTotalBytes physical memory of the host (OSHI)
 * @param systemAvailableBytes memory available on the host, ignoring container limits (OSHI)
 * @param containerLimitBytes the memory limit of the process's cgroup, -1 when none or unknown
 * @param containerUsageBytes the memory use charged to the process's cgroup, less its inactive file
 *     cache (the working set, as the kubelet counts it: page cache the kernel reclaims first does
 *     not count)
 * @param budgetBytes the MemoryManager's budget, -1 without a manager
 * @param reservedBytes bytes reserved through memguard scopes, -1 without a manager
 * @param openScopes open memguard scopes, -1 without a manager
 * @param unavailable sources that could not be read in this sample, with the reason
 * @since 0.1.0
 */
public record MemorySnapshot(
    long sequence,
    Instant time,
    long nanoTime,
    long sampleDurationNanos,
    Usage heap,
    Usage nonHeap,
    List<Pool> pools,
    List<BufferPool> bufferPools,
    List<Collector> collectors,
    List<GcPause> pauses,
    long liveSetBytes,
    boolean liveSetUpdated,
    long allocatedBytes,
    double allocationRateBytesPerSecond,
    double gcOverhead,
    long processCpuNanos,
    double processCpuLoad,
    long rssBytes,
    long virtualBytes,
    long systemTotalBytes,
    long systemAvailableBytes,
    long containerLimitBytes,
    long containerUsageBytes,
    long budgetBytes,
    long reservedBytes,
    int openScopes,
    Map<String, String> unavailable) {

  /** The most GC events one snapshot carries; more are counted in the collectors only. */
  public static final int MAX_PAUSES_PER_SAMPLE = 64;

  /** Validates and copies the collections. */
  public MemorySnapshot {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(heap, "heap");
    Objects.requireNonNull(nonHeap, "nonHeap");
    pools = List.copyOf(pools);
    bufferPools = List.copyOf(bufferPools);
    collectors = List.copyOf(collectors);
    pauses = List.copyOf(pauses);
    unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
  }

  /**
   * Memory usage of one area in bytes, as {@link java.lang.management.MemoryUsage} reports it;
   * {@code -1} for an unknown value (e.g. {@code max} when undefined).
   *
   * @param usedBytes bytes in use
   * @param committedBytes bytes committed by the JVM
   * @param maxBytes the most this area can grow to, -1 if undefined
   */
  public record Usage(long usedBytes, long committedBytes, long maxBytes) {
    /** Nothing known. */
    public static final Usage UNKNOWN = new Usage(-1, -1, -1);

    /** used / max, or NaN when either is unknown. */
    public double utilization() {
      return usedBytes < 0 || maxBytes <= 0 ? Double.NaN : (double) usedBytes / maxBytes;
    }
  }

  /**
   * One memory pool.
   *
   * @param name the pool's name, e.g. {@code G1 Old Gen}
   * @param heap true for heap pools
   * @param oldGeneration true for the pool that holds long-lived objects (the old or tenured
   *     generation, or the single pool of a non-generational collector)
   * @param usage current usage
   * @param afterLastGc usage right after the last GC that collected this pool ({@link
   *     java.lang.management.MemoryPoolMXBean#getCollectionUsage()}); {@link Usage#UNKNOWN} if none
   */
  public record Pool(
      String name, boolean heap, boolean oldGeneration, Usage usage, Usage afterLastGc) {
    /** Validates. */
    public Pool {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(afterLastGc, "afterLastGc");
    }
  }

  /**
   * One NIO buffer pool.
   *
   * @param name {@code direct}, {@code mapped} or {@code mapped - 'non-volatile memory'}
   * @param count number of buffers
   * @param usedBytes memory the JVM uses for them
   * @param capacityBytes their total capacity
   */
  public record BufferPool(String name, long count, long usedBytes, long capacityBytes) {}

  /**
   * Cumulative figures of one garbage collector.
   *
   * @param name e.g. {@code G1 Young Generation}
   * @param count collections since the JVM started
   * @param timeMillis accumulated collection time in milliseconds
   * @param pausing false for collectors whose time is concurrent work, not pauses (e.g. {@code ZGC
   *     Cycles})
   */
  public record Collector(String name, long count, long timeMillis, boolean pausing) {}

  /**
   * One garbage collection, from a GC notification.
   *
   * @param collector the collector's name
   * @param action e.g. {@code end of minor GC}
   * @param cause e.g. {@code G1 Evacuation Pause}
   * @param nanoTime monotonic time the notification was received
   * @param durationMillis the collection's duration in milliseconds
   * @param heapBeforeBytes heap use before it
   * @param heapAfterBytes heap use after it
   * @param pause whether it stopped the application (see {@link Collector#pausing()})
   */
  public record GcPause(
      String collector,
      String action,
      String cause,
      long nanoTime,
      long durationMillis,
      long heapBeforeBytes,
      long heapAfterBytes,
      boolean pause) {}

  /** The old-generation pool, if one was identified. */
  public Pool oldGeneration() {
    for (Pool p : pools) {
      if (p.oldGeneration()) {
        return p;
      }
    }
    return null;
  }

  /** Live set as a share of max heap (0..1), NaN when unknown. */
  public double liveSetUtilization() {
    return liveSetBytes < 0 || heap.maxBytes() <= 0
        ? Double.NaN
        : (double) liveSetBytes / heap.maxBytes();
  }

  /** The memory RSS is measured against: the container limit if any, else the host's total. */
  public long rssLimitBytes() {
    return containerLimitBytes > 0 ? containerLimitBytes : systemTotalBytes;
  }

  /** RSS as a share of {@link #rssLimitBytes()}, NaN when unknown. */
  public double rssUtilization() {
    long limit = rssLimitBytes();
    return rssBytes < 0 || limit <= 0 ? Double.NaN : (double) rssBytes / limit;
  }

  /** Collections of all collectors since the JVM started, -1 if none is known. */
  public long gcCount() {
    long sum = -1;
    for (Collector c : collectors) {
      sum = Math.max(sum, 0) + Math.max(c.count(), 0);
    }
    return sum;
  }

  /** Accumulated pause time of pausing collectors in milliseconds, -1 if none is known. */
  public long gcPauseTimeMillis() {
    long sum = -1;
    for (Collector c : collectors) {
      if (c.pausing()) {
        sum = Math.max(sum, 0) + Math.max(c.timeMillis(), 0);
      }
    }
    return sum;
  }

  /** Memory used by the named buffer pool ({@code direct}, {@code mapped}), -1 if absent. */
  public long bufferPoolUsedBytes(String name) {
    for (BufferPool b : bufferPools) {
      if (b.name().equals(name)) {
        return b.usedBytes();
      }
    }
    return -1;
  }

  /** The named memory pool, if the JVM has one of that name. */
  public Optional<Pool> pool(String name) {
    for (Pool p : pools) {
      if (p.name().equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** A builder with every value unknown, for custom {@link Sampler}s and tests. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this snapshot's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.sequence = sequence;
    b.time = time;
    b.nanoTime = nanoTime;
    b.sampleDurationNanos = sampleDurationNanos;
    b.heap = heap;
    b.nonHeap = nonHeap;
    b.pools.addAll(pools);
    b.bufferPools.addAll(bufferPools);
    b.collectors.addAll(collectors);
    b.pauses.addAll(pauses);
    b.liveSetBytes = liveSetBytes;
    b.liveSetUpdated = liveSetUpdated;
    b.allocatedBytes = allocatedBytes;
    b.allocationRate = allocationRateBytesPerSecond;
    b.gcOverhead = gcOverhead;
    b.processCpuNanos = processCpuNanos;
    b.processCpuLoad = processCpuLoad;
    b.rssBytes = rssBytes;
    b.virtualBytes = virtualBytes;
    b.systemTotalBytes = systemTotalBytes;
    b.systemAvailableBytes = systemAvailableBytes;
    b.containerLimitBytes = containerLimitBytes;
    b.containerUsageBytes = containerUsageBytes;
    b.budgetBytes = budgetBytes;
    b.reservedBytes = reservedBytes;
    b.openScopes = openScopes;
    b.unavailable.putAll(unavailable);
    return b;
  }

  /**
   * Collects the values of one snapshot. A {@link Sampler} sets what it measures; the monitor sets
   * sequence, times, the memguard figures and the rates derived from the previous sample. Not
   * thread-safe.
   */
  public static final class Builder {
    private long sequence;
    private Instant time = Instant.EPOCH;
    private long nanoTime;
    private long sampleDurationNanos = -1;
    private Usage heap = Usage.UNKNOWN;
    private Usage nonHeap = Usage.UNKNOWN;
    private final List<Pool> pools = new ArrayList<>();
    private final List<BufferPool> bufferPools = new ArrayList<>();
    private final List<Collector> collectors = new ArrayList<>();
    private final List<GcPause> pauses = new ArrayList<>();
    private long liveSetBytes = -1;
    private boolean liveSetUpdated;
    private long allocatedBytes = -1;
    private double allocationRate = Double.NaN;
    private double gcOverhead = Double.NaN;
    private long processCpuNanos = -1;
    private double processCpuLoad = Double.NaN;
    private long rssBytes = -1;
    private long virtualBytes = -1;
    private long systemTotalBytes = -1;
    private long systemAvailableBytes = -1;
    private long containerLimitBytes = -1;
    private long containerUsageBytes = -1;
    private long budgetBytes = -1;
    private long reservedBytes = -1;
    private int openScopes = -1;
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    private Builder() {}

    /** Sequence number. */
    public Builder sequence(long v) {
      sequence = v;
      return this;
    }

    /** Wall-clock time. */
    public Builder time(Instant v) {
      time = Objects.requireNonNull(v, "time");
      return this;
    }

    /** Monotonic time in nanoseconds. */
    public Builder nanoTime(long v) {
      nanoTime = v;
      return this;
    }

    /** Duration of the sample in nanoseconds. */
    public Builder sampleDurationNanos(long v) {
      sampleDurationNanos = v;
      return this;
    }

    /** Heap usage. */
    public Builder heap(Usage v) {
      heap = Objects.requireNonNull(v, "heap");
      return this;
    }

    /** Heap usage in bytes (max -1 if undefined). */
    public Builder heap(long used, long committed, long max) {
      return heap(new Usage(used, committed, max));
    }

    /** Non-heap usage. */
    public Builder nonHeap(Usage v) {
      nonHeap = Objects.requireNonNull(v, "nonHeap");
      return this;
    }

    /** Adds a memory pool. */
    public Builder addPool(Pool v) {
      pools.add(Objects.requireNonNull(v, "pool"));
      return this;
    }

    /** Adds a buffer pool. */
    public Builder addBufferPool(BufferPool v) {
      bufferPools.add(Objects.requireNonNull(v, "bufferPool"));
      return this;
    }

    /** Adds a collector's cumulative figures. */
    public Builder addCollector(Collector v) {
      collectors.add(Objects.requireNonNull(v, "collector"));
      return this;
    }

    /** Adds a GC event; beyond {@value #MAX_PAUSES_PER_SAMPLE} events the oldest are dropped. */
    public Builder addPause(GcPause v) {
      Objects.requireNonNull(v, "pause");
      if (pauses.size() == MAX_PAUSES_PER_SAMPLE) {
        pauses.remove(0);
      }
      pauses.add(v);
      return this;
    }

    /** The live set after GC, and whether it is a new reading. */
    public Builder liveSet(long bytes, boolean updated) {
      liveSetBytes = bytes;
      liveSetUpdated = updated;
      return this;
    }

    /** Cumulative allocated bytes. */
    public Builder allocatedBytes(long v) {
      allocatedBytes = v;
      return this;
    }

    /** Allocation rate in bytes per second. */
    public Builder allocationRate(double v) {
      allocationRate = v;
      return this;
    }

    /** Share of time in GC pauses since the previous sample. */
    public Builder gcOverhead(double v) {
      gcOverhead = v;
      return this;
    }

    /** Cumulative process CPU time in nanoseconds. */
    public Builder processCpuNanos(long v) {
      processCpuNanos = v;
      return this;
    }

    /** Process CPU load as a fraction of all processors. */
    public Builder processCpuLoad(double v) {
      processCpuLoad = v;
      return this;
    }

    /** Resident and virtual size of the process. */
    public Builder process(long rss, long virtual) {
      rssBytes = rss;
      virtualBytes = virtual;
      return this;
    }

    /** Host memory: total and available. */
    public Builder system(long total, long available) {
      systemTotalBytes = total;
      systemAvailableBytes = available;
      return this;
    }

    /** Container (cgroup) limit and usage, -1 when none or unknown. */
    public Builder container(long limit, long usage) {
      containerLimitBytes = limit;
      containerUsageBytes = usage;
      return this;
    }

    /** memguard's budget, reserved bytes and open scopes. */
    public Builder memguard(long budget, long reserved, int scopes) {
      budgetBytes = budget;
      reservedBytes = reserved;
      openScopes = scopes;
      return this;
    }

    /** Records a source that could not be read, with the reason. */
    public Builder unavailable(String source, String reason) {
      unavailable.put(Objects.requireNonNull(source, "source"), String.valueOf(reason));
      return this;
    }

    // Read back by the monitor to derive rates from the previous snapshot.
    long allocatedBytesValue() {
      return allocatedBytes;
    }

    double allocationRateValue() {
      return allocationRate;
    }

    double gcOverheadValue() {
      return gcOverhead;
    }

    long processCpuNanosValue() {
      return processCpuNanos;
    }

    double processCpuLoadValue() {
      return processCpuLoad;
    }

    long gcPauseTimeMillisValue() {
      long sum = -1;
      for (Collector c : collectors) {
        if (c.pausing()) {
          sum = Math.max(sum, 0) + Math.max(c.timeMillis(), 0);
        }
      }
      return sum;
    }

    /** The values set so far, as a snapshot. */
    public MemorySnapshot build() {
      return new MemorySnapshot(
          sequence,
          time,
          nanoTime,
          sampleDurationNanos,
          heap,
          nonHeap,
          pools,
          bufferPools,
          collectors,
          pauses,
          liveSetBytes,
          liveSetUpdated,
          allocatedBytes,
          allocationRate,
          gcOverhead,
          processCpuNanos,
          processCpuLoad,
          rssBytes,
          virtualBytes,
          systemTotalBytes,
          systemAvailableBytes,
          containerLimitBytes,
          containerUsageBytes,
          budgetBytes,
          reservedBytes,
          openScopes,
          unavailable);
    }
  }
}
