package io.memguard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code guard}: concurrent array-heavy tasks whose combined demand is about three times the heap,
 * each run in a forked JVM with {@code -Xmx256m} (by default): once without the emergency guard,
 * once with it, and once one after another (the yardstick: {@code sequentialSeconds}). Prints the
 * outcomes as one JSON object.
 */
final class GuardScenario implements Scenario {
  static final String MAIN = "io.memguard.bench.workload.GuardWorkloadMain";

  @Override
  public String name() {
    return "guard";
  }

  @Override
  public String usage() {
    return "guard [--heap SIZE (256m)] [--tasks N (6)] [--task-mb N (128)] [--chunk-kb N (256)] [--pace-ms N (25)]"
        + " [--hold-ms N (1500)] [--period MS (100)] [--retries N (3)] [--only guarded|unguarded]"
        + " [--sequential true|false (true)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long heap = ctx.bytes("heap", 256L << 20);
    Map<String, String> options = new LinkedHashMap<>();
    for (String key :
        List.of(
            "tasks",
            "task-mb",
            "chunk-kb",
            "pace-ms",
            "hold-ms",
            "period",
            "second-wave",
            "wave-delay-ms",
            "retries")) {
      String v = ctx.string(key, null);
      if (v != null) {
        options.put(key, v);
      }
    }
    String only = ctx.string("only", "both");
    boolean measureSequential = Boolean.parseBoolean(ctx.string("sequential", "true"));
    ctx.rejectUnused();
    Json.JsonObject result = Json.object().put("scenario", "guard").put("heapBytes", heap);
    if (!only.equals("guarded")) {
      result.put("unguarded", runOnce(ctx, heap, options, false));
    }
    if (!only.equals("unguarded")) {
      result.put("guarded", runOnce(ctx, heap, options, true));
    }
    if (measureSequential) {
      Map<String, String> one = new LinkedHashMap<>(options);
      one.put("sequential", "true");
      Json.JsonObject sequential = runOnce(ctx, heap, one, false);
      result.put("sequentialSeconds", sequential.get("seconds"));
      result.put("sequentialCompleted", sequential.get("completed"));
    }
    return result;
  }

  private static Json.JsonObject runOnce(
      ScenarioContext ctx, long heap, Map<String, String> options, boolean guarded)
      throws Exception {
    Map<String, String> o = new LinkedHashMap<>(options);
    o.put("guarded", Boolean.toString(guarded));
    return ForkedWorkload.run(ctx, MAIN, "guard", heap, List.of("-XX:+UseG1GC"), o, 600);
  }
}
