package io.memguard.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.internal.AutoFeatEngine;
import io.memguard.autofeat.internal.EngineConfig;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cache-trace}: which eviction policy a column cache in AutoFeat should use, measured on the
 * real access trace of a fit: the order in which feature selection reads candidate columns from the
 * store (each of its runs reads chunks of the same candidates again). Runs one fit with the
 * engine's read trace on, then replays the trace through an LRU cache ({@link LinkedHashMap} in
 * access order) and through Caffeine (W-TinyLFU, what {@code MemoryCache} uses) holding 5% to 50%
 * of the distinct columns, and reports each policy's hit rate. Columns are all the same size, so a
 * count bound is the byte bound.
 */
final class CacheTraceScenario implements Scenario {

  @Override
  public String name() {
    return "cache-trace";
  }

  @Override
  public String usage() {
    return "cache-trace [--data synthetic|diabetes (synthetic)] [--rows N (20000, synthetic)]"
        + " [--steps N (3)] [--recompute true|false (true)] [--seed N (0)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    String data = ctx.string("data", "synthetic");
    int rows = ctx.intValue("rows", 20_000);
    int steps = ctx.intValue("steps", 3);
    boolean recompute = Boolean.parseBoolean(ctx.string("recompute", "true"));
    long seed = ctx.longValue("seed", 0);
    ctx.rejectUnused();
    Dataset d;
    if (data.equals("diabetes")) {
      try (InputStream in = CacheTraceScenario.class.getResourceAsStream("/data/diabetes.csv");
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        d = Dataset.readCsv(r, "target", "diabetes.csv");
      }
    } else if (data.equals("synthetic")) {
      d = GeneratedData.generate("synthetic:" + rows + ":" + seed).data();
    } else {
      throw new IllegalArgumentException("--data must be synthetic or diabetes, got " + data);
    }
    List<String> names = d.names();
    double[][] columns = new double[names.size()][];
    for (int j = 0; j < columns.length; j++) {
      columns[j] = d.column(names.get(j));
    }
    double[] target = d.target();
    List<Integer> trace = new ArrayList<>();
    EngineConfig config =
        EngineConfig.builder()
            .featengSteps(steps)
            .seed(seed)
            .recomputeLastStep(recompute)
            .selectionParallelism(1)
            .selectionReadTrace(trace::add)
            .build();
    long start = System.nanoTime();
    AutoFeatEngine.of(config).fit(names, columns, target);
    double seconds = (System.nanoTime() - start) / 1e9;
    Set<Integer> distinct = new HashSet<>(trace);
    ctx.progress(
        "fit in %.1f s: selection read %d columns, %d distinct",
        seconds, trace.size(), distinct.size());
    List<Object> results = new ArrayList<>();
    for (double share : new double[] {0.05, 0.1, 0.25, 0.5}) {
      int capacity = Math.max(1, (int) Math.round(distinct.size() * share));
      double lru = lruHitRate(trace, capacity);
      double tinyLfu = caffeineHitRate(trace, capacity);
      ctx.progress(
          "cache of %d columns (%.0f%%): LRU %.1f%%, W-TinyLFU %.1f%%",
          capacity, share * 100, lru * 100, tinyLfu * 100);
      results.add(
          Json.object()
              .put("capacityColumns", capacity)
              .put("share", share)
              .put("lruHitRate", round(lru))
              .put("tinyLfuHitRate", round(tinyLfu)));
    }
    return Json.object()
        .put("scenario", "cache-trace")
        .put("data", data)
        .put("rows", target.length)
        .put("steps", steps)
        .put("recompute", recompute)
        .put("reads", trace.size())
        .put("distinctColumns", distinct.size())
        .put("fitSeconds", round(seconds))
        .put("results", results);
  }

  static double lruHitRate(List<Integer> trace, int capacity) {
    Map<Integer, Boolean> lru =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > capacity;
          }
        };
    long hits = 0;
    for (Integer key : trace) {
      if (lru.get(key) != null) {
        hits++;
      } else {
        lru.put(key, Boolean.TRUE);
      }
    }
    return trace.isEmpty() ? 0 : (double) hits / trace.size();
  }

  static double caffeineHitRate(List<Integer> trace, int capacity) {
    Cache<Integer, Boolean> cache =
        Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
    long hits = 0;
    for (Integer key : trace) {
      if (cache.getIfPresent(key) != null) {
        hits++;
      } else {
        cache.put(key, Boolean.TRUE);
      }
    }
    return trace.isEmpty() ? 0 : (double) hits / trace.size();
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
