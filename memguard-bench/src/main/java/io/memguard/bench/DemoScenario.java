package io.memguard.bench;

import io.memguard.core.BatchDecision;
import io.memguard.core.CleanupRun;
import io.memguard.core.CleanupStage;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureChange;
import io.memguard.core.Reservation;
import io.memguard.core.ReservationLeak;
import io.memguard.core.ScopeCloseReport;
import io.memguard.core.TaskRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The core demo: concurrent feature-computation tasks share one budget through the allocator, each
 * sizing its batches from its grant, reserving before it allocates and releasing after; one task
 * forgets a reservation so the leak report shows; a cache is shed by staged cleanup at the end.
 */
final class DemoScenario implements Scenario {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "demo [--tasks N (4)] [--budget SIZE (64m)] [--rows N (20000)] [--features N (400)] [--seed N (1)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    int tasks = ctx.intValue("tasks", 4);
    long budget = ctx.bytes("budget", 64L << 20);
    int rows = ctx.intValue("rows", 20_000);
    int features = ctx.intValue("features", 400);
    long seed = ctx.longValue("seed", 1);
    ctx.rejectUnused();
    if (tasks < 1 || rows < 1 || features < 1) {
      throw new IllegalArgumentException("--tasks, --rows and --features must be >= 1");
    }

    long start = System.nanoTime();
    List<PressureChange> changes = new CopyOnWriteArrayList<>();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory =
        MemoryManager.builder().name("demo").limit(MemorySize.ofBytes(budget)).build()) {
      memory.addPressureListener(
          c -> {
            changes.add(c);
            ctx.progress("pressure %s -> %s (%s at %.0f%%)", c.previous(), c.current(), c.source(),
                c.utilization() * 100);
          });
      memory.addLeakListener(
          leak -> {
            leaks.add(leak);
            ctx.progress("leak caught: %s", leak.describe());
          });
      ctx.progress("budget %s, %d tasks, %d rows x %d features each", MemorySize.format(budget), tasks,
          rows, features);

      ConcurrentHashMap<String, Double> checksums = new ConcurrentHashMap<>();
      AtomicLong batches = new AtomicLong();
      long bytesPerFeature = (long) rows * Double.BYTES;
      ExecutorService pool = Executors.newFixedThreadPool(tasks);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
          int task = t;
          futures.add(pool.submit(() -> {
            runTask(ctx, memory, "task-" + task, task, rows, features, bytesPerFeature,
                new SplittableRandom(seed + task), checksums, batches);
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }

      // A cache that can be rebuilt: shed first when memory is short.
      MemoryScope cacheScope = memory.openScope("feature-cache");
      Reservation cache = cacheScope.reserve(budget / 10);
      cacheScope.registerCleanup("feature-cache", CleanupStage.CACHES, () -> {
        long freed = cache.bytes();
        cache.close();
        return freed;
      });
      ctx.progress("scope tree with the cache held:%n%s", memory.snapshot().toTreeString().stripTrailing());
      CleanupRun shed = memory.cleanup().runStagesUntil(() -> memory.reservedBytes() == 0);
      ctx.progress("staged cleanup ran %s and released %s", shed.stagesRun(),
          MemorySize.format(shed.bytesReleased()));
      cacheScope.close();

      double seconds = (System.nanoTime() - start) / 1e9;
      List<BatchDecision> decisions = memory.allocator().decisions();
      Json.JsonObject result = Json.object()
          .put("scenario", "demo")
          .put("tasks", tasks)
          .put("featuresComputed", (long) tasks * features)
          .put("batches", batches.get())
          .put("budgetBytes", budget)
          .put("peakReservedBytes", memory.peakReservedBytes())
          .put("reservedAtEndBytes", memory.reservedBytes())
          .put("pressureChanges", changes.size())
          .put("leaksReported", leaks.size())
          .put("leakedBytes", leaks.stream().mapToLong(ReservationLeak::bytes).sum())
          .put("batchDecisions", decisions.size())
          .put("cleanupReleasedBytes", shed.bytesReleased())
          .put("seconds", Math.round(seconds * 1000) / 1000.0);
      ctx.progress("done in %.2f s: peak %s of %s, %d leak(s) caught and released", seconds,
          MemorySize.format(memory.peakReservedBytes()), MemorySize.format(budget), leaks.size());
      return result;
    }
  }

  private static void runTask(
      ScenarioContext ctx,
      MemoryManager memory,
      String name,
      int index,
      int rows,
      int features,
      long bytesPerFeature,
      SplittableRandom random,
      ConcurrentHashMap<String, Double> checksums,
      AtomicLong batchCount)
      throws InterruptedException {
    TaskRequest request = TaskRequest.named(name)
        .priority(index % 2)
        .minBytes(bytesPerFeature * 2)
        .desiredBytes(bytesPerFeature * features)
        .timeout(Duration.ofMinutes(5));
    try (Grant grant = memory.allocator().acquire(request)) {
      ctx.progress("%s admitted with %s", name, MemorySize.format(grant.grantedBytes()));
      double[] base = new double[rows];
      for (int i = 0; i < rows; i++) {
        base[i] = random.nextDouble();
      }
      double checksum = 0;
      int done = 0;
      int batchNo = 0;
      while (done < features) {
        grant.rebalance();
        BatchDecision d = grant.batchSize(bytesPerFeature, 1, features - done);
        int size = d.batchSize();
        try (MemoryScope batch = grant.scope().openChild("batch-" + (++batchNo));
            Reservation r = batch.reserve(size * bytesPerFeature)) {
          double[][] block = new double[size][rows];
          for (int f = 0; f < size; f++) {
            double power = 1 + (done + f) % 5;
            for (int i = 0; i < rows; i++) {
              block[f][i] = Math.pow(base[i], power);
            }
          }
          for (double[] column : block) {
            checksum += column[rows / 2];
          }
          if (index == 0 && batchNo == 1) {
            batch.reserve(1024); // forgotten on purpose: the scope's close reports it
          }
        }
        batchCount.incrementAndGet();
        done += size;
      }
      checksums.put(name, checksum);
      ScopeCloseReport report = grant.scope().closeAndReport();
      ctx.progress("%s done: %d features in %d batches, peak %s", name, features, batchNo,
          MemorySize.format(report.peakReservedBytes()));
    }
  }
}
