package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DoubleToDecimalTest {

  private static String format(double v) {
    StringBuilder sb = new StringBuilder();
    DoubleToDecimal.append(sb, v);
    return sb.toString();
  }

  @Test
  void everyDouble_readsBackToItself_inNoMoreDigitsThanDoubleToString() {
    SplittableRandom random = new SplittableRandom(9);
    int longer = 0;
    int n = 2_000_000;
    for (int i = 0; i < n; i++) {
      double v =
          switch (i % 5) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextDouble();
            case 2 -> random.nextGaussian() * Math.pow(10, random.nextInt(-15, 15));
            case 3 -> random.nextInt(-100_000, 100_000) / 100.0;
            default -> Math.pow(2, random.nextInt(-1070, 1020)) * (1 + random.nextInt(4) / 4.0);
          };
      String ours = format(v);
      String jdk = Double.toString(v);
      if (Double.isNaN(v)) {
        assertThat(ours).isEqualTo("NaN");
        continue;
      }
      assertThat(Double.doubleToRawLongBits(Double.parseDouble(ours)))
          .as("%s written as %s", jdk, ours)
          .isEqualTo(Double.doubleToRawLongBits(v));
      if (digits(ours) > digits(jdk)) {
        longer++;
      }
    }
    assertThat(longer)
        .as("values written with more digits than Double.toString")
        .isLessThan(n / 10_000);
  }

  @Test
  void notation_followsDoubleToString() {
    assertThat(format(0.0)).isEqualTo("0.0");
    assertThat(format(-0.0)).isEqualTo("-0.0");
    assertThat(format(1.0)).isEqualTo("1.0");
    assertThat(format(0.1)).isEqualTo("0.1");
    assertThat(format(-2.5)).isEqualTo("-2.5");
    assertThat(format(100.0)).isEqualTo("100.0");
    assertThat(format(1234567.0)).isEqualTo("1234567.0");
    assertThat(format(1.0e7)).isEqualTo("1.0E7");
    assertThat(format(0.001)).isEqualTo("0.001");
    assertThat(format(0.00012)).isEqualTo("1.2E-4");
    assertThat(format(1.0 / 3)).isEqualTo("0.3333333333333333");
    assertThat(format(Double.MAX_VALUE)).isEqualTo("1.7976931348623157E308");
    assertThat(format(Double.MIN_NORMAL)).isEqualTo("2.2250738585072014E-308");
    assertThat(format(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(format(Double.MIN_VALUE)).isEqualTo("4.9E-324");
  }

  private static int digits(String s) {
    int end = s.indexOf('E');
    String mantissa = end < 0 ? s : s.substring(0, end);
    String d = mantissa.replace("-", "").replace(".", "").replaceFirst("^0+", "");
    d = d.replaceFirst("0+$", "");
    return d.length();
  }
}
