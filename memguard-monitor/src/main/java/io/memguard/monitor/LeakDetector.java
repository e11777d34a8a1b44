package io.memguard.monitor;

import io.memguard.core.Registration;
import io.memguard.monitor.LeakStatus.State;
import io.memguard.monitor.internal.ClassHistogram;
import io.memguard.monitor.internal.Dispatcher;
import io.memguard.monitor.internal.HeapDumps;
import io.memguard.monitor.internal.HistogramSource;
import io.memguard.monitor.internal.JfrEvents;
import io.memguard.monitor.internal.LeakSuspects;
import io.memguard.monitor.internal.OnceLogger;
import io.memguard.monitor.internal.TrendMath;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds memory leaks in the series of post-GC live-set readings the monitor samples, and then finds
 * what leaks.
 *
 * <p><b>Detection.</b> The live set (heap used right after GC) is kept as its lowest reading per
 * {@link LeakDetectorConfig#bucket() bucket}. Windows of 30 s, 1, 2, 4, ... up to 32 min (by
 * default) are each cut into ten segments, and the segments' minima, the floor of the live set, are
 * tested for a monotonic increase with the Mann-Kendall test and measured with the Theil-Sen slope,
 * both robust to outliers. Taking the floor removes the sawtooth of garbage between collections;
 * windows shorter than 2.5 times the longest recent old-generation cycle (the floor rising, then
 * returning) are skipped, which removes the slower sawtooth of promoted garbage. Significant growth
 * of at least {@link LeakDetectorConfig#minGrowthFraction()} of max heap over a window makes a
 * suspicion; {@link LeakDetectorConfig#confirmations()} successive suspicions make a leak.
 *
 * <p><b>Suspects.</b> On suspicion the detector takes a class histogram (a full GC; rate-limited,
 * can be switched off), and another before reporting; classes whose instances and bytes grew in
 * every histogram are suspects, application classes first. It also follows memguard scopes whose
 * reserved bytes and weak registries whose live entries keep growing. The result is a {@link
 * LeakReport}, delivered to {@link LeakListener}s and kept in {@link #reports()}.
 *
 * <p>Thread-safe. Fed by the sampler thread; histograms run on their own daemon thread; listeners
 * are called on the monitor's notification thread. Nothing here throws into the sampler.
 *
 * @since 0.1.0
 */
public final class LeakDetector {
  private static final Logger LOG = LoggerFactory.getLogger(LeakDetector.class);
  private static final int MAX_REPORTS = 32;
  private static final int MAX_CHECKPOINTS = 64;
  private static final int MAX_PROBE_KEYS = 256;
  private static final long CHECKPOINT_NANOS = 5_000_000_000L;
  private static final double MIN_FILL = 0.8;
  private static final int MIN_SEGMENTS = 6;
  private static final int MAX_CYCLES = 5;

  /** Windows must be this many times the longest recent cycle to be trusted. */
  static final double CYCLE_FACTOR = 2.5;

  private static final long HOUR_NANOS = 3_600_000_000_000L;
  private static final String OWN_PACKAGE = "io.memguard.monitor.";

  private final LeakDetectorConfig config;
  private final LongSupplier nanoClock;
  private final HistogramSource histograms;
  private final Executor histogramExecutor;

  /** Whether a class histogram may be taken now (the manager's rollout); always, by default. */
  private volatile java.util.function.BooleanSupplier histogramGate = () -> true;

  private final Supplier<Map<String, Long>> scopeProbe;
  private final Supplier<Map<String, Long>> registryProbe;
  private final Dispatcher notifier;
  private final OnceLogger once = new OnceLogger(LOG);
  private final List<LeakListener> listeners = new CopyOnWriteArrayList<>();
  private final long bucketNanos;
  private final long[] windows;

  // Live-set buckets: index since start, lowest reading; a ring covering the long window.
  private final long[] bucketIndex;
  private final double[] bucketValue;
  private int bucketHead;
  private int bucketSize;
  private long startNanos = Long.MIN_VALUE;
  private long currentBucket = Long.MIN_VALUE;
  private double currentMin = Double.NaN;
  private long firstDataBucket = Long.MIN_VALUE;
  private long maxHeap = -1;
  private Instant lastTime = Instant.EPOCH;
  private long lastNanos;
  private long lastCheckpointNanos = Long.MIN_VALUE;

  // Old-generation cycles: the floor rises by 2 delta or more, then returns to within delta of it.
  private double trough = Double.NaN;
  private long troughBucket;
  private double peakSinceTrough = Double.NaN;
  private final Deque<long[]> cycles = new ArrayDeque<>(); // {endBucket, lengthBuckets}

  private final Deque<Checkpoint> checkpoints = new ArrayDeque<>();

  private State state = State.NONE;
  private Instant since = Instant.EPOCH;
  private int suspicious;
  private int calm;
  private long calmSinceNanos;
  private long episodeStartNanos;
  private LeakStatus status =
      new LeakStatus(
          State.NONE, Instant.EPOCH, Duration.ZERO, 0, Double.NaN, 1, -1, Duration.ZERO, null);
  private Window lastHit;

  private final List<ClassHistogram> episodeHistograms = new ArrayList<>();
  private final Deque<Long> histogramTimes = new ArrayDeque<>();
  private boolean histogramInFlight;
  private String histogramNote = "";
  private boolean reportPending;
  private long lastReportNanos;
  private final Deque<LeakReport> reports = new ArrayDeque<>();
  private volatile boolean closed;

  private record Checkpoint(
      long nanoTime, Map<String, Long> scopes, Map<String, Long> registries) {}

  /** The test of one window. */
  private record Window(long nanos, int points, TrendMath.Result result, boolean hit) {}

  LeakDetector(
      LeakDetectorConfig config,
      LongSupplier nanoClock,
      HistogramSource histograms,
      Executor histogramExecutor,
      Supplier<Map<String, Long>> scopeProbe,
      Supplier<Map<String, Long>> registryProbe,
      Dispatcher notifier) {
    this.config = Objects.requireNonNull(config, "config");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.histograms = histograms;
    this.histogramExecutor = Objects.requireNonNull(histogramExecutor, "histogramExecutor");
    this.scopeProbe = scopeProbe;
    this.registryProbe = registryProbe;
    this.notifier = Objects.requireNonNull(notifier, "notifier");
    this.bucketNanos = config.bucket().toNanos();
    List<Long> ladder = new ArrayList<>();
    for (long w = config.window().toNanos(); w <= config.longWindow().toNanos(); w *= 2) {
      ladder.add(w);
    }
    this.windows = ladder.stream().mapToLong(Long::longValue).toArray();
    int capacity = (int) (config.longWindow().toNanos() / bucketNanos) + 2;
    this.bucketIndex = new long[capacity];
    this.bucketValue = new double[capacity];
    if (!config.classHistograms()) {
      histogramNote = "class histograms are switched off";
    } else if (histograms == null) {
      histogramNote = "class histograms are not available in this JVM";
    }
  }

  /** The configuration. */
  public LeakDetectorConfig config() {
    return config;
  }

  /** What the detector currently thinks. */
  public synchronized LeakStatus status() {
    return status;
  }

  /** The latest report, if a leak was ever reported. */
  public synchronized Optional<LeakReport> latestReport() {
    return reports.isEmpty() ? Optional.empty() : Optional.of(reports.peekLast());
  }

  /** The reports made so far, oldest first (the last {@value #MAX_REPORTS}). */
  public synchronized List<LeakReport> reports() {
    return List.copyOf(reports);
  }

  /**
   * Registers a listener for leak reports; close the returned handle to remove it.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public Registration addListener(LeakListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return Registration.once(() -> listeners.remove(listener));
  }

  /**
   * Writes a heap dump in HPROF format (HotSpotDiagnosticMXBean), for analysis in a heap analyser.
   * A dump of only live objects runs a full GC first. The JVM is paused while it writes, for about
   * a second per GiB of heap.
   *
   * @param file where to write; must end with {@code .hprof} and must not exist
   * @param liveOnly true to dump only reachable objects
   * @return the absolute path written
   * @throws IllegalArgumentException if the name does not end with .hprof, or the file exists
   * @throws IOException if the dump cannot be written (no space, no permission, unsupported VM)
   */
  public Path dumpHeap(Path file, boolean liveOnly) throws IOException {
    return HeapDumps.write(file, liveOnly);
  }

  /** Feeds one snapshot; called by the sampler after each sample. Never throws. */
  void onSnapshot(MemorySnapshot s) {
    if (!config.enabled() || closed) {
      return;
    }
    try {
      synchronized (this) {
        accept(s);
      }
    } catch (RuntimeException e) {
      once.warn(
          "evaluate", "memguard monitor: leak detection failed on a snapshot; it keeps going", e);
    }
  }

  private void accept(MemorySnapshot s) {
    if (startNanos == Long.MIN_VALUE) {
      startNanos = s.nanoTime();
    }
    lastTime = s.time();
    lastNanos = s.nanoTime();
    if (s.heap().maxBytes() > 0) {
      maxHeap = s.heap().maxBytes();
    }
    long elapsed = s.nanoTime() - startNanos;
    long idx = Math.floorDiv(elapsed, bucketNanos);
    if (idx != currentBucket) {
      if (currentBucket != Long.MIN_VALUE) {
        closeBucket(s);
      }
      currentBucket = idx;
      currentMin = Double.NaN;
    }
    if (s.liveSetUpdated() && s.liveSetBytes() >= 0 && elapsed >= config.warmup().toNanos()) {
      currentMin =
          Double.isNaN(currentMin) ? s.liveSetBytes() : Math.min(currentMin, s.liveSetBytes());
    }
  }

  private void closeBucket(MemorySnapshot s) {
    if (!Double.isNaN(currentMin)) {
      int slot;
      if (bucketSize == bucketIndex.length) {
        slot = bucketHead;
        bucketHead = (bucketHead + 1) % bucketIndex.length;
      } else {
        slot = (bucketHead + bucketSize) % bucketIndex.length;
        bucketSize++;
      }
      bucketIndex[slot] = currentBucket;
      bucketValue[slot] = currentMin;
      if (firstDataBucket == Long.MIN_VALUE) {
        firstDataBucket = currentBucket;
      }
      trackCycles(currentBucket, currentMin);
    }
    if (lastCheckpointNanos == Long.MIN_VALUE
        || s.nanoTime() - lastCheckpointNanos
            >= Math.min(CHECKPOINT_NANOS, config.window().toNanos() / 8)) {
      lastCheckpointNanos = s.nanoTime();
      checkpoint(s.nanoTime());
    }
    evaluate(s, currentBucket);
  }

  /** The smallest change of the floor that counts: the least growth worth reporting. */
  private double delta() {
    return maxHeap > 0 ? Math.max(1, config.minGrowthFraction() * maxHeap) : 1;
  }

  /**
   * Follows old-generation cycles: garbage promoted between old collections raises the floor, which
   * returns to its trough when the cycle collects it. A leak never returns. A cycle is a rise of at
   * least the least reportable growth followed by a return to within half of it.
   */
  private void trackCycles(long idx, double y) {
    double delta = delta();
    if (Double.isNaN(trough)) {
      trough = y;
      troughBucket = idx;
      peakSinceTrough = y;
      return;
    }
    peakSinceTrough = Math.max(peakSinceTrough, y);
    // A rise that could pass the growth test, then a return to within half of it.
    boolean returned = peakSinceTrough - trough >= delta && y <= trough + delta / 2;
    if (returned) {
      if (cycles.size() == MAX_CYCLES) {
        cycles.removeFirst();
      }
      cycles.addLast(new long[] {idx, idx - troughBucket});
    }
    if (returned || y < trough) {
      trough = y;
      troughBucket = idx;
      peakSinceTrough = y;
    }
  }

  /** The longest recent cycle, in nanoseconds (0 if none within the long window). */
  private long cycleNanos(long latestBucket) {
    long longest = 0;
    long horizon = config.longWindow().toNanos() / bucketNanos;
    for (long[] c : cycles) {
      if (latestBucket - c[0] <= horizon) {
        longest = Math.max(longest, c[1]);
      }
    }
    return longest * bucketNanos;
  }

  private void checkpoint(long now) {
    if (scopeProbe == null && registryProbe == null) {
      return;
    }
    Map<String, Long> scopes = probe(scopeProbe, "scopes");
    Map<String, Long> registries = probe(registryProbe, "registries");
    if (checkpoints.size() == MAX_CHECKPOINTS) {
      checkpoints.removeFirst();
    }
    checkpoints.addLast(new Checkpoint(now, scopes, registries));
  }

  private Map<String, Long> probe(Supplier<Map<String, Long>> probe, String what) {
    if (probe == null) {
      return Map.of();
    }
    try {
      Map<String, Long> values = probe.get();
      if (values.size() <= MAX_PROBE_KEYS) {
        return Map.copyOf(values);
      }
      Map<String, Long> top = new HashMap<>();
      values.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(MAX_PROBE_KEYS)
          .forEach(e -> top.put(e.getKey(), e.getValue()));
      return top;
    } catch (RuntimeException e) {
      once.warn(
          "probe-" + what,
          "memguard monitor: cannot read memguard " + what + " for leak suspects",
          e);
      return Map.of();
    }
  }

  private void evaluate(MemorySnapshot s, long latest) {
    long cycle = cycleNanos(latest);
    Window best = null;
    Window shortest = null;
    for (long w : windows) {
      if (cycle > 0 && w < cycle * CYCLE_FACTOR) {
        continue; // within a cycle, promoted garbage looks like growth; cycles vary in length
      }
      Window r = test(w, latest);
      if (r == null) {
        continue;
      }
      if (shortest == null) {
        shortest = r;
      }
      if (r.hit() && (best == null || r.result().pIncreasing() <= best.result().pIncreasing())) {
        best = r;
      }
    }
    Window shown = best != null ? best : shortest;
    double latestValue =
        bucketSize == 0 ? -1 : bucketValue[(bucketHead + bucketSize - 1) % bucketIndex.length];
    status =
        new LeakStatus(
            state,
            since,
            shown == null ? Duration.ZERO : Duration.ofNanos(shown.nanos()),
            shown == null ? 0 : shown.points(),
            shown == null ? Double.NaN : shown.result().slope() * 60,
            shown == null ? 1 : shown.result().pIncreasing(),
            (long) latestValue,
            Duration.ofNanos(cycle),
            lastTime);
    if (best != null) {
      lastHit = best;
    }
    step(best != null, s);
  }

  /** Tests one window ending at bucket {@code latest}; null when it is not yet full enough. */
  private Window test(long windowNanos, long latest) {
    long span = windowNanos / bucketNanos;
    long from = latest - span + 1;
    if (firstDataBucket == Long.MIN_VALUE
        || latest - Math.max(from, firstDataBucket) + 1 < MIN_FILL * span) {
      return null;
    }
    int k = config.segments();
    double[] x = new double[k];
    double[] y = new double[k];
    double[] mins = new double[k];
    java.util.Arrays.fill(mins, Double.NaN);
    for (int i = 0; i < bucketSize; i++) {
      int slot = (bucketHead + i) % bucketIndex.length;
      long idx = bucketIndex[slot];
      if (idx < from || idx > latest) {
        continue;
      }
      int seg = (int) Math.min(k - 1, (idx - from) * k / span);
      double v = bucketValue[slot];
      mins[seg] = Double.isNaN(mins[seg]) ? v : Math.min(mins[seg], v);
    }
    int n = 0;
    double segSeconds = windowNanos / 1e9 / k;
    for (int seg = 0; seg < k; seg++) {
      if (!Double.isNaN(mins[seg])) {
        x[n] = (from * bucketNanos) / 1e9 + (seg + 0.5) * segSeconds;
        y[n] = mins[seg];
        n++;
      }
    }
    if (n < MIN_SEGMENTS) {
      return null;
    }
    TrendMath.Result r = TrendMath.analyze(x, y, n);
    boolean hit =
        !Double.isNaN(r.slope())
            && r.slope() > 0
            && r.pIncreasing() < config.significance()
            && r.slope() * (windowNanos / 1e9)
                >= (maxHeap > 0 ? config.minGrowthFraction() * maxHeap : 0);
    return new Window(windowNanos, n, r, hit);
  }

  private void step(boolean hit, MemorySnapshot s) {
    long now = s.nanoTime();
    switch (state) {
      case NONE -> {
        if (hit) {
          state = State.SUSPECTED;
          since = s.time();
          suspicious = 1;
          calm = 0;
          episodeStartNanos = now;
          episodeHistograms.clear();
          requestHistogram(now);
          maybeConfirm(now);
        }
      }
      case SUSPECTED -> {
        if (hit) {
          suspicious++;
          maybeConfirm(now);
        } else {
          toNone(false);
        }
      }
      case LEAK -> {
        if (hit) {
          calm = 0;
          if (!reportPending && now - lastReportNanos >= config.reportInterval().toNanos()) {
            reportPending = true;
          }
          if (reportPending) {
            requestHistogram(now); // no-op while one is in flight or the interval has not passed
            maybeReport();
          }
        } else {
          if (calm++ == 0) {
            calmSinceNanos = now;
          }
          // Clear only after a calm spell as long as the shortest window: one quiet evaluation is
          // noise.
          if (calm >= Math.max(3, config.confirmations())
              && now - calmSinceNanos >= config.window().toNanos()) {
            toNone(true);
          }
        }
      }
    }
    refreshStatusState();
  }

  private void maybeConfirm(long now) {
    if (suspicious < config.confirmations()) {
      return;
    }
    reportPending = true;
    if (histogramsUsable() && episodeHistograms.size() < 2) {
      requestHistogram(now);
    }
    maybeReport();
  }

  /** Sets what decides, before each class histogram, whether it may be taken. */
  void gateHistograms(java.util.function.BooleanSupplier gate) {
    this.histogramGate = gate;
  }

  private boolean histogramsUsable() {
    return config.classHistograms() && histograms != null;
  }

  /** Starts a histogram if allowed: not in flight, interval passed, hourly budget left. */
  private void requestHistogram(long now) {
    if (!histogramsUsable() || histogramInFlight) {
      return;
    }
    while (!histogramTimes.isEmpty() && now - histogramTimes.peekFirst() >= HOUR_NANOS) {
      histogramTimes.removeFirst();
    }
    if (histogramTimes.size() >= config.maxHistogramsPerHour()) {
      return;
    }
    if (!histogramTimes.isEmpty()
        && now - histogramTimes.peekLast() < config.histogramInterval().toNanos()) {
      return;
    }
    if (!histogramGate.getAsBoolean()) {
      histogramTimes.addLast(now); // asked again at the next interval, not at every sample
      histogramNote =
          "class histograms were not taken: the rollout runs LEAK_ACTIONS in OBSERVE or OFF (each"
              + " histogram forces a full collection)";
      return;
    }
    histogramInFlight = true;
    histogramTimes.addLast(now);
    try {
      histogramExecutor.execute(this::takeHistogram);
    } catch (RuntimeException e) {
      histogramInFlight = false;
      histogramNote = "the histogram thread is not running: " + e;
    }
  }

  private void takeHistogram() {
    ClassHistogram h = null;
    String failure = null;
    try {
      h = histograms.take(nanoClock.getAsLong());
    } catch (Exception | LinkageError e) {
      failure = "class histogram failed: " + e;
      once.warn(
          "histogram",
          "memguard monitor: " + failure + "; leak reports will have no class suspects",
          e);
    }
    synchronized (this) {
      histogramInFlight = false;
      if (h != null) {
        if (histogramNote.startsWith("class histogram failed")) {
          histogramNote = ""; // it works again
        }
        if (state != State.NONE) {
          episodeHistograms.add(h);
          if (episodeHistograms.size() > 4) {
            episodeHistograms.remove(1); // keep the episode's baseline and the latest ones
          }
        }
      } else {
        histogramNote = failure;
      }
      maybeReport();
    }
  }

  /** Reports if a report is pending and its class histograms are in (or cannot come). */
  private void maybeReport() {
    if (!reportPending || closed) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (histogramsUsable() && histogramNote.isEmpty()) {
      boolean needNew = state == State.LEAK; // an update wants a fresh histogram
      boolean have =
          episodeHistograms.size() >= 2
              && (!needNew
                  || episodeHistograms.get(episodeHistograms.size() - 1).nanoTime()
                      > lastReportNanos);
      if (!have) {
        if (histogramInFlight) {
          return; // its completion calls back
        }
        boolean budgetLeft = histogramTimes.size() < config.maxHistogramsPerHour();
        if (budgetLeft) {
          return; // the next evaluation requests it once the interval has passed
        }
      }
    }
    reportPending = false;
    lastReportNanos = now;
    state = State.LEAK;
    LeakReport report = buildReport();
    if (reports.size() == MAX_REPORTS) {
      reports.removeFirst();
    }
    reports.addLast(report);
    refreshStatusState();
    LOG.warn("memguard: memory leak suspected\n{}", report.describe());
    JfrEvents.LeakReport jfr = JfrEvents.recording() ? new JfrEvents.LeakReport() : null;
    if (jfr != null && jfr.shouldCommit()) {
      jfr.growthBytesPerMinute = Math.round(report.growthBytesPerMinute());
      jfr.pValue = report.pValue();
      jfr.liveSetBytes = report.liveSetBytes();
      jfr.topSuspect = report.topSuspect().map(LeakSuspect::name).orElse(null);
      jfr.recommendation = report.recommendation();
      jfr.commit();
    }
    for (LeakListener l : listeners) {
      notifier.submit("leak listener " + l.getClass().getName(), () -> l.onLeakReport(report));
    }
  }

  private void toNone(boolean notify) {
    state = State.NONE;
    since = lastTime;
    suspicious = 0;
    calm = 0;
    reportPending = false;
    episodeHistograms.clear();
    refreshStatusState();
    if (notify) {
      Instant at = lastTime;
      LOG.info("memguard: the live set stopped growing; the leak reported earlier is cleared");
      for (LeakListener l : listeners) {
        notifier.submit("leak listener " + l.getClass().getName(), () -> l.onLeakCleared(at));
      }
    }
  }

  private void refreshStatusState() {
    status =
        new LeakStatus(
            state,
            since,
            status.window(),
            status.points(),
            status.growthBytesPerMinute(),
            status.pValue(),
            status.liveSetBytes(),
            status.cycle(),
            status.evaluatedAt());
  }

  private Instant now() {
    return lastTime.plusNanos(Math.max(0, nanoClock.getAsLong() - lastNanos));
  }

  private LeakReport buildReport() {
    TrendMath.Result r = lastHit == null ? null : lastHit.result();
    double perSecond = r == null ? Double.NaN : r.slope();
    long live = status.liveSetBytes();
    Optional<Duration> exhaustion = Optional.empty();
    if (perSecond > 0 && maxHeap > 0 && live >= 0) {
      exhaustion =
          Optional.of(Duration.ofMillis((long) (Math.max(0, maxHeap - live) / perSecond * 1000)));
    }
    List<LeakSuspect> classes = new ArrayList<>();
    List<LeakSuspect> platform = new ArrayList<>();
    int compared = 0;
    if (episodeHistograms.size() >= 2) {
      compared = episodeHistograms.size();
      LeakSuspects.classes(episodeHistograms, OWN_PACKAGE, perSecond * 60, classes, platform);
    }
    List<LeakSuspect> suspects = new ArrayList<>();
    suspects.addAll(limit(classes));
    suspects.addAll(limit(scopeSuspects()));
    suspects.addAll(limit(registrySuspects()));
    suspects.addAll(limit(platform));
    String note =
        compared >= 2
            ? ""
            : histogramNote.isEmpty() ? "no class histograms could be compared" : histogramNote;
    return new LeakReport(
        now(),
        lastHit == null ? Duration.ZERO : Duration.ofNanos(lastHit.nanos()),
        lastHit == null ? 0 : lastHit.points(),
        perSecond * 60,
        r == null ? 1 : r.pIncreasing(),
        live,
        maxHeap,
        exhaustion,
        suspects,
        compared,
        note,
        recommendation(suspects, exhaustion));
  }

  private List<LeakSuspect> limit(List<LeakSuspect> list) {
    return list.size() <= config.maxSuspects() ? list : list.subList(0, config.maxSuspects());
  }

  private List<Checkpoint> windowCheckpoints() {
    long window = lastHit == null ? config.window().toNanos() : lastHit.nanos();
    long from = Math.min(episodeStartNanos, lastNanos - window);
    List<Checkpoint> out = new ArrayList<>();
    for (Checkpoint c : checkpoints) {
      if (c.nanoTime() >= from) {
        out.add(c);
      }
    }
    return out;
  }

  private List<LeakSuspect> scopeSuspects() {
    List<Checkpoint> cps = windowCheckpoints();
    return LeakSuspects.scopes(
        LeakSuspects.growing(times(cps), cps.stream().map(Checkpoint::scopes).toList()));
  }

  private List<LeakSuspect> registrySuspects() {
    List<Checkpoint> cps = windowCheckpoints();
    return LeakSuspects.registries(
        LeakSuspects.growing(times(cps), cps.stream().map(Checkpoint::registries).toList()));
  }

  private static long[] times(List<Checkpoint> cps) {
    long[] t = new long[cps.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = cps.get(i).nanoTime();
    }
    return t;
  }

  /** What to do about the top suspect, in a sentence or three. */
  private static String recommendation(List<LeakSuspect> suspects, Optional<Duration> exhaustion) {
    StringBuilder sb = new StringBuilder();
    if (exhaustion.isPresent() && exhaustion.get().compareTo(Duration.ofMinutes(10)) < 0) {
      sb.append("Act now: at this rate the heap is full in ")
          .append(Format.duration(exhaustion.get()))
          .append(". ");
    }
    LeakSuspect top = suspects.isEmpty() ? null : suspects.get(0);
    if (top == null) {
      sb.append(
          "Nothing specific grows with the live set that memguard can see. Write a heap dump "
              + "(LeakDetector.dumpHeap) twice a few minutes apart and compare the dominators, "
              + "or enable class histograms if they are off.");
    } else if (top.kind() == LeakSuspect.Kind.CLASS) {
      String simple = top.name().substring(top.name().lastIndexOf('.') + 1);
      sb.append("Find what keeps instances of ")
          .append(top.name())
          .append(
              " reachable: write a heap dump (LeakDetector.dumpHeap) and follow the paths from ")
          .append(simple)
          .append(
              " to the GC roots. Usual causes: a static or long-lived collection that is only added to, "
                  + "a cache without eviction, listeners or callbacks never removed, ThreadLocals on pooled threads.");
    } else if (top.kind() == LeakSuspect.Kind.SCOPE) {
      sb.append("Scope ")
          .append(top.name())
          .append(
              " reserves more and more without releasing: check that every Reservation opened in it is "
                  + "closed (try-with-resources), and that the scope itself is closed when its work ends.");
    } else {
      sb.append("Weak registry ")
          .append(top.name())
          .append(
              " holds more and more live entries: something else still references them strongly "
                  + "(a cache, a listener list, a map keyed by them); find it with a heap dump.");
    }
    return sb.toString();
  }

  /** Stops feeding and notifying; idempotent. The histogram executor belongs to the monitor. */
  void close() {
    closed = true;
    listeners.clear();
  }
}
