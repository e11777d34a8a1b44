package io.memguard.autofeat.internal.testdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Loads the CSV test data sets from the classpath and splits them; for tests only. */
public final class Datasets {

  private Datasets() {}

  /** A data set in column-major form. */
  public record Table(List<String> names, double[][] columns, double[] target) {
    public int rows() {
      return target.length;
    }

    /** The rows whose indices are in {@code idx}. */
    public Table rows(int[] idx) {
      double[][] c = new double[columns.length][idx.length];
      double[] y = new double[idx.length];
      for (int k = 0; k < idx.length; k++) {
        for (int j = 0; j < columns.length; j++) {
          c[j][k] = columns[j][idx[k]];
        }
        y[k] = target[idx[k]];
      }
      return new Table(names, c, y);
    }
  }

  /** A train/test split. */
  public record Split(Table train, Table test) {}

  /** Loads {@code data/<name>.csv} and splits it with {@code data/<name>_test_idx.txt}. */
  public static Split load(String name, String splitName) {
    Table all = csv("/data/" + name + ".csv");
    boolean[] test = new boolean[all.rows()];
    for (String line : lines("/data/" + splitName + "_test_idx.txt")) {
      if (!line.isBlank()) {
        test[Integer.parseInt(line.trim())] = true;
      }
    }
    int nTest = 0;
    for (boolean t : test) {
      nTest += t ? 1 : 0;
    }
    int[] tr = new int[all.rows() - nTest];
    int[] te = new int[nTest];
    int a = 0;
    int b = 0;
    for (int i = 0; i < all.rows(); i++) {
      if (test[i]) {
        te[b++] = i;
      } else {
        tr[a++] = i;
      }
    }
    return new Split(all.rows(tr), all.rows(te));
  }

  /** The synthetic set with the reference split. */
  public static Split synthetic() {
    return load("synthetic_n2000_seed0", "synthetic_n2000_seed0");
  }

  /** The diabetes set with the reference split. */
  public static Split diabetes() {
    return load("diabetes", "diabetes_seed0");
  }

  /** Fisher's iris (3 classes) with a seeded 20% test split. */
  public static Split iris() {
    return load("iris", "iris_seed0");
  }

  private static List<String> lines(String resource) {
    try (InputStream in = Datasets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<String> out = new ArrayList<>();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(line);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Table csv(String resource) {
    List<String> lines = lines(resource);
    String[] header = lines.get(0).split(",");
    int t = Arrays.asList(header).indexOf("target");
    List<String> names = new ArrayList<>();
    for (int j = 0; j < header.length; j++) {
      if (j != t) {
        names.add(header[j]);
      }
    }
    int n = 0;
    for (int i = 1; i < lines.size(); i++) {
      n += lines.get(i).isBlank() ? 0 : 1;
    }
    double[][] cols = new double[names.size()][n];
    double[] y = new double[n];
    int row = 0;
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] f = lines.get(i).split(",");
      int c = 0;
      for (int j = 0; j < f.length; j++) {
        double v = Double.parseDouble(f[j]);
        if (j == t) {
          y[row] = v;
        } else {
          cols[c++][row] = v;
        }
      }
      row++;
    }
    return new Table(List.copyOf(names), cols, y);
  }

  /**
   * A seeded classification problem: x1, x2 ~ N(0,1), x3 ~ U(0.5, 2), with classes defined by the
   * sign of x1*x2 (binary) or by thresholds on x1*x2 + log(x3) (three classes), plus 5 % label
   * noise. A linear model on the raw columns cannot separate these.
   */
  public static Table classification(int n, int classes, long seed) {
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
    return new Table(List.of("x1", "x2", "x3"), c, y);
  }
}
