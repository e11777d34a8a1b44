package io.memguard.autofeat.internal;

/**
 * Writes a double as a decimal that reads back to the same double, fast: the value times a power of
 * ten, rounded to 17 significant digits with a 64 x 128-bit product (the table of {@link
 * DecimalToDouble}), then the nearest 15- and 16-digit decimals tried first, each kept only if
 * {@link DecimalToDouble} reads it back to the same bits. So the output has the fewest digits in
 * nearly every case (up to 17, like {@link Double#toString}) and always round-trips; when the
 * product cannot decide the rounding, or for subnormal values, it falls back to {@link
 * Double#toString}. Plain notation from 10^-3 to 10^7, scientific ({@code 1.25E-7}) outside, as
 * {@code Double.toString} writes. Stateless and thread-safe.
 */
public final class DoubleToDecimal {

  private static final long[] POW10 = new long[19];

  static {
    long p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private static final double LOG10_2 = 0.30102999566398119521;

  private DoubleToDecimal() {}

  /** Appends {@code v} (NaN and infinities as {@code Double.toString} writes them). */
  public static void append(StringBuilder sb, double v) {
    long bits = Double.doubleToRawLongBits(v);
    int biased = (int) ((bits >>> 52) & 0x7FF);
    if (biased == 0x7FF || biased == 0) {
      if (v == 0) {
        sb.append(bits < 0 ? "-0.0" : "0.0");
      } else {
        sb.append(v); // NaN, infinities, subnormals
      }
      return;
    }
    long m2 = (bits & ((1L << 52) - 1)) | (1L << 52);
    int e2 = biased - 1075;
    int lz = Long.numberOfLeadingZeros(m2);
    long m2n = m2 << lz;
    int exp2 = 63 + e2 - lz;
    int k = 16 - (int) Math.floor(exp2 * LOG10_2);
    long d17 = scaledRounded(m2n, e2 - lz, k);
    if (d17 >= POW10[17]) {
      k--;
      d17 = scaledRounded(m2n, e2 - lz, k);
    }
    if (d17 < POW10[16] || d17 >= POW10[17]) { // -1: the product could not decide
      sb.append(v);
      return;
    }
    long positive = bits & Long.MAX_VALUE;
    long digits = d17;
    int q = -k; // v ~ digits * 10^q
    // A shorter decimal reads back only if it lies within half an ulp of v: in units of d17's last
    // digit, half an ulp is d17 / m2 / 2 (between 0.55 and 11); one unit more covers d17's
    // rounding.
    double reach = d17 / (double) m2 / 2 + 1;
    long rest100 = d17 % 100;
    long shorter =
        Math.min(rest100, 100 - rest100) > reach ? 0 : shortest(d17, 100, positive, q + 2);
    if (shorter > 0) {
      digits = shorter;
      q += 2;
    } else {
      long rest10 = d17 % 10;
      shorter = Math.min(rest10, 10 - rest10) > reach ? 0 : shortest(d17, 10, positive, q + 1);
      if (shorter > 0) {
        digits = shorter;
        q += 1;
      }
    }
    while (digits % 10 == 0) {
      digits /= 10;
      q++;
    }
    if (bits < 0) {
      sb.append('-');
    }
    write(sb, digits, q);
  }

  /**
   * The nearest decimal with fewer digits ({@code d17 / divisor}, rounded) if it reads back to
   * {@code bits}, else 0. When d17 sits exactly between two of them (its dropped digits are half
   * the divisor) the exact value may lie on either side: both are tried.
   */
  private static long shortest(long d17, long divisor, long bits, int q) {
    long down = d17 / divisor;
    long rest = d17 % divisor;
    if (rest * 2 == divisor) {
      if (readsBack(down + 1, q, bits)) {
        return down + 1;
      }
      return readsBack(down, q, bits) ? down : 0;
    }
    long nearest = rest * 2 > divisor ? down + 1 : down;
    return readsBack(nearest, q, bits) ? nearest : 0;
  }

  private static boolean readsBack(long w, int q, long bits) {
    if (w == 0) {
      return false;
    }
    int n = 1;
    while (n < 18 && w >= POW10[n]) {
      n++;
    }
    return DecimalToDouble.bits(w, n, q) == bits;
  }

  /**
   * round(m2n * 2^e * 10^k) to an integer, or -1 when the product cannot decide the rounding or k
   * is outside the table.
   */
  private static long scaledRounded(long m2n, int e, int k) {
    if (k < DecimalToDouble.minQ() || k > DecimalToDouble.maxQ()) {
      return -1;
    }
    long tHi = DecimalToDouble.tHi(k);
    long tLo = DecimalToDouble.tLo(k);
    long p1Hi = DecimalToDouble.unsignedMultiplyHigh(m2n, tLo);
    long p2Lo = m2n * tHi;
    long p2Hi = DecimalToDouble.unsignedMultiplyHigh(m2n, tHi);
    long mid = p2Lo + p1Hi;
    long hi = p2Hi + (Long.compareUnsigned(mid, p2Lo) < 0 ? 1 : 0);
    // value = P / 2^s with P = hi * 2^128 + mid * 2^64 + (dropped), s from the exponents
    int s = 127 - e - k - DecimalToDouble.log2(k);
    int fb = s - 128; // fractional bits held in hi
    if (fb < 1 || fb > 62) {
      return -1;
    }
    long integer = hi >>> fb;
    long fracHi = hi & ((1L << fb) - 1);
    long halfHi = 1L << (fb - 1);
    // the true product exceeds the computed one by less than 2 units of mid
    if (fracHi >= halfHi) {
      return integer + 1;
    }
    if (fracHi < halfHi - 1) {
      return integer;
    }
    return Long.compareUnsigned(mid, -3L) < 0 ? integer : -1;
  }

  /** Writes digits * 10^q, plain from 10^-3 to 10^7, else scientific. */
  private static void write(StringBuilder sb, long digits, int q) {
    int n = 1;
    while (n < 19 && digits >= POW10[n]) {
      n++;
    }
    int x = n - 1 + q; // the decimal exponent of the first digit
    if (x >= -3 && x < 7) {
      if (x >= 0) {
        int integerDigits = x + 1;
        if (n <= integerDigits) {
          sb.append(digits);
          for (int i = n; i < integerDigits; i++) {
            sb.append('0');
          }
          sb.append(".0");
        } else {
          long scale = POW10[n - integerDigits];
          sb.append(digits / scale).append('.');
          appendPadded(sb, digits % scale, n - integerDigits);
        }
      } else {
        sb.append("0.");
        for (int i = 0; i < -x - 1; i++) {
          sb.append('0');
        }
        sb.append(digits);
      }
      return;
    }
    long scale = POW10[n - 1];
    sb.append(digits / scale).append('.');
    if (n == 1) {
      sb.append('0');
    } else {
      appendPadded(sb, digits % scale, n - 1);
    }
    sb.append('E').append(x);
  }

  private static void appendPadded(StringBuilder sb, long value, int width) {
    for (int i = width - 1; i > 0 && value < POW10[i]; i--) {
      sb.append('0');
    }
    sb.append(value);
  }
}
