package io.memguard.bench.workload;

import com.sun.net.httpserver.HttpServer;
import io.memguard.bench.Json;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.monitor.AlertChannels;
import io.memguard.monitor.AlertEvent;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.LeakDetectorConfig;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.LeakStatus;
import io.memguard.monitor.LeakSuspect;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import io.memguard.monitor.MonitorStats;
import io.memguard.monitor.PerformanceMetrics;
import io.memguard.monitor.Severity;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The main class of the forked JVMs behind the {@code leak}, {@code steady} and {@code alerts}
 * scenarios (and the integration tests that run them): it starts a MemoryManager and a
 * MemoryMonitor, runs one workload against real memory, prints progress to stderr and one flat JSON
 * object as its last stdout line.
 *
 * <pre>
 * leak   [--leak-rate BYTES_PER_S] [--churn BYTES_PER_S] [--seconds N] [--period MS] [--histograms true|false]
 * steady [--live FRACTION] [--churn BYTES_PER_S] [--seconds N] [--period MS]
 * alerts [--period MS] [--seconds N]
 * </pre>
 */
public final class MonitorWorkloadMain {
  private MonitorWorkloadMain() {}

  /** Runs the workload named by {@code args[0]}; exits 0 when it ran, 2 on bad usage. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: MonitorWorkloadMain leak|steady|alerts [--key value ...]");
      System.exit(2);
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Json.JsonObject result =
        switch (args[0]) {
          case "leak" -> leak(options);
          case "steady" -> steady(options);
          case "alerts" -> alerts(options);
          default -> {
            System.err.println("unknown workload " + args[0]);
            System.exit(2);
            yield null;
          }
        };
    System.out.println(result);
    System.out.flush();
    System.exit(0);
  }

  private static long longOpt(Map<String, String> o, String key, long def) {
    String v = o.get(key);
    return v == null ? def : MemorySize.parse(v).toBytes();
  }

  private static double doubleOpt(Map<String, String> o, String key, double def) {
    String v = o.get(key);
    return v == null ? def : Double.parseDouble(v);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
    System.err.flush();
  }

  private static MonitorConfig.Builder monitorConfig(Map<String, String> o) {
    long periodMs = (long) doubleOpt(o, "period", 100);
    return MonitorConfig.builder().period(Duration.ofMillis(periodMs));
  }

  // ---- leak -----------------------------------------------------------------------------------

  static Json.JsonObject leak(Map<String, String> o) throws Exception {
    long rate = longOpt(o, "leak-rate", 1L << 20);
    long churn = longOpt(o, "churn", 64L << 20);
    double seconds = doubleOpt(o, "seconds", 60);
    boolean histograms = Boolean.parseBoolean(o.getOrDefault("histograms", "true"));
    boolean stopOnDetection = Boolean.parseBoolean(o.getOrDefault("stop-on-detection", "true"));
    MonitorConfig config =
        monitorConfig(o)
            .leakDetector(LeakDetectorConfig.builder().classHistograms(histograms).build())
            .build();
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    AtomicInteger leakAlerts = new AtomicInteger();
    CountDownLatch detected = new CountDownLatch(1);
    CountDownLatch alerted = new CountDownLatch(1);
    Instant start = Instant.now();
    progress(
        "leak: %s retained per second, %s of garbage per second, max heap %s, period %s",
        MemorySize.format(rate),
        MemorySize.format(churn),
        MemorySize.format(Runtime.getRuntime().maxMemory()),
        config.period());
    try (MemoryManager memory = MemoryManager.builder().name("leak").build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, config)) {
      captureWarmStats(monitor);
      monitor
          .leakDetector()
          .addListener(
              r -> {
                reports.add(r);
                detected.countDown();
                progress(
                    "leak: reported after %.1f s: %s/min, top suspect %s",
                    Duration.between(start, r.detectedAt()).toMillis() / 1000.0,
                    MemorySize.format((long) r.growthBytesPerMinute()),
                    r.topSuspect().map(LeakSuspect::name).orElse("none"));
              });
      monitor
          .alerts()
          .addListener(
              e -> {
                if (e.alert().rule().equals("leak") && e.type() == AlertEvent.Type.FIRED) {
                  leakAlerts.incrementAndGet();
                  alerted.countDown();
                }
              });
      Thread reporter = progressThread(monitor, start);
      long leaked =
          new LeakWorkload(rate, churn)
              .run(seconds, () -> stopOnDetection && detected.getCount() == 0);
      if (detected.getCount() == 0) {
        alerted.await(10, TimeUnit.SECONDS); // the leak alert follows the report at the next sample
      }
      reporter.interrupt();
      Json.JsonObject json = Json.object().put("scenario", "leak");
      LeakReport first = reports.isEmpty() ? null : reports.get(0);
      String top = first == null ? null : first.topSuspect().map(LeakSuspect::name).orElse(null);
      long misattributed =
          reports.stream()
              .filter(
                  r ->
                      !r.topSuspect()
                          .map(s -> s.name().equals(LeakedRecord.class.getName()))
                          .orElse(false))
              .count();
      json.put("detected", first != null)
          .put(
              "detectionSeconds",
              first == null
                  ? null
                  : Duration.between(start, first.detectedAt()).toMillis() / 1000.0)
          .put("topSuspect", top)
          .put("falsePositives", misattributed)
          .put("growthBytesPerMinute", first == null ? null : first.growthBytesPerMinute())
          .put("expectedBytesPerMinute", rate * 60)
          .put("confidence", first == null ? null : first.confidence())
          .put("window", first == null ? null : first.window().toString())
          .put("histogramsCompared", first == null ? null : first.histogramsCompared())
          .put("leakAlerts", leakAlerts.get())
          .put("leakedBytes", leaked);
      common(json, monitor, start);
      if (first != null) {
        progress("%s", first.describe());
      }
      return json;
    }
  }

  // ---- steady ---------------------------------------------------------------------------------

  static Json.JsonObject steady(Map<String, String> o) throws Exception {
    double liveFraction = doubleOpt(o, "live", 0.6);
    long churn = longOpt(o, "churn", 128L << 20);
    double seconds = doubleOpt(o, "seconds", 180);
    MonitorConfig config = monitorConfig(o).build();
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    AtomicInteger leakAlerts = new AtomicInteger();
    AtomicInteger otherAlerts = new AtomicInteger();
    Instant start = Instant.now();
    progress(
        "steady: live set %.0f%% of max heap %s, %s of garbage per second, %.0f s, period %s",
        liveFraction * 100,
        MemorySize.format(Runtime.getRuntime().maxMemory()),
        MemorySize.format(churn),
        seconds,
        config.period());
    try (MemoryManager memory = MemoryManager.builder().name("steady").build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, config)) {
      captureWarmStats(monitor);
      monitor
          .leakDetector()
          .addListener(
              r -> {
                reports.add(r);
                progress("steady: FALSE POSITIVE leak report\n%s", r.describe());
              });
      monitor
          .alerts()
          .addListener(
              e -> {
                if (e.type() == AlertEvent.Type.FIRED) {
                  (e.alert().rule().equals("leak") ? leakAlerts : otherAlerts).incrementAndGet();
                  progress("steady: alert %s", e);
                }
              });
      double[] minP = {1};
      AtomicInteger suspicions = new AtomicInteger();
      LeakStatus.State[] lastState = {LeakStatus.State.NONE};
      monitor.addListener(
          snapshot -> {
            LeakStatus status = monitor.leakDetector().status();
            minP[0] = Math.min(minP[0], status.pValue());
            if (status.state() != LeakStatus.State.NONE && lastState[0] == LeakStatus.State.NONE) {
              suspicions.incrementAndGet();
            }
            lastState[0] = status.state();
          });
      SteadyWorkload workload = new SteadyWorkload(liveFraction, churn, 0.02);
      long liveBytes = workload.build();
      Thread reporter = progressThread(monitor, start);
      long garbage = workload.run(seconds, () -> false);
      reporter.interrupt();
      MemorySnapshot last = monitor.latest().orElseThrow();
      Json.JsonObject json =
          Json.object()
              .put("scenario", "steady")
              .put("detected", !reports.isEmpty())
              .put(
                  "detectionSeconds",
                  reports.isEmpty()
                      ? null
                      : Duration.between(start, reports.get(0).detectedAt()).toMillis() / 1000.0)
              .put(
                  "topSuspect",
                  reports.isEmpty()
                      ? null
                      : reports.get(0).topSuspect().map(LeakSuspect::name).orElse(null))
              .put("falsePositives", reports.size())
              .put("leakAlerts", leakAlerts.get())
              .put("otherAlerts", otherAlerts.get())
              .put("liveSetFraction", last.liveSetUtilization())
              .put("workloadLiveBytes", liveBytes)
              .put("garbageBytes", garbage)
              .put("suspicions", suspicions.get())
              .put("minPValue", minP[0]);
      common(json, monitor, start);
      return json;
    }
  }

  // ---- alerts ---------------------------------------------------------------------------------

  static Json.JsonObject alerts(Map<String, String> o) throws Exception {
    double timeout = doubleOpt(o, "seconds", 60);
    MonitorConfig config =
        monitorConfig(o)
            .leakDetector(LeakDetectorConfig.builder().enabled(false).build())
            .defaultAlertRules(false)
            .build();
    Instant start = Instant.now();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger posts = new AtomicInteger();
    List<String> postedTypes = new CopyOnWriteArrayList<>();
    server.createContext(
        "/alerts",
        exchange -> {
          String body =
              new String(
                  exchange.getRequestBody().readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8);
          postedTypes.add(body.replaceFirst("^\\{\"type\":\"([A-Z]+)\".*$", "$1"));
          posts.incrementAndGet();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    AdjustableLiveSet live = new AdjustableLiveSet();
    AtomicBoolean stop = new AtomicBoolean();
    Thread churner =
        new Thread(
            () -> {
              Pacer pacer = new Pacer(10_000_000L);
              while (!stop.get()) {
                AdjustableLiveSet.churn(
                    512 * 1024); // 50 MiB/s: collections keep the live-set reading fresh
                pacer.awaitNextTick();
              }
            },
            "alerts-churn");
    churner.setDaemon(true);
    List<AlertEvent> events = new CopyOnWriteArrayList<>();
    Map<AlertEvent.Type, CountDownLatch> seen =
        Map.of(
            AlertEvent.Type.FIRED, new CountDownLatch(1),
            AlertEvent.Type.ESCALATED, new CountDownLatch(1),
            AlertEvent.Type.RESOLVED, new CountDownLatch(1));
    Json.JsonObject json = Json.object().put("scenario", "alerts");
    try (MemoryManager memory = MemoryManager.builder().name("alerts").build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, config)) {
      captureWarmStats(monitor);
      monitor
          .alerts()
          .addRule(
              AlertRule.builder("live-high")
                  .metric(Metric.LIVE_SET_UTILIZATION)
                  .above(0.50)
                  .clearAt(0.35)
                  .forAtLeast(Duration.ofSeconds(2))
                  .severity(Severity.WARNING)
                  .escalateAfter(Duration.ofSeconds(4))
                  .maxEscalations(1)
                  .build());
      monitor
          .alerts()
          .addChannel(
              AlertChannels.webhook(
                  URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/alerts")),
              Severity.WARNING);
      monitor
          .alerts()
          .addListener(
              e -> {
                events.add(e);
                progress("alerts: %.1f s %s", secondsSince(start), e);
                seen.get(e.type()).countDown();
              });
      churner.start();
      live.set(0.20);
      awaitFreshReadings(monitor, 5, u -> u < 0.35, timeout, new AtomicInteger());
      progress("alerts: live set at %.0f%%; raising it to 60%%", 100 * utilization(monitor));
      live.set(0.60);
      boolean fired = seen.get(AlertEvent.Type.FIRED).await((long) timeout, TimeUnit.SECONDS);
      boolean escalated =
          seen.get(AlertEvent.Type.ESCALATED).await((long) timeout, TimeUnit.SECONDS);
      // A post-GC reading is the live set plus whatever garbage that collection left in the old
      // generation, never less: 38% leaves 12 points of room below the rule's 50%.
      live.set(0.38);
      AtomicInteger freshInBandPhase = new AtomicInteger();
      int inBand =
          awaitFreshReadings(monitor, 15, u -> u >= 0.35 && u < 0.50, timeout, freshInBandPhase);
      boolean resolvedInBand = seen.get(AlertEvent.Type.RESOLVED).getCount() == 0;
      progress(
          "alerts: %d of %d fresh readings inside the hysteresis band (35%%..50%%), resolved meanwhile: %s",
          inBand, freshInBandPhase.get(), resolvedInBand);
      live.set(0.05);
      boolean resolved = seen.get(AlertEvent.Type.RESOLVED).await((long) timeout, TimeUnit.SECONDS);
      stop.set(true);
      monitor.alerts().channelStats(); // before close: delivery figures
      String sequence =
          events.stream()
              .map(e -> e.type() + " " + e.alert().severity())
              .collect(Collectors.joining(","));
      AlertEvent firedEvent =
          events.stream().filter(e -> e.type() == AlertEvent.Type.FIRED).findFirst().orElse(null);
      AlertEvent resolvedEvent =
          events.stream()
              .filter(e -> e.type() == AlertEvent.Type.RESOLVED)
              .findFirst()
              .orElse(null);
      json.put("fired", fired)
          .put("escalated", escalated)
          .put("resolved", resolved)
          .put("resolvedInBand", resolvedInBand)
          .put("freshReadingsInBand", inBand)
          .put("events", sequence)
          .put("firedValue", firedEvent == null ? null : firedEvent.alert().value())
          .put("resolvedValue", resolvedEvent == null ? null : resolvedEvent.alert().value())
          .put("peakValue", resolvedEvent == null ? null : resolvedEvent.alert().peakValue());
      monitor.close(); // flushes the webhook queue
      json.put("webhookPosts", posts.get()).put("webhookTypes", String.join(",", postedTypes));
      common(json, monitor, start);
      return json;
    } finally {
      stop.set(true);
      server.stop(0);
    }
  }

  private static double utilization(MemoryMonitor monitor) {
    return monitor.latest().map(MemorySnapshot::liveSetUtilization).orElse(Double.NaN);
  }

  /**
   * Waits (latch, bounded) for {@code count} new post-GC live-set readings that satisfy {@code
   * test}; {@code fresh} counts every new reading meanwhile.
   */
  private static int awaitFreshReadings(
      MemoryMonitor monitor,
      int count,
      Predicate<Double> test,
      double timeoutSeconds,
      AtomicInteger fresh)
      throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(count);
    AtomicInteger matched = new AtomicInteger();
    try (var handle =
        monitor.addListener(
            s -> {
              if (s.liveSetUpdated()) {
                fresh.incrementAndGet();
              }
              if (s.liveSetUpdated() && test.test(s.liveSetUtilization())) {
                matched.incrementAndGet();
                latch.countDown();
              }
            })) {
      latch.await((long) timeoutSeconds, TimeUnit.SECONDS);
    }
    return matched.get();
  }

  private static double secondsSince(Instant start) {
    return Duration.between(start, Instant.now()).toMillis() / 1000.0;
  }

  // ---- shared ---------------------------------------------------------------------------------

  private static Thread progressThread(MemoryMonitor monitor, Instant start) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(5000);
                } catch (InterruptedException e) {
                  return;
                }
                MemorySnapshot s = monitor.latest().orElse(null);
                LeakStatus status = monitor.leakDetector().status();
                if (s != null) {
                  progress(
                      "%6.1f s  live %s (%.0f%%)  heap %s  rss %s  leak %s p=%.2g  samples %d",
                      secondsSince(start),
                      MemorySize.format(Math.max(0, s.liveSetBytes())),
                      100 * s.liveSetUtilization(),
                      MemorySize.format(s.heap().usedBytes()),
                      MemorySize.format(Math.max(0, s.rssBytes())),
                      status.state(),
                      status.pValue(),
                      s.sequence());
                }
              }
            },
            "workload-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static final java.util.concurrent.atomic.AtomicReference<MonitorStats> WARM =
      new java.util.concurrent.atomic.AtomicReference<>();
  private static final Duration WARM_UP = Duration.ofSeconds(30);

  /** Remembers the monitor's stats once it has run 30 s, to measure its cost after start-up. */
  private static void captureWarmStats(MemoryMonitor monitor) {
    monitor.addListener(
        s -> {
          if (WARM.get() == null) {
            MonitorStats stats = monitor.stats();
            if (stats.uptime().compareTo(WARM_UP) >= 0) {
              WARM.compareAndSet(null, stats);
            }
          }
        });
  }

  /**
   * Sampler CPU in percent of one core after the warm-up (OSHI start-up, JIT), NaN for short runs.
   */
  private static double samplerCpuAfterWarmUp(MonitorStats end) {
    MonitorStats warm = WARM.get();
    if (warm == null || end.samplerCpuNanos() < 0) {
      return Double.NaN;
    }
    long up = end.uptime().toNanos() - warm.uptime().toNanos();
    return up <= 0 ? Double.NaN : 100.0 * (end.samplerCpuNanos() - warm.samplerCpuNanos()) / up;
  }

  /** Figures every workload reports: the monitor's own cost and the GC seen. */
  private static void common(Json.JsonObject json, MemoryMonitor monitor, Instant start) {
    MonitorStats stats = monitor.stats();
    PerformanceMetrics perf = monitor.history().performance(Duration.ofDays(1));
    json.put("seconds", secondsSince(start))
        .put("samplerCpuPercent", stats.samplerCpuPercent())
        .put("samplerCpuPercentAfterWarmUp", samplerCpuAfterWarmUp(stats))
        .put(
            "samplerCpuMicrosPerSample",
            stats.samples() == 0 ? Double.NaN : stats.samplerCpuNanos() / 1e3 / stats.samples())
        .put("monitorThreadsCpuPercent", monitorThreadsCpuPercent(stats.uptime()))
        .put("samples", stats.samples())
        .put("failedSamples", stats.failedSamples())
        .put("periodMillis", monitor.config().period().toMillis())
        .put("sampleMeanMicros", perf.sampleDurationMeanNanos() / 1e3)
        .put("sampleMaxMicros", stats.maxSampleDurationNanos() / 1e3)
        .put("histogramsTaken", stats.histogramsTaken())
        .put("droppedNotifications", stats.droppedNotifications())
        .put("gcOverheadPercent", perf.gcOverheadPercent())
        .put("gcCount", perf.gcCount())
        .put("pauseP99Millis", perf.pauseP99Millis())
        .put("allocationRateMeanBytesPerSecond", perf.allocationRateMeanBytesPerSecond())
        .put("maxHeapBytes", Runtime.getRuntime().maxMemory())
        .put(
            "gc",
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(",")))
        .put(
            "unavailableSources",
            String.join(
                ",",
                monitor.latest().map(s -> s.unavailable().keySet()).orElse(java.util.Set.of())));
  }

  /**
   * CPU of every memguard-monitor-* thread still alive, as a percentage of one core over the
   * uptime.
   */
  private static double monitorThreadsCpuPercent(Duration uptime) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    List<Long> ids = new ArrayList<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("memguard-monitor")) {
        ids.add(info.getThreadId());
      }
    }
    for (long id : ids) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu > 0) {
        sum += cpu;
      }
    }
    return uptime.isZero() ? Double.NaN : 100.0 * sum / uptime.toNanos();
  }
}
