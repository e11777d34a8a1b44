package io.memguard.monitor;

import io.memguard.core.MemoryManager;
import io.memguard.core.PressureSource;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Registration;
import io.memguard.core.Rollout;
import io.memguard.core.ScopeSnapshot;
import io.memguard.core.Ticker;
import io.memguard.core.WeakRegistry;
import io.memguard.core.internal.CgroupMemory;
import io.memguard.monitor.internal.DiagnosticCommandHistograms;
import io.memguard.monitor.internal.Dispatcher;
import io.memguard.monitor.internal.HistogramSource;
import io.memguard.monitor.internal.JvmSampler;
import io.memguard.monitor.internal.OnceLogger;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the memory of this JVM for a {@link MemoryManager}: a daemon thread ({@code
 * memguard-monitor-sampler}) takes an immutable {@link MemorySnapshot} every {@link
 * MonitorConfig#period() period}, keeps it in a bounded {@link MetricHistory}, feeds the {@link
 * LeakDetector}, the {@link EmergencyGuard} and the {@link Alerts}, tells its listeners, and feeds
 * two pressure sources into the manager: {@code heap-live} (live heap after GC as a share of max
 * heap) and {@code process-rss} (RSS as a share of the container limit, else of host memory).
 *
 * <pre>{@code
 * try (MemoryMonitor monitor = MemoryMonitor.start(memory)) {
 *   monitor.alerts().addListener(event -> log.warn("{}", event));
 *   monitor.leakDetector().addListener(report -> log.warn(report.describe()));
 *   ...
 * }
 * }</pre>
 *
 * <p>The sampler never throws into the application: a failing source is reported unavailable in the
 * snapshot (and logged once) while the others are still read; a sample that fails as a whole is
 * counted and the next one is taken on time. Per sample it allocates a bounded amount (one snapshot
 * and its lists). Listeners and alert channels run on their own daemon threads with bounded queues,
 * so none of them can stall sampling.
 *
 * <p>Default alert rules (unless {@link MonitorConfig#defaultAlertRules()} is off): {@code leak}
 * (WARNING, escalating every 15 min), {@code live-heap-high} (live heap at or above 85% of max heap
 * for 10 s, clears below 80%, WARNING, escalating every 5 min), {@code live-heap-emergency} (at or
 * above 95%, clears below 90%, EMERGENCY), {@code rss-high} (RSS at or above 90% of the container
 * or host memory for 30 s, clears below 85%, CRITICAL), with the guard {@code memory-emergency}
 * (while it is in an emergency, EMERGENCY), and {@code protection-rolled-back} (a protection the
 * manager's {@link io.memguard.core.Rollout} put back in OBSERVE by itself, CRITICAL). They are
 * logged through SLF4J.
 *
 * <p>Thread-safe. {@link #close()} stops the threads, unregisters the pressure sources and is
 * idempotent.
 *
 * @since 0.1.0
 */
public final class MemoryMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);
  private static final String LEAK_DECISION_KEY = "leak-detector";
  static final String SAMPLER_THREAD = "memguard-monitor-sampler";

  private final MemoryManager manager;
  private final MonitorConfig config;
  private final Sampler sampler;
  private final boolean ownsSampler;
  private final Ticker ticker;
  private final Instant originTime;
  private final long originNanos;
  private final MetricHistory history;
  private final LeakDetector detector;
  private final Alerts alerts;
  private final Dispatcher events;
  private final EmergencyGuard guard;
  private final ThreadPoolExecutor histogramThread;
  private final List<SnapshotListener> subscribers = new CopyOnWriteArrayList<>();
  private final List<Registration> registrations = new ArrayList<>();
  private final OnceLogger once = new OnceLogger(LOG);
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final boolean cpuTime;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean gcSamplePending = new AtomicBoolean();
  private final List<Runnable> gcListeners = new CopyOnWriteArrayList<>();
  private final Object tickLock = new Object();
  private volatile MemorySnapshot latest;
  private volatile ScheduledExecutorService scheduler;
  private volatile Thread samplerThread;

  // Guarded by tickLock.
  private long sequence;
  private long failedSamples;
  private long degradedSamples;
  private long samplerCpuNanos;
  private long maxSampleNanos;
  private long histogramsTaken;

  private MemoryMonitor(MemoryManager manager, MonitorConfig config) {
    this.manager = Objects.requireNonNull(manager, "manager");
    this.config = Objects.requireNonNull(config, "config");
    this.ticker = config.ticker();
    this.originNanos = ticker.read();
    this.originTime = config.clock().instant();
    this.cpuTime = cpuTimeSupported(threads);
    Function<String, Dispatcher> dispatchers =
        config.dispatchers != null
            ? config.dispatchers
            : name -> Dispatcher.threaded(name, config.notificationQueueSize());
    boolean synchronous = config.dispatchers != null;
    if (config.sampler() != null) {
      sampler = config.sampler();
      ownsSampler = false;
    } else {
      sampler =
          new JvmSampler(
              CgroupMemory.detect(config.cgroupRoot(), Path.of("/proc/self/cgroup")),
              ticker::read,
              config.samplesRssAndHostMemory(),
              config.osRefresh().toNanos());
      ownsSampler = true;
    }
    history =
        new MetricHistory(config.historySize(), config.aggregateMinutes(), config.aggregated());
    events = dispatchers.apply("memguard-monitor-events");
    HistogramSource histograms =
        config.histogramSourceSet
            ? config.histogramSource
            : config.leakDetector().classHistograms() ? new DiagnosticCommandHistograms() : null;
    Executor histogramExecutor;
    if (synchronous) {
      histogramThread = null;
      histogramExecutor = Runnable::run;
    } else {
      histogramThread =
          new ThreadPoolExecutor(
              0,
              1,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(1),
              r -> {
                Thread t = new Thread(r, "memguard-monitor-histogram");
                t.setDaemon(true);
                return t;
              });
      histogramExecutor = histogramThread;
    }
    HistogramSource counted =
        histograms == null
            ? null
            : nanoTime -> {
              var h = histograms.take(nanoTime);
              synchronized (tickLock) {
                histogramsTaken++;
              }
              return h;
            };
    detector =
        new LeakDetector(
            config.leakDetector(),
            ticker::read,
            counted,
            histogramExecutor,
            this::scopeReservations,
            this::registryCounts,
            events);
    detector.gateHistograms(
        () -> {
          Rollout rollout = manager.rollout();
          ProtectionMode mode = rollout.mode(Protection.LEAK_ACTIONS);
          if (mode != ProtectionMode.OFF) {
            rollout.record(
                Protection.LEAK_ACTIONS,
                mode,
                LEAK_DECISION_KEY,
                "take a class histogram (a full collection) to name the leak's classes");
          }
          return mode == ProtectionMode.ENFORCE;
        });
    alerts = new Alerts(config.alertHistorySize(), dispatchers);
    if (config.logAlerts()) {
      alerts.addChannel(AlertChannels.logging(), Severity.INFO);
    }
    if (config.defaultAlertRules()) {
      installDefaultRules(alerts);
    }
    guard =
        config.emergencyGuard().isPresent()
            ? EmergencyGuard.builder(manager)
                .config(config.emergencyGuard().get())
                .ticker(ticker)
                .build()
            : null;
    if (guard != null && config.defaultAlertRules()) {
      EmergencyGuard g = guard;
      // The guard's emergency as an alert: fired when it begins, resolved at recovery.
      alerts.addRule(
          AlertRule.builder("memory-emergency")
              .metric(Metric.of("guard.emergency", Metric.COUNT, s -> g.inEmergency() ? 1 : 0))
              .above(0.5)
              .clearAt(0.5)
              .severity(Severity.EMERGENCY)
              .description(
                  "the emergency guard is acting: admission paused, tasks asked to stop, cleanup"
                      + " stages run; its events say which limit and how long")
              .build());
    }
    if (config.defaultAlertRules()) {
      // An automatic rollback (a protection that failed or flapped) as an alert, until someone
      // switches the protection again.
      alerts.addRule(
          AlertRule.builder("protection-rolled-back")
              .metric(
                  Metric.of(
                      "rollout.rolledBack", Metric.COUNT, s -> manager.rollout().rolledBack()))
              .above(0.5)
              .clearAt(0.5)
              .severity(Severity.CRITICAL)
              .description(
                  "a protection fell back to OBSERVE by itself (it failed or flapped): it decides and"
                      + " records but no longer acts; see the rollout's switches, then switch it back")
              .build());
    }
    if (config.feedPressure()) {
      registrations.add(manager.addPressureSource(new Source("heap-live", true)));
      registrations.add(manager.addPressureSource(new Source("process-rss", false)));
    }
  }

  /** A monitor with the default configuration, sampling from now on. */
  public static MemoryMonitor start(MemoryManager manager) {
    return start(manager, MonitorConfig.ofDefaults());
  }

  /**
   * A monitor sampling every {@link MonitorConfig#period()} on a daemon thread from now on. The
   * first sample is taken at once (on that thread; it includes OSHI's start-up, a few hundred ms).
   *
   * @throws NullPointerException if an argument is null
   */
  public static MemoryMonitor start(MemoryManager manager, MonitorConfig config) {
    MemoryMonitor m = new MemoryMonitor(manager, config);
    m.startThread();
    return m;
  }

  /**
   * A monitor that samples only when {@link #sampleNow()} is called, on the caller's thread: for
   * tests with a fake sampler and ticker, or for callers that drive sampling from their own
   * scheduler.
   */
  public static MemoryMonitor manual(MemoryManager manager, MonitorConfig config) {
    return new MemoryMonitor(manager, config);
  }

  private void startThread() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, SAMPLER_THREAD);
              t.setDaemon(true);
              samplerThread = t;
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler = s;
    long periodNanos = config.period().toNanos();
    s.scheduleAtFixedRate(this::scheduledTick, 0, periodNanos, TimeUnit.NANOSECONDS);
    if (guard != null) {
      sampleAfterCollectionsUnderPressure();
    }
  }

  /**
   * The live set changes only when a collection runs, and under pressure a heap can fill between
   * two periodic samples. So while the last live set is at the guard's ELEVATED threshold or above,
   * every GC notification asks for one extra sample at once (never more than one pending), and the
   * guard judges what the collection left without waiting for the next period. Below that threshold
   * nothing extra is sampled, so the sampler's cost is unchanged.
   */
  private void sampleAfterCollectionsUnderPressure() {
    javax.management.NotificationListener onGc =
        (notification, handback) -> {
          if (!"com.sun.management.gc.notification".equals(notification.getType())
              || closed.get()) {
            return;
          }
          MemorySnapshot last = latest;
          if (last == null
              || !(last.liveSetUtilization()
                  >= config.emergencyGuard().orElse(GuardConfig.ofDefaults()).elevated())) {
            return;
          }
          if (gcSamplePending.compareAndSet(false, true)) {
            try {
              scheduler.execute(
                  () -> {
                    gcSamplePending.set(false);
                    scheduledTick();
                  });
            } catch (java.util.concurrent.RejectedExecutionException e) {
              gcSamplePending.set(false); // closing
            }
          }
        };
    for (java.lang.management.GarbageCollectorMXBean gc :
        ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof javax.management.NotificationEmitter emitter) {
        emitter.addNotificationListener(onGc, null, null);
        gcListeners.add(
            () -> {
              try {
                emitter.removeNotificationListener(onGc);
              } catch (javax.management.ListenerNotFoundException | RuntimeException ignored) {
                // already gone
              }
            });
      }
    }
  }

  private void scheduledTick() {
    if (closed.get()) {
      return;
    }
    try {
      tick();
    } catch (Throwable t) { // NOPMD: a scheduled task that throws is never run again
      synchronized (tickLock) {
        failedSamples++;
      }
      once.warn("tick", "memguard monitor: a sample failed; sampling continues", t);
    }
  }

  /**
   * Takes a sample now on the calling thread (also while the sampler thread runs; the two never
   * overlap) and returns it.
   *
   * @throws IllegalStateException if the monitor is closed
   */
  public MemorySnapshot sampleNow() {
    if (closed.get()) {
      throw new IllegalStateException("the monitor is closed; start a new one to sample again");
    }
    return tick();
  }

  private MemorySnapshot tick() {
    synchronized (tickLock) {
      long cpu0 = cpuTime ? threads.getCurrentThreadCpuTime() : -1;
      long t0 = ticker.read();
      MemorySnapshot.Builder b =
          MemorySnapshot.builder()
              .sequence(++sequence)
              .nanoTime(t0)
              .time(originTime.plusNanos(t0 - originNanos));
      boolean failed = false;
      try {
        sampler.sample(b);
      } catch (Exception | LinkageError e) {
        failed = true;
        b.unavailable("sampler", e.toString());
        once.warn(
            "sampler",
            "memguard monitor: the sampler "
                + sampler.getClass().getName()
                + " failed; this snapshot holds only memguard's own figures",
            e);
      }
      try {
        b.memguard(manager.budgetBytes(), manager.reservedBytes(), manager.openScopeCount());
      } catch (RuntimeException e) {
        b.unavailable("memguard", e.toString());
      }
      derive(b, latest, t0);
      long duration = ticker.read() - t0;
      b.sampleDurationNanos(duration);
      MemorySnapshot s = b.build();
      latest = s;
      history.add(s);
      detector.onSnapshot(s);
      settleLeakDecisions(detector.status().state());
      if (guard != null) {
        guard.evaluate(guardSample(s)); // never throws
      }
      if (config.feedPressure()) {
        try {
          manager.refreshPressure();
        } catch (RuntimeException e) {
          once.warn("pressure", "memguard monitor: MemoryManager.refreshPressure failed", e);
        }
      }
      alerts.evaluate(s, detector.status(), detector.latestReport().orElse(null));
      for (SnapshotListener l : subscribers) {
        events.submit("snapshot listener " + l.getClass().getName(), () -> l.onSnapshot(s));
      }
      if (failed) {
        failedSamples++;
      }
      if (!s.unavailable().isEmpty()) {
        degradedSamples++;
      }
      maxSampleNanos = Math.max(maxSampleNanos, duration);
      if (cpu0 >= 0) {
        long cpu1 = threads.getCurrentThreadCpuTime();
        if (cpu1 >= cpu0) {
          samplerCpuNanos += cpu1 - cpu0;
        }
      }
      return s;
    }
  }

  private static void derive(MemorySnapshot.Builder b, MemorySnapshot prev, long now) {
    if (prev == null) {
      return;
    }
    long dt = now - prev.nanoTime();
    if (dt <= 0) {
      return;
    }
    long alloc = b.allocatedBytesValue();
    if (Double.isNaN(b.allocationRateValue())
        && alloc >= 0
        && prev.allocatedBytes() >= 0
        && alloc >= prev.allocatedBytes()) {
      b.allocationRate((alloc - prev.allocatedBytes()) * 1e9 / dt);
    }
    long pause = b.gcPauseTimeMillisValue();
    long prevPause = prev.gcPauseTimeMillis();
    if (Double.isNaN(b.gcOverheadValue()) && pause >= 0 && prevPause >= 0 && pause >= prevPause) {
      b.gcOverhead(Math.min(1.0, (pause - prevPause) * 1e6 / dt));
    }
    long cpu = b.processCpuNanosValue();
    if (Double.isNaN(b.processCpuLoadValue())
        && cpu >= 0
        && prev.processCpuNanos() >= 0
        && cpu >= prev.processCpuNanos()) {
      b.processCpuLoad(
          (cpu - prev.processCpuNanos())
              / ((double) dt * Runtime.getRuntime().availableProcessors()));
    }
  }

  /** What the emergency guard judges: live heap, heap in use, allocation, RSS, available memory. */
  static GuardSample guardSample(MemorySnapshot s) {
    long total;
    long available;
    if (s.containerLimitBytes() > 0) {
      total = s.containerLimitBytes();
      available = s.containerUsageBytes() < 0 ? -1 : Math.max(0, total - s.containerUsageBytes());
    } else {
      total = s.systemTotalBytes();
      available = s.systemAvailableBytes();
    }
    return new GuardSample(
        s.nanoTime(),
        s.liveSetUtilization(),
        s.heap().utilization(),
        s.allocationRateBytesPerSecond(),
        s.rssUtilization(),
        available,
        total);
  }

  private static boolean cpuTimeSupported(ThreadMXBean t) {
    try {
      return t.isCurrentThreadCpuTimeSupported() && t.isThreadCpuTimeEnabled();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static void installDefaultRules(Alerts alerts) {
    alerts.addRule(
        AlertRule.builder("leak")
            .leakDetected()
            .severity(Severity.WARNING)
            .escalateAfter(Duration.ofMinutes(15))
            .description("see the leak report for suspects")
            .build());
    alerts.addRule(
        AlertRule.builder("live-heap-high")
            .metric(Metric.LIVE_SET_UTILIZATION)
            .above(0.85)
            .clearAt(0.80)
            .forAtLeast(Duration.ofSeconds(10))
            .severity(Severity.WARNING)
            .escalateAfter(Duration.ofMinutes(5))
            .maxSeverity(Severity.CRITICAL)
            .description("the heap is filling with live objects")
            .build());
    alerts.addRule(
        AlertRule.builder("live-heap-emergency")
            .metric(Metric.LIVE_SET_UTILIZATION)
            .above(0.95)
            .clearAt(0.90)
            .severity(Severity.EMERGENCY)
            .description("memguard's emergency measures apply at this level")
            .build());
    alerts.addRule(
        AlertRule.builder("rss-high")
            .metric(Metric.RSS_UTILIZATION)
            .above(0.90)
            .clearAt(0.85)
            .forAtLeast(Duration.ofSeconds(30))
            .severity(Severity.CRITICAL)
            .description("the process is close to its container or host memory limit")
            .build());
  }

  private Map<String, Long> scopeReservations() {
    Map<String, Long> out = new HashMap<>();
    List<ScopeSnapshot> stack = new ArrayList<>();
    stack.add(manager.snapshot());
    while (!stack.isEmpty()) {
      ScopeSnapshot s = stack.remove(stack.size() - 1);
      out.put(s.path(), s.reservedBytes());
      stack.addAll(s.children());
    }
    return out;
  }

  private Map<String, Long> registryCounts() {
    Map<String, Long> out = new HashMap<>();
    for (WeakRegistry<?> r : manager.weakRegistries()) {
      out.merge(r.name(), (long) r.liveCount(), Long::sum);
    }
    return out;
  }

  /** The monitor's pressure sources: they read the latest snapshot, a volatile read. */
  private final class Source implements PressureSource {
    private final String name;
    private final boolean heap;

    Source(String name, boolean heap) {
      this.name = name;
      this.heap = heap;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public double utilization() {
      MemorySnapshot s = latest;
      if (s == null || closed.get()) {
        return Double.NaN;
      }
      return heap ? s.liveSetUtilization() : s.rssUtilization();
    }
  }

  /** The latest snapshot, empty before the first sample. */
  public Optional<MemorySnapshot> latest() {
    return Optional.ofNullable(latest);
  }

  /** The history: full-resolution ring, minute aggregates, trends, performance. */
  public MetricHistory history() {
    return history;
  }

  /** The emergency guard the monitor feeds, unless switched off in the configuration. */
  public Optional<EmergencyGuard> emergencyGuard() {
    return Optional.ofNullable(guard);
  }

  /** A leak decision's outcome: the suspected growth was reported as a leak, or it ended. */
  private void settleLeakDecisions(LeakStatus.State state) {
    if (state == LeakStatus.State.SUSPECTED) {
      return;
    }
    try {
      manager
          .rollout()
          .settle(
              Protection.LEAK_ACTIONS,
              LEAK_DECISION_KEY,
              state == LeakStatus.State.LEAK
                  ? Rollout.Outcome.LEAK_REPORTED
                  : Rollout.Outcome.LEAK_CLEARED);
    } catch (RuntimeException e) {
      once.warn("rollout", "memguard monitor: settling the leak detector's decisions failed", e);
    }
  }

  /** The leak detector. */
  public LeakDetector leakDetector() {
    return detector;
  }

  /** The alert engine: rules, listeners, channels, history. */
  public Alerts alerts() {
    return alerts;
  }

  /** The configuration. */
  public MonitorConfig config() {
    return config;
  }

  /** The manager this monitor feeds. */
  public MemoryManager manager() {
    return manager;
  }

  /** True until {@link #close()}; a manual monitor is "running" too (it samples on request). */
  public boolean isRunning() {
    return !closed.get();
  }

  /**
   * Adds a listener told of every snapshot from now on (e.g. for a dashboard); close the
   * registration to remove it.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public Registration addListener(SnapshotListener listener) {
    Objects.requireNonNull(listener, "listener");
    subscribers.add(listener);
    return Registration.once(() -> subscribers.remove(listener));
  }

  /** What the monitor costs and how well it runs. */
  public MonitorStats stats() {
    synchronized (tickLock) {
      MemorySnapshot s = latest;
      long dropped = events.dropped() + alerts.droppedEvents();
      return new MonitorStats(
          sequence,
          failedSamples,
          degradedSamples,
          Duration.ofNanos(Math.max(0, ticker.read() - originNanos)),
          cpuTime ? samplerCpuNanos : -1,
          s == null ? -1 : s.sampleDurationNanos(),
          maxSampleNanos,
          histogramsTaken,
          dropped);
    }
  }

  /**
   * A report of the last {@code window}: peaks, performance, alerts and leaks. Asked before the
   * first sample (right after {@link #start}), it takes one on the calling thread first.
   *
   * @throws IllegalArgumentException if the window is not positive
   * @throws IllegalStateException if the monitor is closed before it has a sample
   */
  public MonitorReport report(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("report window must be positive, got " + window);
    }
    MemorySnapshot last = latest;
    if (last == null) {
      last = sampleNow();
    }
    List<MemorySnapshot> snaps = history.snapshots(window);
    Instant to = last.time();
    Instant from = to.minus(window);
    Instant firstKept = snaps.isEmpty() ? to : snaps.get(0).time();
    Instant oldestAggregate =
        history.aggregates(Metric.HEAP_USED, window).stream()
            .map(MetricHistory.Aggregate::start)
            .findFirst()
            .orElse(firstKept);
    Instant covered = oldestAggregate.isBefore(firstKept) ? oldestAggregate : firstKept;
    if (covered.isAfter(from)) {
      from = covered;
    }
    List<MonitorReport.Peak> peaks = new ArrayList<>();
    for (Metric m :
        List.of(
            Metric.HEAP_USED,
            Metric.LIVE_SET,
            Metric.LIVE_SET_UTILIZATION,
            Metric.OLD_GEN_USED,
            Metric.NON_HEAP_USED,
            Metric.DIRECT_BUFFERS,
            Metric.RSS,
            Metric.RSS_UTILIZATION,
            Metric.ALLOCATION_RATE,
            Metric.GC_OVERHEAD,
            Metric.RESERVED,
            Metric.OPEN_SCOPES,
            Metric.SAMPLE_DURATION)) {
      double best = Double.NaN;
      Instant at = null;
      for (MemorySnapshot s : snaps) {
        double v = m.valueOf(s);
        if (!Double.isNaN(v) && (Double.isNaN(best) || v > best)) {
          best = v;
          at = s.time();
        }
      }
      for (MetricHistory.Aggregate a : history.aggregates(m, window)) {
        if (a.start().isBefore(firstKept) && (Double.isNaN(best) || a.max() > best)) {
          best = a.max();
          at = a.start();
        }
      }
      if (at != null) {
        peaks.add(new MonitorReport.Peak(m.name(), m.unit(), best, at));
      }
    }
    Instant leakFrom = from;
    List<LeakReport> leaks =
        detector.reports().stream().filter(r -> !r.detectedAt().isBefore(leakFrom)).toList();
    return new MonitorReport(
        from,
        to,
        snaps.size(),
        peaks,
        history.performance(window),
        alerts.history(window),
        alerts.active(),
        leaks);
  }

  /**
   * Stops sampling, unregisters the pressure sources, stops the notification threads (queued
   * notifications get up to a second) and releases the sampler. Idempotent; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    gcListeners.forEach(Runnable::run);
    ScheduledExecutorService s = scheduler;
    if (s != null) {
      s.shutdown();
      if (Thread.currentThread() != samplerThread) {
        try {
          if (!s.awaitTermination(2, TimeUnit.SECONDS)) {
            s.shutdownNow();
          }
        } catch (InterruptedException e) {
          s.shutdownNow();
          Thread.currentThread().interrupt();
        }
      }
    }
    for (Registration r : registrations) {
      try {
        r.close();
      } catch (RuntimeException e) {
        once.warn("unregister", "memguard monitor: unregistering a pressure source failed", e);
      }
    }
    if (guard != null) {
      guard.close();
    }
    detector.close();
    alerts.close();
    events.close();
    if (histogramThread != null) {
      histogramThread.shutdownNow();
    }
    if (ownsSampler) {
      try {
        sampler.close();
      } catch (RuntimeException e) {
        once.warn("sampler-close", "memguard monitor: closing the sampler failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "MemoryMonitor{"
        + (closed.get() ? "closed" : "running")
        + ", period="
        + config.period()
        + ", samples="
        + stats().samples()
        + "}";
  }
}
