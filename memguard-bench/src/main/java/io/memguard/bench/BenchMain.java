package io.memguard.bench;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
    for (Scenario s :
        List.<Scenario>of(
            new DemoScenario(),
            new AutoFeatScenario(),
            new GenSyntheticScenario(),
            new LeakScenario(),
            new SteadyScenario(),
            new AlertsScenario(),
            new GuardScenario(),
            new GuardRaceScenario(),
            new VerifyScenario(),
            new CorpusScenario(),
            new FuzzScenario(),
            new GenDataScenario(),
            new StreamScenario(),
            new CacheTraceScenario(),
            new DashboardScenario(),
            new SparkScenario())) {
      byName.put(s.name(), s);
    }
    return byName;
  }

  /**
   * Runs a scenario or JMH; exits 0 on success (and for {@code --help}, printed to stdout), 1 when
   * the scenario failed, 2 on bad usage (one line naming what is wrong, then the usage, on stderr).
   */
  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Map<String, Scenario> scenarios = scenarios();
    if (args.length == 0) {
      usage(err, scenarios);
      return 2;
    }
    if (isHelp(args[0])) {
      usage(out, scenarios);
      return 0;
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
    if (args.length == 2 && isHelp(args[1])) {
      out.println("usage: " + scenario.usage());
      return 0;
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
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException
          || e.getCause() instanceof AccessDeniedException) {
        err.println(scenario.name() + ": " + e.getMessage());
        err.println("usage: " + scenario.usage());
        return 2;
      }
      err.println(scenario.name() + " failed: " + e.getMessage());
      return 1;
    }
    out.println(result);
    out.flush();
    return 0;
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
  }

  private static void usage(PrintStream to, Map<String, Scenario> scenarios) {
    to.println("usage: java -jar memguard-bench.jar <scenario> [--key value ...]");
    to.println("       java -jar memguard-bench.jar <scenario> --help");
    to.println(
        "       java -jar memguard-bench.jar jmh [JMH options, e.g. -f 1 -wi 3 -i 5 ReserveRelease]");
    to.println("scenarios:");
    scenarios.values().forEach(s -> to.println("  " + s.usage()));
  }
}
