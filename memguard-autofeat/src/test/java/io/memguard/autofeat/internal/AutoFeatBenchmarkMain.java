package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.testdata.Datasets;

/**
 * Prints fit time, candidate counts, selected features and test R^2 on the shared data sets. Not a
 * unit test: run by hand, e.g. {@code java -cp <test classpath>
 * io.memguard.autofeat.internal.AutoFeatBenchmarkMain}. Arguments: optional list of {@code
 * name:steps} (default all); {@code --repeat k} to repeat each fit (JIT warm).
 */
public final class AutoFeatBenchmarkMain {

  private AutoFeatBenchmarkMain() {}

  public static void main(String[] args) {
    int repeat = 1;
    java.util.List<String> cases = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--repeat")) {
        repeat = Integer.parseInt(args[++i]);
      } else {
        cases.add(args[i]);
      }
    }
    if (cases.isEmpty()) {
      cases =
          java.util.List.of(
              "synthetic:1", "synthetic:2", "synthetic:3", "diabetes:2", "diabetes:3");
    }
    for (String c : cases) {
      String[] p = c.split(":");
      Datasets.Split split = p[0].equals("synthetic") ? Datasets.synthetic() : Datasets.diabetes();
      int steps = Integer.parseInt(p[1]);
      for (int r = 0; r < repeat; r++) {
        EngineConfig cfg = EngineConfig.builder().featengSteps(steps).featselRuns(5).build();
        long t0 = System.nanoTime();
        FittedAutoFeat fit =
            AutoFeatEngine.of(cfg)
                .fit(split.train().names(), split.train().columns(), split.train().target());
        double secs = (System.nanoTime() - t0) / 1e9;
        double r2 = r2(split.test().target(), fit.predictColumns(split.test().columns()));
        EngineReport rep = fit.report();
        System.out.printf(
            "%-9s steps=%d fit=%.2fs (gen %.2f, sel %.2f, model %.2f) computed=%d kept=%d candidates=%d"
                + " voted=%d selected=%d testR2=%.5f peakStoreMB=%.1f%n",
            p[0],
            steps,
            secs,
            rep.generateNanos() / 1e9,
            rep.selectNanos() / 1e9,
            rep.modelNanos() / 1e9,
            rep.computed(),
            rep.kept(),
            rep.candidates(),
            rep.voted(),
            rep.selected(),
            r2,
            rep.peakStoreBytes() / 1e6);
        if (r == repeat - 1) {
          System.out.println("    features: " + fit.featureNames());
        }
      }
    }
  }

  static double r2(double[] y, double[] pred) {
    double mean = 0;
    for (double v : y) {
      mean += v;
    }
    mean /= y.length;
    double ssr = 0;
    double sst = 0;
    for (int i = 0; i < y.length; i++) {
      ssr += (y[i] - pred[i]) * (y[i] - pred[i]);
      sst += (y[i] - mean) * (y[i] - mean);
    }
    return 1 - ssr / sst;
  }
}
