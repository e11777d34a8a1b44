package io.memguard.monitor;

import io.memguard.monitor.MemorySnapshot.GcPause;
import io.memguard.monitor.internal.TrendMath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The monitor's memory of the past: the latest snapshots at full resolution in a bounded ring, and
 * per-minute aggregates (min, mean, max) of the standard metrics for long windows, plus a bounded
 * record of recent GC pauses. Answers the questions a dashboard or an operator asks: what now, what
 * over the last hour, which way is it going, how much time goes to GC.
 *
 * <p>Memory is bounded by configuration: {@link MonitorConfig#historySize()} snapshots, {@link
 * MonitorConfig#aggregateMinutes()} minutes per aggregated metric and {@value #PAUSE_CAPACITY}
 * pauses. Windows end at the latest sample. Thread-safe: the sampler appends while any thread
 * reads; readers get immutable copies.
 *
 * @since 0.1.0
 */
public final class MetricHistory {
  /** How many GC pauses are kept for percentiles. */
  public static final int PAUSE_CAPACITY = 4096;

  /** Most points a trend is computed from; longer series are averaged down first. */
  static final int TREND_MAX_POINTS = 400;

  private static final long MINUTE_NANOS = 60_000_000_000L;

  /** One point of a series. */
  public record Point(Instant time, double value) {}

  /**
   * The aggregate of one metric over one minute.
   *
   * @param start the minute's start
   * @param min the smallest value
   * @param mean the mean value
   * @param max the largest value
   * @param count how many samples had a value
   */
  public record Aggregate(Instant start, double min, double mean, double max, int count) {}

  private final MemorySnapshot[] ring;
  private int head;
  private int size;
  private final GcPause[] pauses = new GcPause[PAUSE_CAPACITY];
  private int pauseHead;
  private int pauseSize;

  private final List<Metric> aggregated;
  private final Map<String, Integer> aggregatedIndex = new HashMap<>();
  private final int minutes;
  private final long[] minuteIndex;
  private final double[][] min;
  private final double[][] max;
  private final double[][] sum;
  private final int[][] count;
  private int minuteHead = -1;
  private int minuteSize;
  private long originNanos;
  private Instant originTime;

  MetricHistory(int snapshots, int minutes, List<Metric> extraAggregated) {
    if (snapshots < 2) {
      throw new IllegalArgumentException(
          "history must hold at least 2 snapshots, got " + snapshots);
    }
    if (minutes < 1) {
      throw new IllegalArgumentException("aggregate minutes must be at least 1, got " + minutes);
    }
    this.ring = new MemorySnapshot[snapshots];
    LinkedHashSet<Metric> metrics = new LinkedHashSet<>(Metric.standard());
    metrics.addAll(extraAggregated);
    this.aggregated = List.copyOf(metrics);
    for (int i = 0; i < aggregated.size(); i++) {
      aggregatedIndex.put(aggregated.get(i).name(), i);
    }
    this.minutes = minutes;
    this.minuteIndex = new long[minutes];
    int m = aggregated.size();
    this.min = new double[m][minutes];
    this.max = new double[m][minutes];
    this.sum = new double[m][minutes];
    this.count = new int[m][minutes];
  }

  /** Appends a snapshot; called by the sampler. Snapshots must come in time order. */
  synchronized void add(MemorySnapshot s) {
    Objects.requireNonNull(s, "snapshot");
    if (size == ring.length) {
      ring[head] = s;
      head = (head + 1) % ring.length;
    } else {
      ring[(head + size) % ring.length] = s;
      size++;
    }
    for (GcPause p : s.pauses()) {
      if (pauseSize == PAUSE_CAPACITY) {
        pauses[pauseHead] = p;
        pauseHead = (pauseHead + 1) % PAUSE_CAPACITY;
      } else {
        pauses[(pauseHead + pauseSize) % PAUSE_CAPACITY] = p;
        pauseSize++;
      }
    }
    aggregate(s);
  }

  private void aggregate(MemorySnapshot s) {
    if (originTime == null) {
      originTime = s.time();
      originNanos = s.nanoTime();
    }
    long minute = Math.floorDiv(s.nanoTime() - originNanos, MINUTE_NANOS);
    if (minuteHead < 0 || minuteIndex[minuteHead] != minute) {
      minuteHead = (minuteHead + 1) % minutes;
      minuteSize = Math.min(minutes, minuteSize + 1);
      minuteIndex[minuteHead] = minute;
      for (int m = 0; m < aggregated.size(); m++) {
        min[m][minuteHead] = Double.POSITIVE_INFINITY;
        max[m][minuteHead] = Double.NEGATIVE_INFINITY;
        sum[m][minuteHead] = 0;
        count[m][minuteHead] = 0;
      }
    }
    for (int m = 0; m < aggregated.size(); m++) {
      double v = aggregated.get(m).valueOf(s);
      if (Double.isNaN(v)) {
        continue;
      }
      min[m][minuteHead] = Math.min(min[m][minuteHead], v);
      max[m][minuteHead] = Math.max(max[m][minuteHead], v);
      sum[m][minuteHead] += v;
      count[m][minuteHead]++;
    }
  }

  /** The latest snapshot, empty before the first sample. */
  public synchronized Optional<MemorySnapshot> latest() {
    return size == 0 ? Optional.empty() : Optional.of(ring[(head + size - 1) % ring.length]);
  }

  /** How many snapshots the full-resolution ring holds at most. */
  public int capacity() {
    return ring.length;
  }

  /** How many snapshots it holds now. */
  public synchronized int size() {
    return size;
  }

  /**
   * The metrics that have per-minute aggregates: {@link Metric#standard()} plus configured ones.
   */
  public List<Metric> aggregatedMetrics() {
    return aggregated;
  }

  /**
   * The snapshots of the last {@code window} (ending at the latest sample), oldest first; only as
   * far back as the ring reaches.
   *
   * @throws IllegalArgumentException if the window is negative
   */
  public synchronized List<MemorySnapshot> snapshots(Duration window) {
    long from = windowStart(window);
    List<MemorySnapshot> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      MemorySnapshot s = ring[(head + i) % ring.length];
      if (s.nanoTime() >= from) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The values of {@code metric} over the last {@code window} at full resolution, NaNs skipped. */
  public List<Point> series(Metric metric, Duration window) {
    Objects.requireNonNull(metric, "metric");
    List<Point> out = new ArrayList<>();
    for (MemorySnapshot s : snapshots(window)) {
      double v = metric.valueOf(s);
      if (!Double.isNaN(v)) {
        out.add(new Point(s.time(), v));
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Per-minute min, mean and max of {@code metric} over the last {@code window}, oldest first;
   * minutes without a value are left out. The current, unfinished minute is included.
   *
   * @throws IllegalArgumentException if the metric is not aggregated (see {@link
   *     MonitorConfig.Builder#aggregate(Metric)} to add one) or the window is negative
   */
  public synchronized List<Aggregate> aggregates(Metric metric, Duration window) {
    int m = indexOf(metric);
    long from = windowStart(window);
    List<Aggregate> out = new ArrayList<>();
    for (int i = minuteSize - 1; i >= 0; i--) {
      int slot = Math.floorMod(minuteHead - i, minutes);
      long startNanos = originNanos + minuteIndex[slot] * MINUTE_NANOS;
      if (startNanos + MINUTE_NANOS <= from || count[m][slot] == 0) {
        continue;
      }
      out.add(
          new Aggregate(
              originTime.plusNanos(minuteIndex[slot] * MINUTE_NANOS),
              min[m][slot],
              sum[m][slot] / count[m][slot],
              max[m][slot],
              count[m][slot]));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The trend of {@code metric} over the last {@code window}: from full-resolution samples when the
   * ring covers the window, else from per-minute means. Long series are averaged down to {@value
   * #TREND_MAX_POINTS} points first.
   *
   * <p>A metric without aggregates is trended over what the ring holds.
   *
   * @throws IllegalArgumentException if the window is not positive
   */
  public Trend trend(Metric metric, Duration window) {
    Objects.requireNonNull(metric, "metric");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("trend window must be positive, got " + window);
    }
    double[] x;
    double[] y;
    int n = 0;
    double capacity;
    double latest;
    synchronized (this) {
      if (size == 0) {
        return new Trend(
            metric.name(),
            metric.unit(),
            window,
            0,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            1,
            1,
            Optional.empty());
      }
      MemorySnapshot last = ring[(head + size - 1) % ring.length];
      MemorySnapshot first = ring[head];
      long from = windowStart(window);
      capacity = metric.capacityOf(last);
      latest = metric.valueOf(last);
      boolean ringCovers =
          first.nanoTime() <= from
              || minuteSize <= 1
              || !aggregatedIndex.containsKey(metric.name());
      if (ringCovers) {
        x = new double[size];
        y = new double[size];
        for (int i = 0; i < size; i++) {
          MemorySnapshot s = ring[(head + i) % ring.length];
          double v = metric.valueOf(s);
          if (s.nanoTime() >= from && !Double.isNaN(v)) {
            x[n] = (s.nanoTime() - last.nanoTime()) / 1e9;
            y[n] = v;
            n++;
          }
        }
      } else {
        int m = indexOf(metric);
        x = new double[minuteSize];
        y = new double[minuteSize];
        for (int i = minuteSize - 1; i >= 0; i--) {
          int slot = Math.floorMod(minuteHead - i, minutes);
          long mid = originNanos + minuteIndex[slot] * MINUTE_NANOS + MINUTE_NANOS / 2;
          if (mid < from || count[m][slot] == 0) {
            continue;
          }
          x[n] = (Math.min(mid, last.nanoTime()) - last.nanoTime()) / 1e9;
          y[n] = sum[m][slot] / count[m][slot];
          n++;
        }
      }
    }
    n = TrendMath.coarsen(x, y, n, TREND_MAX_POINTS);
    TrendMath.Result r = TrendMath.analyze(x, y, n);
    double fitted =
        Double.isNaN(r.slope()) ? Double.NaN : r.intercept(); // x = 0 is the latest sample
    Optional<Duration> exhaustion = Optional.empty();
    if (r.slope() > 0 && capacity > 0 && !Double.isNaN(fitted)) {
      double seconds = Math.max(0, (capacity - Math.max(fitted, latest)) / r.slope());
      if (seconds < 1e12) {
        exhaustion = Optional.of(Duration.ofMillis((long) (seconds * 1000)));
      }
    }
    return new Trend(
        metric.name(),
        metric.unit(),
        window,
        n,
        r.slope(),
        fitted,
        latest,
        capacity,
        r.pIncreasing(),
        r.pDecreasing(),
        exhaustion);
  }

  /** GC pauses (from notifications) that ended within the last {@code window}, oldest first. */
  public synchronized List<GcPause> pauses(Duration window) {
    long from = windowStart(window);
    List<GcPause> out = new ArrayList<>();
    for (int i = 0; i < pauseSize; i++) {
      GcPause p = pauses[(pauseHead + i) % PAUSE_CAPACITY];
      if (p.nanoTime() >= from) {
        out.add(p);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * GC overhead, allocation rate, pause percentiles and sampler cost over the last {@code window}.
   * Uses full-resolution samples where the ring reaches and per-minute aggregates beyond it.
   */
  public PerformanceMetrics performance(Duration window) {
    List<MemorySnapshot> snaps = snapshots(window);
    List<GcPause> ps = pauses(window);
    double[] durations = new double[ps.size()];
    int pauseCount = 0;
    for (GcPause p : ps) {
      if (p.pause()) {
        durations[pauseCount++] = p.durationMillis();
      }
    }
    double p50 = TrendMath.quantile(durations, pauseCount, 0.50);
    double p90 = TrendMath.quantile(durations, pauseCount, 0.90);
    double p99 = TrendMath.quantile(durations, pauseCount, 0.99);
    double pmax = TrendMath.quantile(durations, pauseCount, 1.0);
    if (snaps.isEmpty()) {
      return new PerformanceMetrics(
          Duration.ZERO,
          Double.NaN,
          0,
          pauseCount,
          p50,
          p90,
          p99,
          pmax,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN);
    }
    MemorySnapshot first = snaps.get(0);
    MemorySnapshot last = snaps.get(snaps.size() - 1);
    boolean ringCovers = ringCovers(window);
    double overhead;
    long gcCount;
    double allocMean;
    double allocMax;
    Duration covered;
    if (ringCovers || snaps.size() >= size()) {
      long elapsed = last.nanoTime() - first.nanoTime();
      long pauseMs = last.gcPauseTimeMillis() - first.gcPauseTimeMillis();
      overhead =
          elapsed <= 0 || first.gcPauseTimeMillis() < 0
              ? Double.NaN
              : 100.0 * pauseMs * 1e6 / elapsed;
      gcCount = Math.max(0, last.gcCount() - first.gcCount());
      double s = 0;
      int c = 0;
      allocMax = Double.NaN;
      for (MemorySnapshot snap : snaps) {
        double r = snap.allocationRateBytesPerSecond();
        if (!Double.isNaN(r)) {
          s += r;
          c++;
          allocMax = Double.isNaN(allocMax) ? r : Math.max(allocMax, r);
        }
      }
      allocMean = c == 0 ? Double.NaN : s / c;
      covered = Duration.ofNanos(elapsed);
    } else {
      List<Aggregate> gc = aggregates(Metric.GC_OVERHEAD, window);
      List<Aggregate> alloc = aggregates(Metric.ALLOCATION_RATE, window);
      List<Aggregate> counts = aggregates(Metric.GC_COUNT, window);
      overhead = 100 * weightedMean(gc);
      allocMean = weightedMean(alloc);
      allocMax = alloc.stream().mapToDouble(Aggregate::max).max().orElse(Double.NaN);
      gcCount =
          counts.isEmpty() ? 0 : (long) (counts.get(counts.size() - 1).max() - counts.get(0).min());
      covered =
          Duration.between(counts.isEmpty() ? first.time() : counts.get(0).start(), last.time());
    }
    double durSum = 0;
    double durMax = Double.NaN;
    int durCount = 0;
    for (MemorySnapshot snap : snaps) {
      if (snap.sampleDurationNanos() >= 0) {
        durSum += snap.sampleDurationNanos();
        durCount++;
        durMax =
            Double.isNaN(durMax)
                ? snap.sampleDurationNanos()
                : Math.max(durMax, snap.sampleDurationNanos());
      }
    }
    return new PerformanceMetrics(
        covered,
        overhead,
        gcCount,
        pauseCount,
        p50,
        p90,
        p99,
        pmax,
        allocMean,
        allocMax,
        durCount == 0 ? Double.NaN : durSum / durCount,
        durMax);
  }

  private static double weightedMean(List<Aggregate> aggregates) {
    double s = 0;
    long c = 0;
    for (Aggregate a : aggregates) {
      s += a.mean() * a.count();
      c += a.count();
    }
    return c == 0 ? Double.NaN : s / c;
  }

  private synchronized boolean ringCovers(Duration window) {
    return size > 0 && ring[head].nanoTime() <= windowStart(window);
  }

  private int indexOf(Metric metric) {
    Integer m = aggregatedIndex.get(Objects.requireNonNull(metric, "metric").name());
    if (m == null) {
      throw new IllegalArgumentException(
          "metric '"
              + metric.name()
              + "' has no per-minute aggregates; add it with MonitorConfig.builder().aggregate(metric)");
    }
    return m;
  }

  /**
   * Monotonic start of a window ending at the latest sample. Caller holds the lock or tolerates
   * races.
   */
  private long windowStart(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must not be negative, got " + window);
    }
    MemorySnapshot last = size == 0 ? null : ring[(head + size - 1) % ring.length];
    if (last == null) {
      return Long.MAX_VALUE;
    }
    long w = window.compareTo(Duration.ofDays(36500)) > 0 ? Long.MAX_VALUE / 4 : window.toNanos();
    return last.nanoTime() - w;
  }
}
