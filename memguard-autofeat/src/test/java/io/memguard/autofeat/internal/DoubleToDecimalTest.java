package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DoubleToDecimalTest {

  /** Up to this (below 1e-322), the closest decimal of at most two digits is written. */
  private static final double LARGEST_TWO_DIGIT = 20 * Double.MIN_VALUE;

  private static String format(double v) {
    StringBuilder sb = new StringBuilder();
    DoubleToDecimal.append(sb, v);
    return sb.toString();
  }

  @Test
  void randomBitPatterns_readBackToThemselves() {
    SplittableRandom random = new SplittableRandom(20_240_611);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2_000_000; i++) {
      long bits = random.nextLong();
      double v = Double.longBitsToDouble(bits);
      sb.setLength(0);
      DoubleToDecimal.append(sb, v);
      String text = sb.toString();
      if (Double.isNaN(v)) {
        assertThat(text).isEqualTo("NaN");
      } else if (Double.doubleToRawLongBits(Double.parseDouble(text)) != bits) {
        fail("%s written as %s", Double.toString(v), text);
      }
    }
  }

  @Test
  void csvLikeValues_readBackToThemselves_neverLongerThanDoubleToString() {
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder sb = new StringBuilder();
    int shorter = 0;
    for (int i = 0; i < 500_000; i++) {
      double v = csvLike(random, i);
      sb.setLength(0);
      DoubleToDecimal.append(sb, v);
      String text = sb.toString();
      if (Double.doubleToRawLongBits(Double.parseDouble(text)) != Double.doubleToRawLongBits(v)) {
        fail("%s written as %s", Double.toString(v), text);
      }
      if (i % 5 != 0) {
        continue; // JDK 17's Double.toString is slow
      }
      String jdk = Double.toString(v);
      int ours = digits(text);
      int theirs = digits(jdk);
      if (ours > theirs && Math.abs(v) > LARGEST_TWO_DIGIT) {
        fail("%s written as %s", jdk, text);
      }
      if (ours < theirs) {
        shorter++;
      }
    }
    assertThat(shorter).as("values JDK 17 writes a digit longer").isPositive();
  }

  @Test
  void edgeCases_readBackAndAreShortestAndClosest() {
    List<Double> values = edgeCases();
    for (double v : values) {
      String text = format(v);
      assertThat(Double.doubleToRawLongBits(Double.parseDouble(text)))
          .as("%s written as %s", Double.toString(v), text)
          .isEqualTo(Double.doubleToRawLongBits(v));
      assertShortestAndClosest(v, text);
      assertThat(format(-v)).isEqualTo("-" + text);
    }
  }

  @Test
  void sample_isShortestAndClosest() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 10_000; i++) {
      double v = Double.longBitsToDouble(random.nextLong());
      if (Double.isFinite(v) && v != 0) {
        assertShortestAndClosest(v, format(v));
      }
      double csv = csvLike(random, i);
      assertShortestAndClosest(csv, format(csv));
    }
  }

  @Test
  void smallestSubnormals_closestOfAtMostTwoDigits() {
    assertThat(format(Double.MIN_VALUE)).isEqualTo("4.9E-324");
    assertThat(format(2 * Double.MIN_VALUE)).isEqualTo("9.9E-324"); // JDK 17: 1.0E-323
    assertThat(format(3 * Double.MIN_VALUE)).isEqualTo("1.5E-323");
    assertThat(format(4 * Double.MIN_VALUE)).isEqualTo("2.0E-323");
    assertThat(format(20 * Double.MIN_VALUE)).isEqualTo("9.9E-323"); // JDK 17: 1.0E-322
    assertThat(format(21 * Double.MIN_VALUE)).isEqualTo("1.04E-322");
    for (int c = 1; c <= 20; c++) {
      double v = c * Double.MIN_VALUE;
      BigDecimal closest = new BigDecimal(v).round(new MathContext(2, RoundingMode.HALF_EVEN));
      assertThat(new BigDecimal(format(v))).as("%s", c).isEqualByComparingTo(closest);
      assertThat(Double.parseDouble(format(v))).isEqualTo(v);
    }
  }

  @Test
  void notation_followsDoubleToString() {
    assertThat(format(0.0)).isEqualTo("0.0");
    assertThat(format(-0.0)).isEqualTo("-0.0");
    assertThat(format(1.0)).isEqualTo("1.0");
    assertThat(format(0.1)).isEqualTo("0.1");
    assertThat(format(-2.5)).isEqualTo("-2.5");
    assertThat(format(100.0)).isEqualTo("100.0");
    assertThat(format(1234.5678)).isEqualTo("1234.5678");
    assertThat(format(1234567.0)).isEqualTo("1234567.0");
    assertThat(format(9999999.999999998)).isEqualTo("9999999.999999998");
    assertThat(format(1.0e7)).isEqualTo("1.0E7");
    assertThat(format(-1.0e7)).isEqualTo("-1.0E7");
    assertThat(format(12345678.9)).isEqualTo("1.23456789E7");
    assertThat(format(0.001)).isEqualTo("0.001");
    assertThat(format(-0.001)).isEqualTo("-0.001");
    assertThat(format(9.999999999999998E-4)).isEqualTo("9.999999999999998E-4");
    assertThat(format(0.00012)).isEqualTo("1.2E-4");
    assertThat(format(1.25e-7)).isEqualTo("1.25E-7");
    assertThat(format(-1.25e-7)).isEqualTo("-1.25E-7");
    assertThat(format(1.0 / 3)).isEqualTo("0.3333333333333333");
    assertThat(format(2.0 / 3)).isEqualTo("0.6666666666666666");
    assertThat(format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(format(Math.PI * 1e100)).isEqualTo("3.141592653589793E100");
    assertThat(format(9007199254740993.0)).isEqualTo("9.007199254740992E15");
    assertThat(format(1e23)).isEqualTo("1.0E23"); // JDK 17: 9.999999999999999E22
    assertThat(format(2e23)).isEqualTo("2.0E23"); // JDK 17: 1.9999999999999998E23
    assertThat(format(8.41e21)).isEqualTo("8.41E21"); // JDK 17: 8.409999999999999E21
    assertThat(format(Double.MAX_VALUE)).isEqualTo("1.7976931348623157E308");
    assertThat(format(Double.MIN_NORMAL)).isEqualTo("2.2250738585072014E-308");
    assertThat(format(Double.MIN_VALUE)).isEqualTo("4.9E-324");
    assertThat(format(Double.NaN)).isEqualTo("NaN");
    assertThat(format(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    assertThat(format(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
  }

  @Test
  void floorLog10_isExactOverTheExponentRange() {
    for (int q = -1100; q <= 1100; q++) {
      BigDecimal pow2 = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(q)));
      if (q < 0) {
        pow2 = BigDecimal.ONE.divide(pow2);
      }
      assertThat(DoubleToDecimal.floorLog10Pow2(q)).as("%s", q).isEqualTo(floorLog10(pow2));
      BigDecimal threeQuarters = pow2.multiply(new BigDecimal("0.75"));
      assertThat(DoubleToDecimal.floorLog10ThreeQuartersPow2(q))
          .as("%s", q)
          .isEqualTo(floorLog10(threeQuarters));
    }
  }

  @Test
  void powersOfFiveTable_exactUpTo55() {
    for (int j = 0; j <= 56; j++) {
      BigInteger pow = BigInteger.valueOf(5).pow(j);
      BigInteger table =
          BigInteger.valueOf(DecimalToDouble.tHi(j))
              .and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))
              .shiftLeft(64)
              .or(
                  BigInteger.valueOf(DecimalToDouble.tLo(j))
                      .and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)));
      int shift = 127 - DecimalToDouble.log2(j); // table == 5^j * 2^shift?
      boolean exact =
          table.shiftLeft(Math.max(0, -shift)).equals(pow.shiftLeft(Math.max(0, shift)));
      assertThat(exact).as("5^%s", j).isEqualTo(j <= 55);
    }
  }

  @Test
  void scaledRoundOdd_agreesWithExactArithmetic() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      long c = random.nextLong(1L << 52, 1L << 53);
      int q = random.nextInt(-1074, 972);
      int k = DoubleToDecimal.floorLog10Pow2(q);
      long x = 4 * c + random.nextInt(-2, 3);
      assertThat(DoubleToDecimal.scaledRoundOdd(x, q, k))
          .as("%s * 2^%s", x, q)
          .isEqualTo(DoubleToDecimal.exactRoundOdd(x, q, k));
    }
    // integer products, where the truncated table leaves the high word one short
    for (int i = 0; i < 20_000; i++) {
      int q = random.nextInt(4, 80);
      int k = DoubleToDecimal.floorLog10Pow2(q);
      long pow5 = BigInteger.valueOf(5).pow(k).longValueExact();
      long x = random.nextLong(1, (1L << 55) / pow5 + 1) * pow5;
      assertThat(DoubleToDecimal.scaledRoundOdd(x, q, k))
          .as("%s * 2^%s", x, q)
          .isEqualTo(DoubleToDecimal.exactRoundOdd(x, q, k));
    }
    for (int e = 17; e <= 22; e++) {
      double v = Double.parseDouble("1e" + e);
      long bits = Double.doubleToRawLongBits(v);
      long c = (bits & ((1L << 52) - 1)) | (1L << 52);
      int q = (int) (bits >>> 52) - 1075;
      int k = DoubleToDecimal.floorLog10Pow2(q);
      long expected = DoubleToDecimal.exactRoundOdd(4 * c, q, k);
      assertThat(expected & 1).as("1e%s: an integer", e).isZero();
      assertThat(DoubleToDecimal.scaledRoundOdd(4 * c, q, k)).isEqualTo(expected);
    }
  }

  /**
   * No decimal with one digit fewer reads back (the two around the exact value at that precision),
   * and of the two around it with as many digits, the output is the one that reads back, or the
   * closer (even on a tie) when both do.
   */
  private static void assertShortestAndClosest(double v, String text) {
    BigDecimal exact = new BigDecimal(v);
    BigDecimal written = new BigDecimal(text);
    int n = written.stripTrailingZeros().precision();
    if (Math.abs(v) <= LARGEST_TWO_DIGIT) {
      n = 2;
    } else if (n > 1) {
      for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
        BigDecimal shorter = exact.round(new MathContext(n - 1, mode));
        assertThat(Double.parseDouble(shorter.toString()))
            .as("%s written as %s, but %s reads back", Double.toString(v), text, shorter)
            .isNotEqualTo(v);
      }
    }
    BigDecimal down = exact.round(new MathContext(n, RoundingMode.DOWN));
    BigDecimal up = exact.round(new MathContext(n, RoundingMode.UP));
    boolean downReads = Double.parseDouble(down.toString()) == v;
    boolean upReads = Double.parseDouble(up.toString()) == v;
    BigDecimal expected =
        downReads && upReads
            ? exact.round(new MathContext(n, RoundingMode.HALF_EVEN))
            : downReads ? down : up;
    assertThat(written).as("%s", Double.toString(v)).isEqualByComparingTo(expected);
  }

  private static List<Double> edgeCases() {
    List<Double> values = new ArrayList<>();
    for (int e = -1074; e <= 1023; e++) {
      double p = Math.scalb(1.0, e);
      values.add(p);
      values.add(Math.nextUp(p));
      values.add(Math.nextDown(p));
    }
    for (int e = -323; e <= 308; e++) {
      double p = Double.parseDouble("1e" + e);
      values.add(p);
      values.add(Math.nextUp(p));
      values.add(Math.nextDown(p));
    }
    for (double v :
        new double[] {
          Double.MIN_VALUE,
          2 * Double.MIN_VALUE,
          21 * Double.MIN_VALUE,
          Double.MIN_NORMAL,
          Math.nextDown(Double.MIN_NORMAL),
          Math.nextUp(Double.MIN_NORMAL),
          Double.MAX_VALUE,
          Math.nextDown(Double.MAX_VALUE),
          0.001,
          0.0010000000000000002,
          9.999999999999998E-4,
          9.99999999999999E-4,
          0.0009999,
          1e7,
          9999999.999999998,
          9999999.99999999,
          9999999.0,
          10000001.0,
          1e7 + 0.5,
          0.5,
          0.25,
          1234.5,
          1e15,
          4.35,
          2.675,
          5e-324,
          1.7976931348623157e308
        }) {
      values.add(v);
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 2_000; i++) {
      values.add((double) random.nextInt(-100_000, 100_000));
      values.add((double) random.nextLong(1L << 53));
      values.add((double) random.nextLong()); // integers beyond 2^53, rounded
      values.add(random.nextLong(1L << 53) * 1000.0);
    }
    for (long i = 0; i <= 1000; i++) {
      values.add((double) i);
    }
    values.add((double) (1L << 53));
    values.add((double) ((1L << 53) - 1));
    values.replaceAll(Math::abs); // the tests write -v too
    values.removeIf(v -> v == 0 || !Double.isFinite(v));
    return values;
  }

  private static double csvLike(SplittableRandom random, int i) {
    return switch (i % 6) {
      case 0 -> random.nextDouble() * Math.pow(10, random.nextInt(-2, 7));
      case 1 -> random.nextDouble();
      case 2 -> random.nextGaussian() * Math.pow(10, random.nextInt(-15, 15));
      case 3 -> random.nextInt(-100_000, 100_000) / 100.0;
      case 4 -> random.nextInt(-1_000_000, 1_000_000);
      default -> Math.pow(2, random.nextInt(-1070, 1020)) * (1 + random.nextInt(4) / 4.0);
    };
  }

  private static int floorLog10(BigDecimal positive) {
    return positive.precision() - positive.scale() - 1;
  }

  /** Significant digits: from the first nonzero digit to the last. */
  private static int digits(String s) {
    int end = s.indexOf('E') < 0 ? s.length() : s.indexOf('E');
    int seen = 0; // digits from the first nonzero one on
    int significant = 0;
    for (int i = 0; i < end; i++) {
      char ch = s.charAt(i);
      if (ch >= '1' && ch <= '9' || ch == '0' && seen > 0) {
        seen++;
        if (ch != '0') {
          significant = seen;
        }
      }
    }
    return significant;
  }
}
