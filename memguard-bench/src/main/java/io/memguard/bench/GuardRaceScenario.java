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
 *
 * <p>With {@code --container-mb N} every run is in a child memory cgroup of N MiB: with a heap
 * larger than N ({@code --heap 512m --container-mb 256}) the heap has room long after the kernel's
 * OOM killer would end the JVM, so only the process-memory line (RSS against the container's limit,
 * checked at reservation) stands between the greedy task and the kernel; a killed run counts as an
 * OutOfMemory death ({@code killedRuns}).
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
        + " [--retries N (3)] [--container-mb N (none: each run in a child memory cgroup of N MiB)]"
        + " [--process-memory-line true|false (true)]";
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
    long containerMb = ctx.longValue("container-mb", 0);
    options.put("process-memory-line", ctx.string("process-memory-line", "true"));
    ctx.rejectUnused();
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
    }
    if (containerMb < 0) {
      throw new IllegalArgumentException("--container-mb must be >= 0, got " + containerMb);
    }
    Cgroups.Group group =
        containerMb == 0
            ? null
            : Cgroups.create(
                "memguard-guard-race-" + ProcessHandle.current().pid(), containerMb << 20);
    try {
      return runs(ctx, runs, heap, options, group, containerMb << 20);
    } finally {
      if (group != null) {
        group.close();
      }
    }
  }

  private static Json.JsonObject runs(
      ScenarioContext ctx,
      int runs,
      long heap,
      Map<String, String> options,
      Cgroups.Group group,
      long containerBytes)
      throws Exception {
    List<Object> results = new ArrayList<>();
    int oomRuns = 0;
    int greedyStoppedOrRefused = 0;
    int highPriorityCompleted = 0;
    int killedRuns = 0;
    for (int i = 0; i < runs; i++) {
      Json.JsonObject r = oneRun(ctx, heap, options, group);
      results.add(r);
      killedRuns += r.get("killed") == Boolean.TRUE ? 1 : 0;
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
        .put("containerBytes", group == null ? -1 : containerBytes)
        .put("processMemoryLine", Boolean.parseBoolean(options.get("process-memory-line")))
        .put("runs", runs)
        .put("killedRuns", killedRuns)
        .put("oomRuns", oomRuns)
        .put("greedyStoppedOrRefused", greedyStoppedOrRefused)
        .put("highPriorityCompleted", highPriorityCompleted)
        .put("results", results);
  }

  /**
   * One forked run; in a cgroup, a JVM the kernel killed is a result (OOM-killed counts as an
   * OutOfMemory death), not a failure of the scenario.
   */
  private static Json.JsonObject oneRun(
      ScenarioContext ctx, long heap, Map<String, String> options, Cgroups.Group group)
      throws Exception {
    if (group == null) {
      return ForkedWorkload.run(
          ctx, GuardScenario.MAIN, "guard", heap, List.of("-XX:+UseG1GC"), options, 300);
    }
    List<String> args = new ArrayList<>(List.of("guard"));
    options.forEach(
        (k, v) -> {
          args.add("--" + k);
          args.add(v);
        });
    ForkedWorkload.Forked f =
        ForkedWorkload.fork(
            ctx,
            "guard",
            (int) (heap >> 20),
            List.of("-XX:+UseG1GC"),
            GuardScenario.MAIN,
            args,
            group,
            300);
    if (f.exitCode() == 0 && f.json() != null) {
      return f.json();
    }
    return Json.object()
        .put("killed", f.exitCode() == 137)
        .put("exitCode", f.exitCode())
        .put("failure", String.valueOf(f.failure()))
        .put("oom", true)
        .put("greedyStoppedOrRefused", false)
        .put("highPriorityCompleted", false);
  }
}
