package io.memguard.autofeat.internal.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorsTest {

  @Test
  void dot2_givesTheBitsOfTwoDots_forEveryLengthAndOffset() {
    SplittableRandom r = new SplittableRandom(1);
    for (int length = 0; length <= 13; length++) {
      for (int from = 0; from <= 3; from++) {
        int to = from + length;
        double[] w = new double[to];
        double[] a = new double[to];
        double[] b = new double[to];
        for (int i = 0; i < to; i++) {
          w[i] = r.nextDouble(-1e3, 1e3);
          a[i] = r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-8, 8));
          b[i] = r.nextGaussian();
        }
        double divisor = r.nextDouble(0.5, 7);
        double[] out = new double[4];

        Vectors.dot2(w, a, b, from, to, divisor, out, 3, 1);

        assertThat(out[3]).isEqualTo(Vectors.dot(w, a, from, to) / divisor);
        assertThat(out[1]).isEqualTo(Vectors.dot(w, b, from, to) / divisor);
        assertThat(out[0]).isZero();
        assertThat(out[2]).isZero();
      }
    }
  }

  @Test
  void dotOutside_givesTheBitsOfTheDotsOnEitherSide_forEveryBlock() {
    SplittableRandom r = new SplittableRandom(2);
    for (int m = 0; m <= 11; m++) {
      double[] a = new double[m];
      double[] b = new double[m];
      for (int i = 0; i < m; i++) {
        // zeros of both signs too: the sum of two empty sides must keep the sign of zero
        a[i] = r.nextInt(4) == 0 ? -0.0 : r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-8, 8));
        b[i] = r.nextInt(4) == 0 ? 0.0 : r.nextGaussian();
      }
      for (int s = 0; s <= m; s++) {
        for (int e = s; e <= m; e++) {
          double expected = Vectors.dot(a, b, 0, s) + Vectors.dot(a, b, e, m);

          double actual = Vectors.dotOutside(a, b, s, e, m);

          assertThat(Double.doubleToRawLongBits(actual))
              .as("m=%d, block [%d, %d)", m, s, e)
              .isEqualTo(Double.doubleToRawLongBits(expected));
        }
      }
    }
  }

  @Test
  void allFinite_looksOnlyAtTheRange() {
    double[] v = {Double.NaN, 1, 2, Double.POSITIVE_INFINITY};

    assertThat(Vectors.allFinite(v, 1, 3)).isTrue();
    assertThat(Vectors.allFinite(v, 0, 3)).isFalse();
    assertThat(Vectors.allFinite(v, 1, 4)).isFalse();
    assertThat(Vectors.allFinite(v, 2, 2)).isTrue();
  }
}
