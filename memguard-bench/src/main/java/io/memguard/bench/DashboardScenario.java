package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import io.memguard.dashboard.DashboardConfig;
import io.memguard.dashboard.MemoryDashboard;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import io.memguard.monitor.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The live dashboard next to a demo workload: AutoFeat fits one after another, two threads of
 * allocator tasks (some fail, some are stopped and retried), a slow leak that the leak detector
 * reports, and, in heaps up to 2 GiB, one burst of unreserved allocation (50 MiB/s) that takes the
 * live heap past the guard's 95% line, so the guard stops it (an emergency) and the heap recovers.
 * Prints the page's address to stderr and a JSON summary last.
 */
final class DashboardScenario implements Scenario {
  private static final long MAX_HEAP_FOR_BURST = 2L << 30;

  @Override
  public String name() {
    return "dashboard";
  }

  @Override
  public String usage() {
    return "dashboard [--seconds S (60)] [--port P (0: any free port)] [--period-ms M (1000)]"
        + " [--token T (none; required with --bind other than 127.0.0.1)] [--bind ADDRESS]"
        + " [--workload demo|idle (demo; idle: the monitor and the dashboard alone, in this JVM,"
        + " to measure their cost)] [--fork-heap-mb M (256: the demo runs in a forked JVM with"
        + " this heap, so that its burst reaches the guard's line; 0: in this JVM)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long seconds = ctx.longValue("seconds", 60);
    int port = ctx.intValue("port", 0);
    Duration period = ctx.millis("period-ms", 1000);
    String token = ctx.string("token", null);
    String bind = ctx.string("bind", "127.0.0.1");
    String workload = ctx.string("workload", "demo");
    int forkHeapMb = ctx.intValue("fork-heap-mb", 256);
    ctx.rejectUnused();
    if (!workload.equals("demo") && !workload.equals("idle")) {
      throw new IllegalArgumentException("--workload must be demo or idle, got '" + workload + "'");
    }
    boolean demo = workload.equals("demo");
    if (demo && forkHeapMb > 0) {
      // the burst must reach the guard's line whatever this JVM's heap: the demo runs in a JVM of
      // a known size, this one relays its progress and result
      Map<String, String> options = new LinkedHashMap<>();
      options.put("seconds", Long.toString(seconds));
      options.put("port", Integer.toString(port));
      options.put("period-ms", Long.toString(period.toMillis()));
      if (token != null) {
        options.put("token", token);
      }
      options.put("bind", bind);
      options.put("fork-heap-mb", "0");
      return ForkedWorkload.run(
          ctx,
          BenchMain.class.getName(),
          "dashboard",
          (long) forkHeapMb << 20,
          List.of(),
          options,
          seconds + 120);
    }
    if (seconds < 5) {
      throw new IllegalArgumentException("--seconds must be >= 5, got " + seconds);
    }
    long maxHeap = Runtime.getRuntime().maxMemory();
    Dataset.Split data = DemoScenario.bundled();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong fits = new AtomicLong();
    AtomicLong fitsFailed = new AtomicLong();
    AtomicLong leakedPeak = new AtomicLong();
    AtomicLong burstBytes = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> lastFitFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<String> burstOutcome =
        new java.util.concurrent.atomic.AtomicReference<>(
            maxHeap <= MAX_HEAP_FOR_BURST ? "not run" : "skipped: max heap above 2 GiB");
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    try (MemoryManager manager =
            MemoryManager.builder()
                .name("dashboard-demo")
                .limit(MemorySize.percentOfMaxHeap(80))
                .build();
        MemoryMonitor monitor =
            MemoryMonitor.start(manager, MonitorConfig.builder().period(period).build());
        MemoryDashboard dashboard =
            MemoryDashboard.start(
                monitor,
                DashboardConfig.builder().bindAddress(bind).port(port).token(token).build())) {
      monitor
          .alerts()
          .addRule(
              AlertRule.builder("live-heap-over-half")
                  .metric(Metric.LIVE_SET_UTILIZATION)
                  .above(0.5)
                  .clearAt(0.4)
                  .severity(Severity.WARNING)
                  .description("the live heap passed half of max heap")
                  .build());
      ctx.progress(
          "dashboard: %s%s (for %d s; Ctrl-C ends it early)",
          dashboard.url(), token == null ? "" : "?token=<your token>", seconds);

      if (demo) {
        threads.add(
            start(
                "fits",
                () -> {
                  int k = 0;
                  while (running.get()) {
                    k++;
                    try (MemoryScope scope = manager.openScope("autofeat-" + k);
                        AutoFeatModel model =
                            AutoFeatProcessor.builder()
                                .featureEngineeringSteps(2)
                                .featureSelectionRuns(3)
                                .listener(dashboard.fitListener("synthetic fit #" + k))
                                .build()
                                .fit(scope, data.train())) {
                      model.score(data.test());
                      fits.incrementAndGet();
                    } catch (RuntimeException e) {
                      fitsFailed.incrementAndGet();
                      lastFitFailure.set(e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    pause(500);
                  }
                }));
        for (int t = 0; t < 2; t++) {
          int worker = t;
          threads.add(
              start(
                  "tasks-" + t,
                  () -> {
                    int k = 0;
                    while (running.get()) {
                      k++;
                      int n = k;
                      manager
                          .allocator()
                          .run(
                              TaskRequest.named("batch-" + worker + "-" + (n % 5))
                                  .priority(1 + n % 3)
                                  .minBytes(1L << 20)
                                  .desiredBytes(4L << 20)
                                  .retryWhenStopped(1, 5),
                              grant -> {
                                long bytes = (1L + n % 4) << 20;
                                try (Reservation r = grant.scope().reserve(bytes)) {
                                  byte[] block = new byte[(int) bytes];
                                  for (int i = 0; i < block.length; i += 4096) {
                                    block[i] = (byte) i;
                                  }
                                  grant.cancellation().throwIfCancelled("after the block");
                                  if (n % 7 == 0) {
                                    throw new IllegalStateException("row " + n + " is malformed");
                                  }
                                  return block.length;
                                }
                              });
                      pause(100);
                    }
                  }));
        }
        threads.add(
            start(
                "leak",
                () -> {
                  List<byte[]> kept = new ArrayList<>();
                  List<Reservation> held = new ArrayList<>();
                  try (MemoryScope cache = manager.openScope("leaky-cache")) {
                    while (running.get()) {
                      int chunk = 256 << 10;
                      boolean refused = false;
                      try {
                        held.add(cache.reserve(chunk));
                        kept.add(new byte[chunk]);
                      } catch (MemoryBudgetExceededException e) {
                        refused = true; // the live heap is near its line (the burst): let go
                      }
                      long total = (long) kept.size() * chunk;
                      leakedPeak.accumulateAndGet(total, Math::max);
                      if (refused || total > maxHeap / 8) {
                        held.forEach(Reservation::close);
                        held.clear();
                        kept.clear();
                      }
                      pause(250);
                    }
                    held.forEach(Reservation::close);
                  }
                }));
        if (maxHeap <= MAX_HEAP_FOR_BURST) {
          threads.add(
              start(
                  "burst",
                  () -> {
                    pause(seconds * 600);
                    if (!running.get()) {
                      return;
                    }
                    TaskOutcome<Integer> outcome =
                        manager
                            .allocator()
                            .run(
                                TaskRequest.named("unreserved-burst")
                                    .priority(0)
                                    .minBytes(1L << 20),
                                grant -> {
                                  List<byte[]> chunks = new ArrayList<>();
                                  while (running.get()) {
                                    grant
                                        .cancellation()
                                        .throwIfCancelled("burst chunk " + chunks.size());
                                    // 256 KiB: below G1's humongous size on small heaps
                                    chunks.add(new byte[256 << 10]);
                                    burstBytes.addAndGet(256 << 10);
                                    pause(5);
                                  }
                                  return chunks.size();
                                });
                    burstOutcome.set(
                        outcome.status()
                            + (outcome.stopReason() != null ? ": " + outcome.stopReason() : "")
                            + (outcome.error() != null && outcome.stopReason() == null
                                ? ": " + outcome.error()
                                : ""));
                  }));
        } else {
          ctx.progress(
              "dashboard: max heap %s: no burst to the 95%% line (run with -Xmx256m to see the guard"
                  + " act)",
              MemorySize.format(maxHeap));
        }
      }

      long deadline = start + Duration.ofSeconds(seconds).toNanos();
      while (System.nanoTime() < deadline) {
        LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), 1_000_000_000L));
        if (Thread.interrupted()) {
          break;
        }
      }
      running.set(false);
      for (Thread t : threads) {
        t.join(60_000);
      }
      var guard = monitor.emergencyGuard().orElseThrow().stats();
      var allocator = manager.allocator();
      return Json.object()
          .put("scenario", "dashboard")
          .put("url", dashboard.url().toString())
          .put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0)
          .put("periodMillis", period.toMillis())
          .put("maxHeapBytes", maxHeap)
          .put("samples", monitor.stats().samples())
          .put("requests", dashboard.requests())
          .put("eventsPushed", dashboard.eventsPushed())
          .put("fitsCompleted", fits.get())
          .put("fitsFailed", fitsFailed.get())
          .put("lastFitFailure", lastFitFailure.get())
          .put("tasksCompleted", allocator.endedCount(TaskOutcome.Status.COMPLETED))
          .put("tasksFailed", allocator.endedCount(TaskOutcome.Status.FAILED))
          .put("tasksStopped", allocator.endedCount(TaskOutcome.Status.STOPPED))
          .put("tasksRetried", allocator.retriedCount())
          .put(
              "alertsFired",
              monitor.alerts().history().stream()
                  .filter(e -> e.type().name().equals("FIRED"))
                  .count())
          .put("leakReports", monitor.leakDetector().reports().size())
          .put("leakedPeakBytes", leakedPeak.get())
          .put("burstBytes", burstBytes.get())
          .put("burstOutcome", burstOutcome.get())
          .put("guardEmergencies", guard.emergencies())
          .put("guardTasksStopRequested", guard.tasksStopRequested())
          .put("maxLiveHeapFraction", guard.maxLiveHeapFraction())
          .put("workload", workload)
          .put("processCpuSeconds", processCpuSeconds())
          .put("peakRssBytes", MemoryFigures.peakRssBytes());
    } finally {
      running.set(false);
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, "dashboard-demo-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static double processCpuSeconds() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return -1;
  }

  /** The workload's pace. */
  private static void pause(long millis) {
    LockSupport.parkNanos(millis * 1_000_000L);
  }
}
