package io.memguard.autofeat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/** The shared data sets (copied into test resources) through the public API; for tests only. */
final class TestData {
  private TestData() {}

  static Dataset.Split synthetic() {
    return load("synthetic_n2000_seed0", "synthetic_n2000_seed0");
  }

  static Dataset.Split diabetes() {
    return load("diabetes", "diabetes_seed0");
  }

  static Dataset.Split load(String name, String split) {
    Dataset all;
    try (Reader r = reader("/data/" + name + ".csv")) {
      all = Dataset.readCsv(r, "target", name + ".csv");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] test;
    try (Reader r = reader("/data/" + split + "_test_idx.txt")) {
      test = Dataset.readIndices(r, split + "_test_idx.txt");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.split(test);
  }

  private static Reader reader(String resource) {
    InputStream in = TestData.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + resource);
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /**
   * A seeded classification problem a linear model cannot solve: x1, x2 ~ N(0,1), x3 ~ U(0.5, 2);
   * binary: the sign of x1*x2; three classes: thresholds on x1*x2 + log(x3); 5% label noise.
   */
  static Dataset classification(int n, int classes, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] c = new double[3][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double x1 = rnd.nextGaussian();
      double x2 = rnd.nextGaussian();
      double x3 = 0.5 + 1.5 * rnd.nextDouble();
      c[0][i] = x1;
      c[1][i] = x2;
      c[2][i] = x3;
      double s = x1 * x2;
      int label;
      if (classes == 2) {
        label = s > 0 ? 1 : 0;
      } else {
        double v = s + Math.log(x3);
        label = v < -0.4 ? 0 : (v < 0.4 ? 1 : 2);
      }
      if (rnd.nextDouble() < 0.05) {
        label = rnd.nextInt(classes);
      }
      y[i] = label;
    }
    return Dataset.of(List.of("x1", "x2", "x3"), c, y);
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
  static Dataset range(Dataset d, int from, int to) {
    int[] idx = new int[to - from];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = from + i;
    }
    return d.rows(idx);
  }
}
