package io.memguard.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of {@code memguard-bench.jar}: {@code java -jar memguard-bench.jar <scenario> [--key
 * value ...]}, or {@code java -jar memguard-bench.jar jmh [JMH options]} for the JMH benchmarks.
 */
public final class BenchMain {
  private BenchMain() {}

  /** The scenarios this jar knows, by name. */
  static Map<String, Scenario> scenarios() {
    Map<String, Scenario> byName = new TreeMap<>();
    for (Scenario s : List.<Scenario>of(new DemoScenario(), new AutoFeatScenario(), new GenSyntheticScenario(),
        new LeakScenario(), new SteadyScenario(), new AlertsScenario(), new GuardScenario(),
        new CorpusScenario(), new FuzzScenario(), new GenDataScenario())) {
      byName.put(s.name(), s);
    }
    return byName;
  }

  /** Runs a scenario or JMH; exits 0 on success, 1 when the scenario failed, 2 on bad usage. */
  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Map<String, Scenario> scenarios = scenarios();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      usage(err, scenarios);
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("jmh")) {
      String[] rest = new String[args.length - 1];
      System.arraycopy(args, 1, rest, 0, rest.length);
      org.openjdk.jmh.Main.main(rest);
      return 0;
    }
    Scenario scenario = scenarios.get(args[0]);
    if (scenario == null) {
      err.println("unknown scenario '" + args[0] + "'");
      usage(err, scenarios);
      return 2;
    }
    ScenarioContext context;
    try {
      context = ScenarioContext.parse(args, 1, out, err);
    } catch (IllegalArgumentException e) {
      err.println(scenario.name() + ": " + e.getMessage());
      err.println("usage: " + scenario.usage());
      return 2;
    }
    Json.JsonObject result;
    try {
      result = scenario.run(context);
    } catch (IllegalArgumentException e) {
      err.println(scenario.name() + ": " + e.getMessage());
      err.println("usage: " + scenario.usage());
      return 2;
    }
    out.println(result);
    out.flush();
    return 0;
  }

  private static void usage(PrintStream err, Map<String, Scenario> scenarios) {
    err.println("usage: java -jar memguard-bench.jar <scenario> [--key value ...]");
    err.println("       java -jar memguard-bench.jar jmh [JMH options, e.g. -f 1 -wi 3 -i 5 ReserveRelease]");
    err.println("scenarios:");
    scenarios.values().forEach(s -> err.println("  " + s.usage()));
  }
}
