package io.memguard.autofeat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

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
   * A seeded classification problem a linear model cannot solve (the engine tests' own, see {@link
   * io.memguard.autofeat.internal.testdata.Datasets#classification}), as a {@link Dataset}.
   */
  static Dataset classification(int n, int classes, long seed) {
    io.memguard.autofeat.internal.testdata.Datasets.Table t =
        io.memguard.autofeat.internal.testdata.Datasets.classification(n, classes, seed);
    return Dataset.of(t.names(), t.columns(), t.target());
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
