package io.memguard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alerts against real memory in a forked JVM: the live set is raised above a rule's threshold (the
 * alert fires after its minimum duration and escalates), lowered into the hysteresis band (it must
 * stay open), then lowered below the clear threshold (it resolves); events also go to a webhook on
 * 127.0.0.1. The child runs G1 with a low, fixed initiating occupancy so that garbage left in the
 * old generation is reclaimed promptly and the live set can fall within seconds, and with a 32 MiB
 * young generation so that the workload's 50 MiB/s of garbage brings a collection, and a fresh
 * live-set reading, about every 0.6 s. Left to size itself, G1 gave a reading about every 2 s, so
 * 15 readings in the band took about 30 of the 60 s allowed, and one verify run got only 4.
 */
final class AlertsScenario implements Scenario {

  @Override
  public String name() {
    return "alerts";
  }

  @Override
  public String usage() {
    return "alerts [--heap SIZE (256m)] [--period MS (100)] [--seconds N (60, the time-out of each step)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long heap = ctx.bytes("heap", 256L << 20);
    long period = ctx.longValue("period", 100);
    long seconds = ctx.longValue("seconds", 60);
    ctx.rejectUnused();
    if (seconds <= 0 || period < 10 || heap < (64L << 20)) {
      throw new IllegalArgumentException("need --seconds > 0, --period >= 10, --heap >= 64m");
    }
    Map<String, String> options = new LinkedHashMap<>();
    options.put("period", Long.toString(period));
    options.put("seconds", Long.toString(seconds));
    Json.JsonObject result =
        ForkedWorkload.run(
            ctx,
            "alerts",
            heap,
            List.of(
                "-XX:+UseG1GC",
                "-XX:-G1UseAdaptiveIHOP",
                "-XX:InitiatingHeapOccupancyPercent=10",
                "-Xmn32m"),
            options,
            4 * seconds + 60);
    result.put("heapBytes", heap);
    return result;
  }
}
