package io.memguard.bench.workload;

import io.memguard.bench.Json;
import io.memguard.core.Grant;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.GuardStats;
import io.memguard.monitor.LeakDetectorConfig;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MonitorConfig;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The forked JVM behind the {@code guard} scenario: concurrent array-heavy tasks inside scopes
 * whose combined demand is about three times the heap, run once without and once with the emergency
 * guard. The budget is deliberately set above the heap (a misconfiguration the accounting cannot
 * see), so only real-memory protection can save the process.
 *
 * <pre>
 * guard --guarded true|false [--tasks 6] [--task-mb 128] [--chunk-kb 256] [--pace-ms 25]
 *       [--hold-ms 1500] [--second-wave 2] [--wave-delay-ms 1500] [--period 100] [--retries 3]
 *       [--sequential true|false] [--race true|false] [--budget-heaps 3] [--direct true|false]
 *       [--admission-timeout-s 300]
 * </pre>
 *
 * <p>Each task reserves and allocates its chunks one by one, checks its cancellation token between
 * chunks (its safe points), holds everything for a while, then releases. The last stdout line is a
 * flat JSON object with the outcome counts and, when guarded, the guard's figures.
 */
public final class GuardWorkloadMain {
  /**
   * The bytes of the arrays the running tasks hold right now: the part of the live set they make.
   */
  private static final AtomicLong HELD_BYTES = new AtomicLong();

  /** The largest resident set the monitor sampled. */
  private static final LongAccumulator MAX_RSS = new LongAccumulator(Math::max, 0);

  private GuardWorkloadMain() {}

  /** Runs the workload; exits 0 when it ran (whatever the tasks did), 2 on bad usage. */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    if (args.length == 0 || !args[0].equals("guard")) {
      System.err.println("usage: GuardWorkloadMain guard --guarded true|false [--key value ...]");
      System.exit(2);
    }
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    boolean guarded = Boolean.parseBoolean(o.getOrDefault("guarded", "true"));
    int tasks = Integer.parseInt(o.getOrDefault("tasks", "6"));
    long taskBytes = Long.parseLong(o.getOrDefault("task-mb", "128")) << 20;
    int chunk = Math.toIntExact(Long.parseLong(o.getOrDefault("chunk-kb", "256")) << 10);
    long paceMs = Long.parseLong(o.getOrDefault("pace-ms", "25"));
    long holdMs = Long.parseLong(o.getOrDefault("hold-ms", "1500"));
    direct = Boolean.parseBoolean(o.getOrDefault("direct", "false"));
    long admissionTimeoutSeconds = Long.parseLong(o.getOrDefault("admission-timeout-s", "300"));
    int secondWave = Integer.parseInt(o.getOrDefault("second-wave", "2"));
    long waveDelayMs = Long.parseLong(o.getOrDefault("wave-delay-ms", "1500"));
    long periodMs = Long.parseLong(o.getOrDefault("period", "100"));
    boolean race = Boolean.parseBoolean(o.getOrDefault("race", "false"));
    boolean sequential = Boolean.parseBoolean(o.getOrDefault("sequential", "false"));
    int retries = Integer.parseInt(o.getOrDefault("retries", "3"));
    double budgetHeaps = Double.parseDouble(o.getOrDefault("budget-heaps", race ? "2" : "3"));

    AtomicInteger uncaughtOom = new AtomicInteger();
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          if (e instanceof OutOfMemoryError) {
            uncaughtOom.incrementAndGet();
          }
          System.err.println("uncaught in " + t.getName() + ": " + e);
        });

    long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    long start = System.nanoTime();
    Map<String, Object> result = new LinkedHashMap<>();
    long budget = (long) (budgetHeaps * maxHeap);
    MemoryManager.Builder managerBuilder =
        MemoryManager.builder().name("guard-demo").limit(MemorySize.ofBytes(budget));
    if (!guarded) {
      // unguarded means no real-memory protection at all: the budget alone
      managerBuilder.noLiveHeapLimit().noProcessMemoryLimit();
    } else if (o.containsKey("live-heap-limit")) {
      managerBuilder.liveHeapLimit(Double.parseDouble(o.get("live-heap-limit")));
    }
    if (!Boolean.parseBoolean(o.getOrDefault("process-memory-line", "true"))) {
      managerBuilder.noProcessMemoryLimit();
    }
    try (MemoryManager memory = managerBuilder.build();
        MemoryMonitor monitor =
            MemoryMonitor.start(
                memory,
                guardOrNot(MonitorConfig.builder(), guarded)
                    .period(Duration.ofMillis(periodMs))
                    .leakDetector(LeakDetectorConfig.builder().enabled(false).build())
                    .defaultAlertRules(false)
                    .build())) {
      DoubleAccumulator maxLive = new DoubleAccumulator(Math::max, 0);
      LongAccumulator maxHeld = new LongAccumulator(Math::max, 0);
      monitor.addListener(
          s -> {
            MAX_RSS.accumulate(s.rssBytes());
            if (!Double.isNaN(s.liveSetUtilization())) {
              maxLive.accumulate(s.liveSetUtilization());
            }
            maxHeld.accumulate(HELD_BYTES.get());
          });
      monitor
          .emergencyGuard()
          .ifPresent(
              g ->
                  g.addListener(
                      e ->
                          System.err.printf(Locale.ROOT, "guard %s: %s%n", e.type(), e.message())));
      ResourceAllocator allocator = memory.allocator();
      if (race) {
        System.err.printf(
            Locale.ROOT,
            "%s race: a greedy low-priority task against a %d MiB high-priority one on a %d MiB"
                + " heap (budget %d MiB, misconfigured on purpose)%n",
            guarded ? "guarded" : "unguarded",
            taskBytes >> 20,
            maxHeap >> 20,
            budget >> 20);
        race(allocator, maxHeap, budget, taskBytes, chunk, retries, result);
        finish(monitor, maxLive, start, maxHeap, result, uncaughtOom);
        return;
      }
      System.err.printf(
          Locale.ROOT,
          "%s: %d tasks x %d MiB on a %d MiB heap (budget %d MiB, misconfigured on purpose)%n",
          guarded ? "guarded" : "unguarded",
          tasks,
          taskBytes >> 20,
          maxHeap >> 20,
          budget >> 20);

      ExecutorService pool = Executors.newFixedThreadPool(tasks);
      List<Future<TaskOutcome<Long>>> futures = new ArrayList<>();
      try {
        for (int i = 0; i < tasks; i++) {
          if (i == tasks - secondWave && waveDelayMs > 0 && !sequential) {
            Thread.sleep(waveDelayMs);
          }
          String name = "task-" + i;
          int priority = i % 3;
          TaskRequest request =
              TaskRequest.named(name)
                  .priority(priority)
                  .minBytes(chunk)
                  .desiredBytes(taskBytes)
                  .timeout(Duration.ofSeconds(admissionTimeoutSeconds))
                  .retryWhenStopped(retries, priority);
          Callable<TaskOutcome<Long>> job =
              () -> allocator.run(request, grant -> work(grant, taskBytes, chunk, paceMs, holdMs));
          if (sequential) {
            // one after another on this thread: the yardstick for the concurrent runs
            FutureTask<TaskOutcome<Long>> done = new FutureTask<>(job);
            done.run();
            futures.add(done);
          } else {
            futures.add(pool.submit(job));
          }
        }
        int completed = 0, stopped = 0, failed = 0, notAdmitted = 0, oom = 0, refused = 0;
        int refusedByProcess = 0;
        for (Future<TaskOutcome<Long>> f : futures) {
          TaskOutcome<Long> outcome = f.get(5, TimeUnit.MINUTES);
          switch (outcome.status()) {
            case COMPLETED -> completed++;
            case STOPPED -> stopped++;
            case FAILED -> failed++;
            case NOT_ADMITTED -> notAdmitted++;
            default -> {}
          }
          if (outcome.error() instanceof OutOfMemoryError) {
            oom++;
          }
          if (refusedByLiveHeap(outcome)) {
            refused++;
          }
          if (refusedByProcessMemory(outcome)) {
            refusedByProcess++;
          }
          printOutcome(outcome);
        }
        result.put("mode", sequential ? "sequential" : guarded ? "guarded" : "unguarded");
        result.put("retried", allocator.retriedCount());
        result.put("oom", oom + uncaughtOom.get() > 0);
        result.put("oomErrors", oom + uncaughtOom.get());
        result.put("completed", completed);
        result.put("stoppedByGuard", stopped);
        result.put("failed", failed);
        result.put("notAdmitted", notAdmitted);
        result.put("refusedByLiveHeap", refused);
        result.put("refusedByProcessMemory", refusedByProcess);
        result.put("maxLiveHeapFraction", round(maxLive.get()));
        result.put("maxTaskDataHeapFraction", round((double) maxHeld.get() / maxHeap));
      } finally {
        pool.shutdownNow();
      }
      finish(monitor, maxLive, start, maxHeap, result, uncaughtOom);
    }
  }

  private static void finish(
      MemoryMonitor monitor,
      DoubleAccumulator maxLive,
      long start,
      long maxHeap,
      Map<String, Object> result,
      AtomicInteger uncaughtOom) {
    result.putIfAbsent("maxLiveHeapFraction", round(maxLive.get()));
    result.put("oom", result.get("oom") == Boolean.TRUE || uncaughtOom.get() > 0);
    EmergencyGuard guard = monitor.emergencyGuard().orElse(null);
    if (guard != null) {
      GuardStats stats = guard.stats();
      result.put("guardMaxLiveHeapFraction", round(stats.maxLiveHeapFraction()));
      result.put("emergencies", stats.emergencies());
      result.put("tasksStopRequested", stats.tasksStopRequested());
      result.put("timeInEmergencyMs", stats.totalTimeInEmergency().toMillis());
      result.put(
          "timeToRecoverMs",
          stats.lastTimeToRecover() == null ? -1 : stats.lastTimeToRecover().toMillis());
      result.put("recovered", !stats.inEmergency());
    }
    result.put("heapMaxBytes", maxHeap);
    result.put("maxRssBytes", MAX_RSS.get());
    result.put("seconds", round((System.nanoTime() - start) / 1e9));
    print(result);
  }

  private static void print(Map<String, Object> result) {
    Json.JsonObject json = Json.object();
    result.forEach(json::put);
    System.out.println(json);
    System.out.flush();
    System.exit(0);
  }

  private static void printOutcome(TaskOutcome<?> outcome) {
    System.err.printf(
        Locale.ROOT,
        "%s: %s after %d ms%s%n",
        outcome.taskName(),
        outcome.status(),
        outcome.duration().toMillis(),
        outcome.error() == null ? "" : " (" + outcome.error() + ")");
  }

  private static boolean refusedByLiveHeap(TaskOutcome<?> outcome) {
    return outcome.error() instanceof MemoryBudgetExceededException e && e.liveHeapLimited();
  }

  private static boolean refusedByProcessMemory(TaskOutcome<?> outcome) {
    return outcome.error() instanceof MemoryBudgetExceededException e && e.processMemoryLimited();
  }

  /**
   * The race of issue 14: a low-priority task that grows its reservation and fills 256 KiB chunks
   * with no pause (it would fill the heap well within one monitor period) against a high-priority
   * task of {@code taskBytes} paced at 2 ms a chunk. The high-priority task must complete, the
   * greedy one be stopped or refused, and nothing die of OutOfMemoryError.
   */
  private static void race(
      ResourceAllocator allocator,
      long maxHeap,
      long budget,
      long taskBytes,
      int chunk,
      int retries,
      Map<String, Object> result)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      TaskRequest greedyRequest =
          TaskRequest.named("greedy")
              .priority(0)
              .minBytes(chunk)
              .desiredBytes(budget / 2)
              .retryWhenStopped(retries, 0);
      TaskRequest steadyRequest =
          TaskRequest.named("steady")
              .priority(10)
              .minBytes(chunk)
              .desiredBytes(taskBytes)
              .retryWhenStopped(retries, 10);
      Future<TaskOutcome<Long>> greedy =
          pool.submit(
              () -> allocator.run(greedyRequest, g -> work(g, 2 * maxHeap, chunk, 0, 1000)));
      Future<TaskOutcome<Long>> steady =
          pool.submit(() -> allocator.run(steadyRequest, g -> work(g, taskBytes, chunk, 2, 200)));
      TaskOutcome<Long> greedyOutcome = greedy.get(5, TimeUnit.MINUTES);
      TaskOutcome<Long> steadyOutcome = steady.get(5, TimeUnit.MINUTES);
      printOutcome(greedyOutcome);
      printOutcome(steadyOutcome);
      boolean oom =
          greedyOutcome.error() instanceof OutOfMemoryError
              || steadyOutcome.error() instanceof OutOfMemoryError;
      result.put("mode", "race");
      result.put("oom", oom);
      result.put("greedyStatus", greedyOutcome.status().name());
      result.put("greedyRefusedByLiveHeap", refusedByLiveHeap(greedyOutcome));
      result.put("greedyRefusedByProcessMemory", refusedByProcessMemory(greedyOutcome));
      result.put(
          "greedyStoppedOrRefused",
          greedyOutcome.status() == TaskOutcome.Status.STOPPED
              || refusedByLiveHeap(greedyOutcome)
              || refusedByProcessMemory(greedyOutcome));
      result.put("highPriorityStatus", steadyOutcome.status().name());
      result.put("highPriorityCompleted", steadyOutcome.completed());
      result.put("retried", allocator.retriedCount());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Whether tasks fill direct buffers (native memory, outside the heap) instead of arrays: the
   * memory a heap limit never sees and only the RSS and container limits do.
   */
  private static volatile boolean direct;

  private static Object chunk(int bytes, byte value) {
    if (direct) {
      ByteBuffer b = ByteBuffer.allocateDirect(bytes);
      while (b.hasRemaining()) {
        b.put(value);
      }
      return b;
    }
    byte[] block = new byte[bytes];
    Arrays.fill(block, value);
    return block;
  }

  private static long middle(Object block) {
    return block instanceof ByteBuffer b ? b.get(b.capacity() / 2) : ((byte[]) block)[0];
  }

  /** One array-heavy task: reserve, allocate and fill chunk by chunk, hold, release. */
  static long work(Grant grant, long taskBytes, int chunk, long paceMs, long holdMs)
      throws InterruptedException {
    int chunks = (int) Math.max(1, taskBytes / chunk);
    List<Object> held = new ArrayList<>(chunks);
    long checksum = 0;
    try (Reservation declared = grant.scope().reserve(0)) {
      try {
        for (int i = 0; i < chunks; i++) {
          grant
              .cancellation()
              .throwIfCancelled(grant.taskName() + " chunk " + (i + 1) + " of " + chunks);
          declared.grow(chunk);
          held.add(chunk(chunk, (byte) i));
          HELD_BYTES.addAndGet(chunk);
          Thread.sleep(paceMs);
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(holdMs);
        while (System.nanoTime() < until) {
          grant
              .cancellation()
              .throwIfCancelled(grant.taskName() + " holding its " + chunks + " chunks");
          for (Object block : held) {
            checksum += middle(block);
          }
          Thread.sleep(50);
        }
      } finally {
        // the arrays go before the reservation that declared them (try-with-resources closes it
        // after this block): released bytes must be free bytes
        HELD_BYTES.addAndGet(-(long) held.size() * chunk);
        // Drop the references, not only the reservation: measured, it lets G1 reclaim a stopped
        // task's arrays sooner (docs/performance.md, "Emergency guard").
        held.clear();
      }
    }
    return checksum;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static MonitorConfig.Builder guardOrNot(MonitorConfig.Builder b, boolean guarded) {
    return guarded
        ? b.emergencyGuard(io.memguard.monitor.GuardConfig.ofDefaults())
        : b.noEmergencyGuard();
  }
}
