package io.memguard.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrendMathTest {

  @Test
  void analyze_perfectLine_givesExactSlopeAndStrongEvidence() {
    double[] x = new double[10];
    double[] y = new double[10];
    for (int i = 0; i < 10; i++) {
      x[i] = i * 4;
      y[i] = 100 + 2.5 * x[i];
    }
    TrendMath.Result r = TrendMath.analyze(x, y, 10);
    assertThat(r.slope()).isEqualTo(2.5);
    assertThat(r.intercept()).isEqualTo(100);
    assertThat(r.s()).isEqualTo(45);
    assertThat(r.pIncreasing()).isLessThan(0.0001);
    assertThat(r.pDecreasing()).isGreaterThan(0.999);
  }

  @Test
  void analyze_oneWildOutlier_barelyMovesTheSlope() {
    double[] x = new double[12];
    double[] y = new double[12];
    for (int i = 0; i < 12; i++) {
      x[i] = i;
      y[i] = 10 + i;
    }
    y[5] = 10_000;
    TrendMath.Result r = TrendMath.analyze(x, y, 12);
    assertThat(r.slope()).isCloseTo(1.0, within(0.2));
  }

  @Test
  void analyze_sixStrictlyIncreasingPoints_isSignificantAtHalfAPercent() {
    double[] x = {0, 1, 2, 3, 4, 5};
    double[] y = {1, 2, 3, 4, 5, 6};
    TrendMath.Result r = TrendMath.analyze(x, y, 6);
    // S = 15, Var = 6*5*17/18, z = 14/sqrt(28.33) = 2.63 -> p = 0.0043
    assertThat(r.z()).isCloseTo(2.630, within(0.001));
    assertThat(r.pIncreasing()).isCloseTo(0.0043, within(0.0002));
  }

  @Test
  void analyze_tiesAreCorrectedAndConstantSeriesHasNoEvidence() {
    double[] x = {0, 1, 2, 3, 4};
    double[] y = {7, 7, 7, 7, 7};
    TrendMath.Result r = TrendMath.analyze(x, y, 5);
    assertThat(r.slope()).isZero();
    assertThat(r.s()).isZero();
    assertThat(r.pIncreasing()).isCloseTo(0.5, within(1e-6));
    assertThat(TrendMath.mannKendallVariance(y, 5)).isZero();
  }

  @Test
  void analyze_tooFewPoints_isEmpty() {
    TrendMath.Result r = TrendMath.analyze(new double[] {1, 2}, new double[] {1, 2}, 2);
    assertThat(r.slope()).isNaN();
    assertThat(r.pIncreasing()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void analyze_pureNoise_isRarelySignificant(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int significant = 0;
    int trials = 500;
    for (int t = 0; t < trials; t++) {
      double[] x = new double[15];
      double[] y = new double[15];
      for (int i = 0; i < 15; i++) {
        x[i] = i;
        y[i] = random.nextDouble();
      }
      if (TrendMath.analyze(x, y, 15).pIncreasing() < 0.01) {
        significant++;
      }
    }
    // The test is calibrated: about 1% of noise series look significant at 1%, never much more.
    assertThat(significant).isLessThanOrEqualTo(15);
  }

  @Test
  void median_oddAndEven() {
    assertThat(TrendMath.median(new double[] {5, 1, 3}, 3)).isEqualTo(3);
    assertThat(TrendMath.median(new double[] {4, 1, 3, 2}, 4)).isEqualTo(2.5);
    assertThat(TrendMath.median(new double[0], 0)).isNaN();
  }

  @Test
  void median_matchesSortOnRandomInput() {
    SplittableRandom random = new SplittableRandom(42);
    for (int t = 0; t < 200; t++) {
      int n = 1 + random.nextInt(50);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = random.nextInt(20); // many ties
      }
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      assertThat(TrendMath.median(v, n)).isEqualTo(expected);
    }
  }

  @Test
  void quantile_nearestRank() {
    double[] v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertThat(TrendMath.quantile(v.clone(), 10, 0.5)).isEqualTo(50);
    assertThat(TrendMath.quantile(v.clone(), 10, 0.9)).isEqualTo(90);
    assertThat(TrendMath.quantile(v.clone(), 10, 0.99)).isEqualTo(100);
    assertThat(TrendMath.quantile(v.clone(), 10, 1.0)).isEqualTo(100);
  }

  @Test
  void coarsen_averagesGroups() {
    double[] x = {0, 1, 2, 3, 4, 5};
    double[] y = {0, 2, 4, 6, 8, 10};
    int n = TrendMath.coarsen(x, y, 6, 3);
    assertThat(n).isEqualTo(3);
    assertThat(Arrays.copyOf(x, 3)).containsExactly(0.5, 2.5, 4.5);
    assertThat(Arrays.copyOf(y, 3)).containsExactly(1, 5, 9);
  }

  @Test
  void normalCdf_knownValues() {
    assertThat(TrendMath.normalCdf(0)).isCloseTo(0.5, within(1e-7));
    assertThat(TrendMath.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
    assertThat(TrendMath.normalCdf(-2.326348)).isCloseTo(0.01, within(1e-6));
  }
}
