package io.memguard.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes a synthetic regression data set with autofeat's example formula (the shared data's {@code
 * synthetic_n2000_seed0.csv} is one such set, drawn with numpy): {@code x1 ~ U[0,1), x2 ~ N(0,1),
 * x3 ~ U[0,1)}, {@code y = 2 + 15*x1 + 3/(x2 - 1/x3) + 5*(x2 + log(x1))^3}, {@code target = y +
 * 0.01*std(y)*eps}, drawn in that order, column by column, from a seeded {@link SplittableRandom};
 * and a file of sorted 0-based test row indices (a seeded 20% by default).
 */
final class GenSyntheticScenario implements Scenario {

  @Override
  public String name() {
    return "gen-synthetic";
  }

  @Override
  public String usage() {
    return "gen-synthetic --rows N --out CSV [--test-out FILE] [--test-share F (0.2)] [--seed N (0)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    int n = ctx.intValue("rows", -1);
    Path out = Path.of(ctx.required("out"));
    String testOut = ctx.string("test-out", null);
    double share = Double.parseDouble(ctx.string("test-share", "0.2"));
    long seed = ctx.longValue("seed", 0);
    ctx.rejectUnused();
    if (n < 10) {
      throw new IllegalArgumentException("--rows must be >= 10, got " + n);
    }
    if (!(share >= 0 && share < 1)) {
      throw new IllegalArgumentException("--test-share must be in [0, 1), got " + share);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] x1 = new double[n];
    double[] x2 = new double[n];
    double[] x3 = new double[n];
    double[] eps = new double[n];
    for (int i = 0; i < n; i++) {
      x1[i] = rnd.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      x2[i] = rnd.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      x3[i] = rnd.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      eps[i] = rnd.nextGaussian();
    }
    double[] y = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) {
      y[i] = GeneratedData.exampleFormula(x1[i], x2[i], x3[i]);
      mean += y[i];
    }
    mean /= n;
    double var = 0;
    for (double v : y) {
      var += (v - mean) * (v - mean);
    }
    double noise = 0.01 * Math.sqrt(var / n);
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write("x1,x2,x3,target\n");
      for (int i = 0; i < n; i++) {
        w.write(x1[i] + "," + x2[i] + "," + x3[i] + "," + (y[i] + noise * eps[i]) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    int tests = (int) Math.round(n * share);
    if (testOut != null) {
      int[] perm = new int[n];
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      SplittableRandom split = new SplittableRandom(seed + 1);
      for (int i = n - 1; i > 0; i--) {
        int j = split.nextInt(i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      int[] test = Arrays.copyOf(perm, tests);
      Arrays.sort(test);
      try (BufferedWriter w = Files.newBufferedWriter(Path.of(testOut), StandardCharsets.UTF_8)) {
        for (int i : test) {
          w.write(i + "\n");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + testOut, e);
      }
    }
    ctx.progress(
        "wrote %d rows to %s%s",
        n, out, testOut == null ? "" : " and " + tests + " test row indices to " + testOut);
    return Json.object()
        .put("scenario", "gen-synthetic")
        .put("rows", n)
        .put("seed", seed)
        .put("csv", out.toString())
        .put("testRows", testOut == null ? 0 : tests)
        .put("testRowsFile", testOut);
  }
}
