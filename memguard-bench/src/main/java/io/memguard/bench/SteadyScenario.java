package io.memguard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A steady sawtooth in a forked JVM: a flat live set near 60% of the heap, much short-lived garbage
 * and a slow turnover of the live set, nothing leaking. Every leak report is a false positive
 * ({@code falsePositives}); also reports the sampler's CPU and sample durations.
 */
final class SteadyScenario implements Scenario {

  @Override
  public String name() {
    return "steady";
  }

  @Override
  public String usage() {
    return "steady [--heap SIZE (256m)] [--seconds N (180)] [--period MS (100)] [--live FRACTION (0.6)]"
        + " [--churn BYTES_PER_S (128m)] [--leak-rate BYTES_PER_S (accepted for symmetry; must be 0)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long heap = ctx.bytes("heap", 256L << 20);
    long seconds = ctx.longValue("seconds", 180);
    long period = ctx.longValue("period", 100);
    String live = ctx.string("live", "0.6");
    long churn = ctx.bytes("churn", 128L << 20);
    long leakRate = ctx.bytes("leak-rate", 0);
    ctx.rejectUnused();
    if (leakRate != 0) {
      throw new IllegalArgumentException(
          "steady does not leak; use the leak scenario for --leak-rate " + leakRate);
    }
    if (seconds <= 0 || period < 10 || heap < (32L << 20)) {
      throw new IllegalArgumentException("need --seconds > 0, --period >= 10, --heap >= 32m");
    }
    double fraction;
    try {
      fraction = Double.parseDouble(live);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--live must be a fraction such as 0.6, got " + live);
    }
    if (!(fraction > 0 && fraction < 0.8)) {
      throw new IllegalArgumentException("--live must be in (0, 0.8), got " + live);
    }
    Map<String, String> options = new LinkedHashMap<>();
    options.put("live", live);
    options.put("churn", Long.toString(churn));
    options.put("seconds", Long.toString(seconds));
    options.put("period", Long.toString(period));
    Json.JsonObject result =
        ForkedWorkload.run(ctx, "steady", heap, List.of(), options, seconds + 120);
    result.put("heapBytes", heap);
    return result;
  }
}
