package io.memguard.monitor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * A named number read from a {@link MemorySnapshot}, with its unit and, where it has one, the
 * capacity it can grow to (so a trend can project the time to exhaustion). Used by {@link
 * MetricHistory} for series, aggregates and trends, and by {@link AlertRule}s. Immutable and
 * thread-safe; two metrics are equal when their names are.
 *
 * <p>Values are doubles; an unknown value (a size of -1 in the snapshot) reads as {@code NaN} and
 * is skipped by aggregates, trends and alert rules.
 *
 * @since 0.1.0
 */
public final class Metric {
  /** Unit of sizes. */
  public static final String BYTES = "bytes";

  /** Unit of rates of sizes. */
  public static final String BYTES_PER_SECOND = "bytes/s";

  /** Unit of shares: 0..1 (may exceed 1 for over-use). */
  public static final String FRACTION = "fraction";

  /** Unit of counts. */
  public static final String COUNT = "count";

  /** Unit of durations. */
  public static final String NANOSECONDS = "ns";

  /** Heap in use (garbage included). Capacity: max heap. */
  public static final Metric HEAP_USED =
      of("heap.used", BYTES, s -> bytes(s.heap().usedBytes()), s -> bytes(s.heap().maxBytes()));

  /** Heap committed by the JVM. Capacity: max heap. */
  public static final Metric HEAP_COMMITTED =
      of(
          "heap.committed",
          BYTES,
          s -> bytes(s.heap().committedBytes()),
          s -> bytes(s.heap().maxBytes()));

  /** Heap used as a share of max heap. */
  public static final Metric HEAP_UTILIZATION =
      of("heap.utilization", FRACTION, s -> s.heap().utilization(), s -> 1);

  /** Heap occupied right after GC (the live set). Capacity: max heap. */
  public static final Metric LIVE_SET =
      of("heap.live", BYTES, s -> bytes(s.liveSetBytes()), s -> bytes(s.heap().maxBytes()));

  /** The live set as a share of max heap: what the pressure source reports. */
  public static final Metric LIVE_SET_UTILIZATION =
      of("heap.live.utilization", FRACTION, MemorySnapshot::liveSetUtilization, s -> 1);

  /** The old generation's current use. Capacity: its max, else max heap. */
  public static final Metric OLD_GEN_USED =
      of("heap.old.used", BYTES, s -> old(s, false), s -> oldMax(s));

  /**
   * The old generation's use after the last GC that collected it. Capacity: its max, else max heap.
   */
  public static final Metric OLD_GEN_AFTER_GC =
      of("heap.old.afterGc", BYTES, s -> old(s, true), s -> oldMax(s));

  /** Non-heap use (metaspace, code cache, ...). */
  public static final Metric NON_HEAP_USED =
      of(
          "nonheap.used",
          BYTES,
          s -> bytes(s.nonHeap().usedBytes()),
          s -> bytes(s.nonHeap().maxBytes()));

  /** Memory used by direct NIO buffers. */
  public static final Metric DIRECT_BUFFERS =
      of("buffers.direct", BYTES, s -> bytes(s.bufferPoolUsedBytes("direct")), s -> Double.NaN);

  /** Memory used by mapped NIO buffers. */
  public static final Metric MAPPED_BUFFERS =
      of("buffers.mapped", BYTES, s -> bytes(s.bufferPoolUsedBytes("mapped")), s -> Double.NaN);

  /** Heap allocation rate of the whole JVM. */
  public static final Metric ALLOCATION_RATE =
      of(
          "allocation.rate",
          BYTES_PER_SECOND,
          MemorySnapshot::allocationRateBytesPerSecond,
          s -> Double.NaN);

  /** Share of elapsed time spent in GC pauses since the previous sample. */
  public static final Metric GC_OVERHEAD =
      of("gc.overhead", FRACTION, MemorySnapshot::gcOverhead, s -> 1);

  /** Collections of all collectors since the JVM started (cumulative). */
  public static final Metric GC_COUNT =
      of("gc.count", COUNT, s -> s.gcCount() < 0 ? Double.NaN : s.gcCount(), s -> Double.NaN);

  /** Process resident set size. Capacity: the container limit, else host memory. */
  public static final Metric RSS =
      of("process.rss", BYTES, s -> bytes(s.rssBytes()), s -> bytes(s.rssLimitBytes()));

  /**
   * RSS as a share of the container limit, else of host memory: what the pressure source reports.
   */
  public static final Metric RSS_UTILIZATION =
      of("process.rss.utilization", FRACTION, MemorySnapshot::rssUtilization, s -> 1);

  /** Process virtual size. */
  public static final Metric VIRTUAL_SIZE =
      of("process.virtual", BYTES, s -> bytes(s.virtualBytes()), s -> Double.NaN);

  /** Process CPU use as a share of all processors. */
  public static final Metric PROCESS_CPU =
      of("process.cpu", FRACTION, MemorySnapshot::processCpuLoad, s -> 1);

  /** Host memory available (host-wide; ignores container limits). */
  public static final Metric SYSTEM_AVAILABLE =
      of(
          "system.available",
          BYTES,
          s -> bytes(s.systemAvailableBytes()),
          s -> bytes(s.systemTotalBytes()));

  /** Memory charged to the process's cgroup. Capacity: the cgroup limit. */
  public static final Metric CONTAINER_USAGE =
      of(
          "container.usage",
          BYTES,
          s -> bytes(s.containerUsageBytes()),
          s -> bytes(s.containerLimitBytes() > 0 ? s.containerLimitBytes() : -1));

  /** Bytes reserved through memguard scopes. Capacity: the manager's budget. */
  public static final Metric RESERVED =
      of("memguard.reserved", BYTES, s -> bytes(s.reservedBytes()), s -> bytes(s.budgetBytes()));

  /** Open memguard scopes. */
  public static final Metric OPEN_SCOPES =
      of(
          "memguard.scopes",
          COUNT,
          s -> s.openScopes() < 0 ? Double.NaN : s.openScopes(),
          s -> Double.NaN);

  /** How long the sample took. */
  public static final Metric SAMPLE_DURATION =
      of("sample.duration", NANOSECONDS, s -> bytes(s.sampleDurationNanos()), s -> Double.NaN);

  private static final List<Metric> STANDARD =
      List.of(
          HEAP_USED,
          HEAP_COMMITTED,
          HEAP_UTILIZATION,
          LIVE_SET,
          LIVE_SET_UTILIZATION,
          OLD_GEN_USED,
          OLD_GEN_AFTER_GC,
          NON_HEAP_USED,
          DIRECT_BUFFERS,
          MAPPED_BUFFERS,
          ALLOCATION_RATE,
          GC_OVERHEAD,
          GC_COUNT,
          RSS,
          RSS_UTILIZATION,
          VIRTUAL_SIZE,
          PROCESS_CPU,
          SYSTEM_AVAILABLE,
          CONTAINER_USAGE,
          RESERVED,
          OPEN_SCOPES,
          SAMPLE_DURATION);

  private final String name;
  private final String unit;
  private final ToDoubleFunction<MemorySnapshot> value;
  private final ToDoubleFunction<MemorySnapshot> capacity;

  private Metric(
      String name,
      String unit,
      ToDoubleFunction<MemorySnapshot> value,
      ToDoubleFunction<MemorySnapshot> capacity) {
    this.name = name;
    this.unit = unit;
    this.value = value;
    this.capacity = capacity;
  }

  /**
   * A custom metric without a capacity.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static Metric of(String name, String unit, ToDoubleFunction<MemorySnapshot> value) {
    return of(name, unit, value, s -> Double.NaN);
  }

  /**
   * A custom metric whose values can grow up to {@code capacity} (NaN when it has none).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static Metric of(
      String name,
      String unit,
      ToDoubleFunction<MemorySnapshot> value,
      ToDoubleFunction<MemorySnapshot> capacity) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(capacity, "capacity");
    if (name.isBlank()) {
      throw new IllegalArgumentException("metric name must not be blank");
    }
    return new Metric(name, unit, value, capacity);
  }

  /** The used bytes of the named memory pool, e.g. {@code pool("G1 Old Gen")}; capacity its max. */
  public static Metric pool(String poolName) {
    Objects.requireNonNull(poolName, "poolName");
    return of(
        "pool." + poolName,
        BYTES,
        s -> {
          return s.pool(poolName).map(p -> bytes(p.usage().usedBytes())).orElse(Double.NaN);
        },
        s -> {
          return s.pool(poolName).map(p -> bytes(p.usage().maxBytes())).orElse(Double.NaN);
        });
  }

  /** The built-in metrics, in a stable order; the history keeps per-minute aggregates of these. */
  public static List<Metric> standard() {
    return STANDARD;
  }

  /** The built-in metric with this name, if there is one. */
  public static Optional<Metric> standard(String name) {
    for (Metric m : STANDARD) {
      if (m.name.equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The metric's name, e.g. {@code heap.live}. */
  public String name() {
    return name;
  }

  /** The unit: {@link #BYTES}, {@link #FRACTION}, {@link #BYTES_PER_SECOND}, ... */
  public String unit() {
    return unit;
  }

  /** The value in a snapshot; NaN when unknown or when the extractor throws. */
  public double valueOf(MemorySnapshot snapshot) {
    try {
      return value.applyAsDouble(snapshot);
    } catch (Throwable e) {
      return Double.NaN;
    }
  }

  /** The capacity in a snapshot; NaN when the metric has none or it is unknown. */
  public double capacityOf(MemorySnapshot snapshot) {
    try {
      return capacity.applyAsDouble(snapshot);
    } catch (Throwable e) {
      return Double.NaN;
    }
  }

  private static double bytes(long v) {
    return v < 0 ? Double.NaN : v;
  }

  private static double old(MemorySnapshot s, boolean afterGc) {
    MemorySnapshot.Pool p = s.oldGeneration();
    if (p == null) {
      return Double.NaN;
    }
    return bytes(afterGc ? p.afterLastGc().usedBytes() : p.usage().usedBytes());
  }

  private static double oldMax(MemorySnapshot s) {
    MemorySnapshot.Pool p = s.oldGeneration();
    long max = p == null ? -1 : p.usage().maxBytes();
    return bytes(max > 0 ? max : s.heap().maxBytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metric m && m.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + unit + ")";
  }
}
