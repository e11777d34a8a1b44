package io.memguard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code guard-race}: the case a sampling guard cannot win. In a forked JVM ({@code -Xmx128m} by
 * default) whose budget is twice the heap, a low-priority task grows its reservation and fills 256
 * KiB chunks with no pause, filling the heap well within one monitor period (100 ms), while a
 * high-priority task of 32 MiB runs beside it. Repeated in fresh JVMs; prints every run and the
 * counts. The target: no OutOfMemoryError in any run, the greedy task stopped or refused, the
 * high-priority task completed.
 */
final class GuardRaceScenario implements Scenario {

  @Override
  public String name() {
    return "guard-race";
  }

  @Override
  public String usage() {
    return "guard-race [--runs N (20)] [--heap SIZE (128m)] [--task-mb N (32)] [--period MS (100)]"
        + " [--budget-heaps X (2)] [--guarded true|false (true)] [--live-heap-limit F (0.95)]"
        + " [--retries N (3)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    int runs = ctx.intValue("runs", 20);
    long heap = ctx.bytes("heap", 128L << 20);
    Map<String, String> options = new LinkedHashMap<>();
    options.put("race", "true");
    options.put("guarded", ctx.string("guarded", "true"));
    options.put("task-mb", Long.toString(ctx.longValue("task-mb", 32)));
    options.put("period", Long.toString(ctx.longValue("period", 100)));
    options.put("budget-heaps", ctx.string("budget-heaps", "2"));
    options.put("retries", Long.toString(ctx.longValue("retries", 3)));
    String line = ctx.string("live-heap-limit", null);
    if (line != null) {
      options.put("live-heap-limit", line);
    }
    ctx.rejectUnused();
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
    }
    List<Object> results = new ArrayList<>();
    int oomRuns = 0;
    int greedyStoppedOrRefused = 0;
    int highPriorityCompleted = 0;
    for (int i = 0; i < runs; i++) {
      Json.JsonObject r =
          ForkedWorkload.run(
              ctx, GuardScenario.MAIN, "guard", heap, List.of("-XX:+UseG1GC"), options, 300);
      results.add(r);
      boolean completed = r.get("highPriorityCompleted") == Boolean.TRUE;
      boolean oom = r.get("oom") != Boolean.FALSE;
      oomRuns += oom ? 1 : 0;
      greedyStoppedOrRefused += r.get("greedyStoppedOrRefused") == Boolean.TRUE ? 1 : 0;
      highPriorityCompleted += completed ? 1 : 0;
      ctx.progress(
          "guard-race run %d of %d: greedy %s, high priority %s, oom %s",
          i + 1, runs, r.get("greedyStatus"), r.get("highPriorityStatus"), oom);
    }
    return Json.object()
        .put("scenario", "guard-race")
        .put("heapBytes", heap)
        .put("guarded", Boolean.parseBoolean(options.get("guarded")))
        .put("runs", runs)
        .put("oomRuns", oomRuns)
        .put("greedyStoppedOrRefused", greedyStoppedOrRefused)
        .put("highPriorityCompleted", highPriorityCompleted)
        .put("results", results);
  }
}
