package io.memguard.autofeat.internal;

import java.math.BigInteger;

/**
 * Converts a decimal {@code w * 10^q} to the nearest double without making a string, for the CSV
 * scanner: Clinger's exact fast path when both factors are exact doubles, otherwise the
 * Eisel-Lemire method (a 64 x 128-bit product with a table of powers of five, built here with
 * {@link BigInteger}). Either answers only when it is sure of the correctly rounded result;
 * otherwise {@link #UNSURE} tells the caller to use {@link Double#parseDouble}. Stateless and
 * thread-safe.
 */
final class DecimalToDouble {

  /** Returned when the caller must decide with {@code parseDouble}. */
  static final long UNSURE = -1;

  private static final int MIN_Q = -342;
  // Parsing needs no more than 10^308; DoubleToDecimal needs 5^325 for the smallest subnormals.
  private static final int MAX_Q = 325;

  private static final double[] POW10 = new double[23];

  /** 5^q scaled into [2^127, 2^128): high and low 64 bits, and floor(log2(5^q)). */
  private static final long[] T_HI = new long[MAX_Q - MIN_Q + 1];

  private static final long[] T_LO = new long[MAX_Q - MIN_Q + 1];
  private static final int[] LOG2 = new int[MAX_Q - MIN_Q + 1];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
    BigInteger five = BigInteger.valueOf(5);
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    for (int q = MIN_Q; q <= MAX_Q; q++) {
      BigInteger t;
      int log2;
      if (q >= 0) {
        BigInteger pow = five.pow(q);
        log2 = pow.bitLength() - 1;
        int shift = 127 - log2;
        t = shift >= 0 ? pow.shiftLeft(shift) : pow.shiftRight(-shift);
      } else {
        BigInteger pow = five.pow(-q);
        log2 = -pow.bitLength(); // 5^-k is no power of two: floor(log2) = -ceil(log2(5^k))
        t = BigInteger.ONE.shiftLeft(127 - log2).divide(pow);
      }
      T_HI[q - MIN_Q] = t.shiftRight(64).longValue();
      T_LO[q - MIN_Q] = t.and(mask).longValue();
      LOG2[q - MIN_Q] = log2;
    }
  }

  private DecimalToDouble() {}

  /** High word of 5^q scaled into [2^127, 2^128). */
  static long tHi(int q) {
    return T_HI[q - MIN_Q];
  }

  /** Low word of 5^q scaled into [2^127, 2^128). */
  static long tLo(int q) {
    return T_LO[q - MIN_Q];
  }

  /** floor(log2(5^q)). */
  static int log2(int q) {
    return LOG2[q - MIN_Q];
  }

  /**
   * The bits of the double nearest to {@code w * 10^q} (positive), or {@link #UNSURE}.
   *
   * @param w the decimal digits, at most 18 of them (so 0 <= w < 10^18)
   * @param digits how many significant digits {@code w} has
   */
  static long bits(long w, int digits, int q) {
    if (w == 0) {
      return 0;
    }
    if (digits <= 15 && q >= -22 && q <= 22) {
      double v = q == 0 ? w : q > 0 ? w * POW10[q] : w / POW10[-q];
      return Double.doubleToRawLongBits(v);
    }
    if (q < MIN_Q || q > MAX_Q) {
      return UNSURE;
    }
    int lz = Long.numberOfLeadingZeros(w);
    long wn = w << lz;
    long tHi = T_HI[q - MIN_Q];
    long tLo = T_LO[q - MIN_Q];
    // P = wn * (tHi * 2^64 + tLo), 192 bits: hi, mid (the low word is dropped)
    long p1Hi = unsignedMultiplyHigh(wn, tLo);
    long p2Lo = wn * tHi;
    long p2Hi = unsignedMultiplyHigh(wn, tHi);
    long mid = p2Lo + p1Hi;
    long hi = p2Hi + (Long.compareUnsigned(mid, p2Lo) < 0 ? 1 : 0);
    int upper = (int) (hi >>> 63);
    int restBits = 9 + upper;
    long restMask = (1L << restBits) - 1;
    long m54 = hi >>> restBits;
    long rest = hi & restMask;
    // the table truncates 5^q, so the true product lies in [P, P + 2^64): a carry can reach the
    // bits we read only through an all-ones mid word
    if (mid == -1L && rest == restMask) {
      return UNSURE;
    }
    long round = m54 & 1;
    if (round == 1 && rest == 0 && mid == 0) {
      return UNSURE; // halfway, or just above it: only the dropped bits could tell
    }
    long m53 = (m54 >>> 1) + round;
    int exponent = 11 + upper - lz + q + LOG2[q - MIN_Q];
    if (m53 == 1L << 53) {
      m53 >>>= 1;
      exponent++;
    }
    int biased = exponent + 1075;
    if (biased < 1 || biased > 2046) {
      return UNSURE;
    }
    return ((long) biased << 52) | (m53 & ((1L << 52) - 1));
  }

  static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }
}
