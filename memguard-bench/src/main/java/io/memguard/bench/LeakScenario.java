package io.memguard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberate leak in a forked JVM: records of a class of its own ({@code
 * io.memguard.bench.workload.LeakedRecord}) added to a static list at a fixed rate, next to much
 * short-lived garbage. Reports whether and when the monitor's leak detector found it, its top
 * suspect, misattributions ({@code falsePositives}: reports whose top suspect is not the leaking
 * class) and the sampler's CPU. Stops at the first report.
 */
final class LeakScenario implements Scenario {

  @Override
  public String name() {
    return "leak";
  }

  @Override
  public String usage() {
    return "leak [--heap SIZE (256m)] [--leak-rate BYTES_PER_S (1m)] [--seconds N (60)] [--period MS (100)]"
        + " [--churn BYTES_PER_S (64m)] [--histograms true|false (true)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long heap = ctx.bytes("heap", 256L << 20);
    long rate = ctx.bytes("leak-rate", 1L << 20);
    long seconds = ctx.longValue("seconds", 60);
    long period = ctx.longValue("period", 100);
    long churn = ctx.bytes("churn", 64L << 20);
    String histograms = ctx.string("histograms", "true");
    ctx.rejectUnused();
    if (rate <= 0 || seconds <= 0 || period < 10 || heap < (32L << 20)) {
      throw new IllegalArgumentException(
          "need --leak-rate > 0, --seconds > 0, --period >= 10, --heap >= 32m");
    }
    if (!histograms.equals("true") && !histograms.equals("false")) {
      throw new IllegalArgumentException("--histograms must be true or false, got " + histograms);
    }
    Map<String, String> options = new LinkedHashMap<>();
    options.put("leak-rate", Long.toString(rate));
    options.put("churn", Long.toString(churn));
    options.put("seconds", Long.toString(seconds));
    options.put("period", Long.toString(period));
    options.put("histograms", histograms);
    Json.JsonObject result =
        ForkedWorkload.run(ctx, "leak", heap, List.of(), options, seconds + 120);
    result.put("heapBytes", heap).put("leakRateBytesPerSecond", rate);
    return result;
  }
}
