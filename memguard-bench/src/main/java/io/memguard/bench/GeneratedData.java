package io.memguard.bench;

import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.ProblemType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded data sets of the shapes and pathologies real feature tables have, for the fuzz and for the
 * corpus's large cases: a spec string names one, and the same spec always gives the same rows.
 * Stateless and thread-safe.
 *
 * <p>Specs:
 *
 * <ul>
 *   <li>{@code fuzz:SEED}: everything drawn from the seed: rows log-uniform in 20..200,000 (or as
 *       given by {@code fuzz:SEED:ROWS}), 1 to 40 columns, each of a random kind (Gaussian,
 *       uniform, heavy-tailed, log-normal, counts with many zeros, binary, a one-hot group,
 *       constant, an exact duplicate, an exact linear combination, huge or tiny magnitudes), and a
 *       target of strong, weak or no signal, for regression or classification (2 to 4 classes,
 *       possibly imbalanced);
 *   <li>{@code synthetic:ROWS:SEED}: autofeat's example formula ({@link GenSyntheticScenario});
 *   <li>{@code mixed:ROWS:SEED}: a fixed mix of the fuzz's column kinds with a weak non-linear
 *       regression target;
 *   <li>{@code classes:ROWS:SEED}: the same columns with an imbalanced 3-class target.
 * </ul>
 *
 * <p>Every data set comes with a seeded 20% test split.
 */
final class GeneratedData {

  /** The kinds of column a fuzz data set draws from. */
  enum Kind {
    GAUSSIAN,
    UNIFORM,
    HEAVY_TAIL,
    LOG_NORMAL,
    ZERO_INFLATED_COUNTS,
    BINARY,
    ONE_HOT,
    CONSTANT,
    DUPLICATE,
    LINEAR_COMBINATION,
    HUGE,
    TINY
  }

  /** A generated data set: the table, its split, the problem type, and what it is in words. */
  record Generated(
      String spec, Dataset data, int[] testRows, ProblemType problem, String description) {

    Dataset.Split split() {
      return data.split(testRows);
    }
  }

  private GeneratedData() {}

  /**
   * The data set a spec names.
   *
   * @throws IllegalArgumentException for an unknown or malformed spec
   */
  static Generated generate(String spec) {
    String[] p = spec.split(":");
    try {
      return switch (p[0]) {
        case "fuzz" -> fuzz(Long.parseLong(p[1]), p.length > 2 ? Integer.parseInt(p[2]) : -1, spec);
        case "synthetic" -> synthetic(Integer.parseInt(p[1]), Long.parseLong(p[2]), spec);
        case "mixed" -> mixed(Integer.parseInt(p[1]), Long.parseLong(p[2]), false, spec);
        case "classes" -> mixed(Integer.parseInt(p[1]), Long.parseLong(p[2]), true, spec);
        default -> throw new IllegalArgumentException("unknown data spec '" + spec + "'");
      };
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "malformed data spec '"
              + spec
              + "': expected fuzz:SEED[:ROWS],"
              + " synthetic:ROWS:SEED, mixed:ROWS:SEED or classes:ROWS:SEED",
          e);
    }
  }

  private static Generated fuzz(long seed, int rowsOrDefault, String spec) {
    SplittableRandom rnd = new SplittableRandom(mix(seed));
    int rows =
        rowsOrDefault > 0
            ? rowsOrDefault
            : (int)
                Math.round(Math.exp(Math.log(20) + rnd.nextDouble() * Math.log(200_000 / 20.0)));
    int columns = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 40 : 12);
    boolean classification = rnd.nextInt(3) == 0;
    int classes = classification ? 2 + rnd.nextInt(3) : 0;
    String signal =
        switch (rnd.nextInt(4)) {
          case 0 -> "none";
          case 1 -> "weak";
          default -> "strong";
        };
    Kind[] kinds = Kind.values();
    List<Kind> picked = new ArrayList<>();
    for (int j = 0; j < columns; j++) {
      Kind k = kinds[rnd.nextInt(kinds.length)];
      if (j == 0 && (k == Kind.DUPLICATE || k == Kind.LINEAR_COMBINATION)) {
        k = Kind.GAUSSIAN;
      }
      picked.add(k);
    }
    return build(spec, rows, picked, classes, signal, rnd.nextBoolean(), rnd);
  }

  private static Generated mixed(int rows, long seed, boolean classification, String spec) {
    SplittableRandom rnd = new SplittableRandom(mix(seed * 2 + (classification ? 1 : 0)));
    List<Kind> kinds =
        List.of(
            Kind.GAUSSIAN,
            Kind.HEAVY_TAIL,
            Kind.ZERO_INFLATED_COUNTS,
            Kind.BINARY,
            Kind.ONE_HOT,
            Kind.LOG_NORMAL,
            Kind.DUPLICATE,
            Kind.TINY);
    return build(spec, rows, kinds, classification ? 3 : 0, "weak", true, rnd);
  }

  private static Generated build(
      String spec,
      int rows,
      List<Kind> kinds,
      int classes,
      String signal,
      boolean imbalanced,
      SplittableRandom rnd) {
    if (rows < 20) {
      throw new IllegalArgumentException("generated data needs at least 20 rows, got " + rows);
    }
    List<String> names = new ArrayList<>();
    List<double[]> cols = new ArrayList<>();
    for (Kind k : kinds) {
      addColumns(k, rows, names, cols, rnd);
    }
    double[] latent = latent(cols, rows, rnd);
    double[] target = target(latent, classes, signal, imbalanced, rnd);
    int[] test = testRows(rows, rnd);
    Dataset data = Dataset.of(names, cols.toArray(new double[0][]), target);
    String what =
        String.format(
            Locale.ROOT,
            "%d rows, %d columns (%s), %s, %s signal",
            rows,
            names.size(),
            describe(kinds),
            classes > 0
                ? classes + "-class" + (imbalanced ? " imbalanced" : "") + " classification"
                : "regression",
            signal);
    return new Generated(
        spec, data, test, classes > 0 ? ProblemType.CLASSIFICATION : ProblemType.REGRESSION, what);
  }

  private static void addColumns(
      Kind k, int n, List<String> names, List<double[]> cols, SplittableRandom rnd) {
    String base = "c" + cols.size() + "_" + k.name().toLowerCase(Locale.ROOT);
    double[] v = new double[n];
    switch (k) {
      case GAUSSIAN -> fill(v, rnd::nextGaussian);
      case UNIFORM -> fill(v, rnd::nextDouble);
      case HEAVY_TAIL -> fill(v, () -> rnd.nextGaussian() / Math.max(1e-3, rnd.nextDouble()));
      case LOG_NORMAL -> fill(v, () -> Math.exp(2 * rnd.nextGaussian()));
      case ZERO_INFLATED_COUNTS -> fill(v, () -> rnd.nextDouble() < 0.7 ? 0 : poisson(3, rnd));
      case BINARY -> {
        double p = 0.02 + 0.48 * rnd.nextDouble();
        fill(v, () -> rnd.nextDouble() < p ? 1 : 0);
      }
      case ONE_HOT -> {
        int levels = 2 + rnd.nextInt(4);
        int[] level = new int[n];
        for (int i = 0; i < n; i++) {
          level[i] = rnd.nextInt(levels);
        }
        for (int l = 0; l < levels; l++) {
          double[] c = new double[n];
          for (int i = 0; i < n; i++) {
            c[i] = level[i] == l ? 1 : 0;
          }
          names.add(base + "_" + l);
          cols.add(c);
        }
        return;
      }
      case CONSTANT -> Arrays.fill(v, 3.5);
      case DUPLICATE ->
          v = cols.isEmpty() ? gaussian(n, rnd) : cols.get(rnd.nextInt(cols.size())).clone();
      case LINEAR_COMBINATION -> {
        double[] a = cols.get(rnd.nextInt(cols.size()));
        double[] b = cols.get(rnd.nextInt(cols.size()));
        double ca = rnd.nextDouble() * 4 - 2;
        double cb = rnd.nextDouble() * 4 - 2;
        for (int i = 0; i < n; i++) {
          v[i] = ca * a[i] + cb * b[i];
        }
      }
      case HUGE -> fill(v, () -> 1e8 * (1 + rnd.nextDouble()));
      case TINY -> fill(v, () -> 1e-8 * rnd.nextGaussian());
      default -> throw new AssertionError(k);
    }
    names.add(base);
    cols.add(v);
  }

  /** A non-linear function of up to four columns, standardised; 0 when there are none. */
  private static double[] latent(List<double[]> cols, int n, SplittableRandom rnd) {
    double[] z = new double[n];
    int terms = Math.min(4, cols.size());
    for (int t = 0; t < terms; t++) {
      double[] a = standardised(cols.get(rnd.nextInt(cols.size())));
      double[] b = standardised(cols.get(rnd.nextInt(cols.size())));
      int form = rnd.nextInt(5);
      double c = 0.5 + rnd.nextDouble();
      for (int i = 0; i < n; i++) {
        double x = a[i];
        z[i] +=
            c
                * switch (form) {
                  case 0 -> x;
                  case 1 -> x * x;
                  case 2 -> Math.log1p(Math.abs(x));
                  case 3 -> x * b[i];
                  default -> 1 / (1 + Math.abs(x));
                };
      }
    }
    return standardised(z);
  }

  private static double[] target(
      double[] latent, int classes, String signal, boolean imbalanced, SplittableRandom rnd) {
    int n = latent.length;
    double noise =
        switch (signal) {
          case "none" -> Double.POSITIVE_INFINITY;
          case "weak" -> 4.0;
          default -> 0.1;
        };
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double e = rnd.nextGaussian();
      y[i] = Double.isInfinite(noise) ? e : latent[i] + noise * e;
    }
    if (classes == 0) {
      return y;
    }
    double[] sorted = y.clone();
    Arrays.sort(sorted);
    double[] cuts = new double[classes - 1];
    for (int k = 0; k < cuts.length; k++) {
      double q = imbalanced ? 1 - Math.pow(0.35, k + 1) : (k + 1) / (double) classes;
      cuts[k] = sorted[Math.min(n - 1, (int) (q * n))];
    }
    double[] label = new double[n];
    for (int i = 0; i < n; i++) {
      int k = 0;
      while (k < cuts.length && y[i] > cuts[k]) {
        k++;
      }
      label[i] = k;
    }
    // every class in the training rows: the first rows take each label once, in turn
    for (int k = 0; k < classes && k < n; k++) {
      label[k] = k;
    }
    return label;
  }

  private static int[] testRows(int n, SplittableRandom rnd) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    // the first rows carry every class, so they always train
    int[] test =
        Arrays.stream(perm).filter(i -> i >= 4).limit(Math.max(1, Math.round(0.2 * n))).toArray();
    Arrays.sort(test);
    return test;
  }

  /**
   * Autofeat's example target without noise: {@code 2 + 15 x1 + 3/(x2 - 1/x3) + 5 (x2 + log x1)^3}.
   */
  static double exampleFormula(double x1, double x2, double x3) {
    return 2 + 15 * x1 + 3 / (x2 - 1 / x3) + 5 * Math.pow(x2 + Math.log(x1), 3);
  }

  private static Generated synthetic(int n, long seed, String spec) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] x = new double[3][n];
    for (int i = 0; i < n; i++) {
      x[0][i] = rnd.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      x[1][i] = rnd.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      x[2][i] = rnd.nextDouble();
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = exampleFormula(x[0][i], x[1][i], x[2][i]);
    }
    double sd = Math.sqrt(variance(y));
    for (int i = 0; i < n; i++) {
      y[i] += 0.01 * sd * rnd.nextGaussian();
    }
    Dataset data = Dataset.of(List.of("x1", "x2", "x3"), x, y);
    return new Generated(
        spec,
        data,
        testRows(n, rnd),
        ProblemType.REGRESSION,
        n + " rows of autofeat's example formula");
  }

  /**
   * Writes the data set as CSV ({@code target} last) and its test rows, the shared data's format.
   */
  static void write(Generated g, Path csv, Path testRows) {
    Dataset d = g.data();
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write(String.join(",", d.names()) + ",target\n");
      double[][] cols = new double[d.featureCount()][];
      for (int j = 0; j < cols.length; j++) {
        cols[j] = d.column(d.names().get(j));
      }
      double[] y = d.target();
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < d.rows(); i++) {
        line.setLength(0);
        for (double[] c : cols) {
          line.append(c[i]).append(',');
        }
        line.append(y[i]).append('\n');
        w.write(line.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv, e);
    }
    try (BufferedWriter w = Files.newBufferedWriter(testRows, StandardCharsets.UTF_8)) {
      for (int i : g.testRows()) {
        w.write(i + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + testRows, e);
    }
  }

  private static String describe(List<Kind> kinds) {
    StringBuilder sb = new StringBuilder();
    for (Kind k : kinds) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(k.name().toLowerCase(Locale.ROOT));
    }
    return sb.toString();
  }

  /** SplitMix64's finaliser: nearby seeds give unrelated streams. */
  static long mix(long seed) {
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void fill(double[] v, java.util.function.DoubleSupplier s) {
    for (int i = 0; i < v.length; i++) {
      v[i] = s.getAsDouble();
    }
  }

  private static double[] gaussian(int n, SplittableRandom rnd) {
    double[] v = new double[n];
    fill(v, rnd::nextGaussian);
    return v;
  }

  private static double poisson(double lambda, SplittableRandom rnd) {
    double l = Math.exp(-lambda);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= rnd.nextDouble();
    } while (p > l);
    return k - 1;
  }

  private static double variance(double[] v) {
    double mean = Arrays.stream(v).average().orElse(0);
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return s / v.length;
  }

  private static double[] standardised(double[] v) {
    double mean = Arrays.stream(v).average().orElse(0);
    double sd = Math.sqrt(variance(v));
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = sd > 0 ? (v[i] - mean) / sd : 0;
    }
    return out;
  }
}
