package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GramLassoCvTest {

  /** Accumulates the stats block by block, splitting blocks at the unshuffled folds' bounds. */
  static GramLassoCv.Stats stats(
      double[][] x, double[] y, int m, int folds, double[] shift, double[] scale, int block) {
    int p = x.length;
    KFold kf = new KFold(m, folds);
    GramLassoCv.Stats s = new GramLassoCv.Stats(p, folds);
    double[][] u = new double[p][block];
    double[] yb = new double[block];
    for (int from = 0; from < m; from += block) {
      int len = Math.min(block, m - from);
      for (int j = 0; j < p; j++) {
        for (int i = 0; i < len; i++) {
          u[j][i] = (x[j][from + i] - shift[j]) / scale[j];
        }
      }
      System.arraycopy(y, from, yb, 0, len);
      int i = 0;
      for (int f = 0; f < folds && i < len; f++) {
        int lo = Math.max(kf.start(f), from + i);
        int hi = Math.min(kf.end(f), from + len);
        if (lo < hi) {
          s.add(f, u, yb, lo - from, hi - lo);
          i = hi - from;
        }
      }
    }
    return s;
  }

  @Test
  void onTheSameRowsAndFolds_itFindsLassoCvsModel() {
    for (long seed = 1; seed <= 12; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      int m = 500 + r.nextInt(3000);
      int p = 2 + r.nextInt(12);
      double[][] x = new double[p][m];
      double[] y = new double[m];
      for (int j = 0; j < p; j++) {
        double mean = r.nextDouble(-50, 50);
        double sd = Math.exp(r.nextDouble(-3, 3));
        for (int i = 0; i < m; i++) {
          x[j][i] = mean + sd * r.nextGaussian();
        }
      }
      for (int i = 0; i < m; i++) {
        y[i] = 3 + r.nextGaussian() * 2;
        for (int j = 0; j < p; j += 2) {
          y[i] += (j + 1) * 0.5 * x[j][i];
        }
      }
      if (seed % 3 == 0) {
        java.util.Arrays.fill(x[p - 1], 4.25); // a constant column
      }
      PathOptions o = PathOptions.forFinalModel();
      double[][] z = new double[p][m];
      double[] mean = new double[p];
      double[] std = new double[p];
      for (int j = 0; j < p; j++) {
        double sum = 0;
        for (double v : x[j]) {
          sum += v;
        }
        mean[j] = sum / m;
        double ss = 0;
        for (double v : x[j]) {
          ss += (v - mean[j]) * (v - mean[j]);
        }
        std[j] = Math.sqrt(ss / m);
        for (int i = 0; i < m; i++) {
          z[j][i] = std[j] > 0 ? (x[j][i] - mean[j]) / std[j] : 0;
        }
      }
      LassoCv.Result expected = LassoCv.fit(z, m, y, o);

      double[] shift = new double[p];
      double[] scale = new double[p];
      for (int j = 0; j < p; j++) {
        shift[j] = x[j][0];
        scale[j] = 1 + Math.abs(x[j][1]);
      }
      GramLassoCv.Result got =
          GramLassoCv.fit(stats(x, y, m, o.folds(), shift, scale, 257), shift, scale, o);

      // Both descend to 1e-9 of the null deviance, in another order of updates (the rows' solver
      // screens columns first), so they stop a few 1e-6 apart; where the CV error is flat at its
      // minimum that can make the neighbouring penalty the best by a hair.
      assertThat(got.cvMse())
          .as("seed %d", seed)
          .isCloseTo(expected.cvMse(), within(1e-4 * expected.cvMse()));
      assertThat(Math.abs(got.alphaIndex() - expected.alphaIndex()))
          .as("seed %d", seed)
          .isLessThanOrEqualTo(1);
      if (got.alphaIndex() == expected.alphaIndex()) {
        // a coordinate's last move is below sqrt(tolerance * null variance) on the standardised
        // scale: allow ten of those
        double ybar = 0;
        for (double v : y) {
          ybar += v / m;
        }
        double nullVar = 0;
        for (double v : y) {
          nullVar += (v - ybar) * (v - ybar) / m;
        }
        double step = Math.sqrt(o.tolerance() * nullVar);
        for (int j = 0; j < p; j++) {
          double want = std[j] > 0 ? expected.coef()[j] / std[j] : 0;
          assertThat(got.coef()[j] * std[j])
              .as("seed %d coef %d", seed, j)
              .isCloseTo(want * std[j], within(10 * step));
        }
      }
    }
  }

  @Test
  void theStats_areAsLargeAsTheirColumnsAndFolds_notTheirRows() {
    assertThat(GramLassoCv.Stats.bytes(20, 5)).isLessThan(64 * 1024);
  }
}
