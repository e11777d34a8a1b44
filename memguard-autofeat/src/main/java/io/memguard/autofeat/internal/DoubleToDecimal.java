package io.memguard.autofeat.internal;

import java.math.BigInteger;

/**
 * Writes a double as the shortest decimal that reads back to the same double, with the Schubfach
 * algorithm (R. Giulietti, "The Schubfach way to render doubles", 2020), which {@link
 * Double#toString} uses since JDK 19. The choice is made from the exact rounding interval of the
 * double, with no read-back: of the decimals with the fewest significant digits that round to the
 * double, the one closest to its exact value (the one with an even last digit on a tie). Below
 * {@code 1.0E-322}, where the interval spans several one- and two-digit decimals, the closest with
 * at most two digits is written, as {@code Double.toString} does since JDK 19 ({@code 4.9E-324} for
 * {@link Double#MIN_VALUE}, not {@code 5.0E-324}). So the output is that of JDK 19's {@code
 * Double.toString}; JDK 17's is sometimes a digit longer ({@code 1.9999999999999998E23} for {@code
 * 2.0E23}).
 *
 * <p>Plain notation from 10^-3 to 10^7, scientific ({@code 1.25E-7}) outside, with at least one
 * digit after the point; {@code NaN}, {@code Infinity}, {@code -Infinity}, {@code 0.0} and {@code
 * -0.0} as {@code Double.toString} writes them. Stateless and thread-safe.
 */
public final class DoubleToDecimal {

  private static final long[] POW10 = powers(10, 19);

  /** 5^0 to 5^23: a multiple of 5^24 is beyond the 2^55 the scaled significands stay below. */
  private static final long[] POW5 = powers(5, 24);

  /** base^0 to base^(count - 1). */
  private static long[] powers(long base, int count) {
    long[] out = new long[count];
    long p = 1;
    for (int i = 0; i < count; i++) {
      out[i] = p;
      p *= base;
    }
    return out;
  }

  private static final long HIDDEN_BIT = 1L << 52;
  private static final int MIN_EXPONENT = -1074;

  /** {@link DecimalToDouble}'s table holds 5^j exactly for 0 <= j <= 55 (5^55 < 2^128 < 5^56). */
  private static final int MAX_EXACT_POW5 = 55;

  private DoubleToDecimal() {}

  /** The most bytes {@link #write} writes: a sign, 17 digits, a point and {@code E-324}. */
  public static final int MAX_CHARS = 25;

  /** Appends {@code v}: the shortest decimal that reads back to {@code v}, as the class says. */
  public static void append(StringBuilder sb, double v) {
    byte[] text = new byte[MAX_CHARS];
    int end = write(text, 0, v);
    for (int i = 0; i < end; i++) {
      sb.append((char) text[i]);
    }
  }

  /**
   * Writes {@code v} as ASCII into {@code buf} from {@code pos} (which must have room for {@link
   * #MAX_CHARS} bytes) and returns the position after it.
   */
  public static int write(byte[] buf, int pos, double v) {
    long bits = Double.doubleToRawLongBits(v);
    int biased = (int) (bits >>> 52) & 0x7FF;
    long fraction = bits & (HIDDEN_BIT - 1);
    if (biased == 0x7FF) {
      return ascii(buf, pos, Double.toString(v)); // NaN, infinities
    }
    if (bits < 0) {
      buf[pos++] = '-';
    }
    if (biased == 0) {
      if (fraction == 0) {
        return ascii(buf, pos, "0.0");
      }
      return shortest(buf, pos, fraction, MIN_EXPONENT);
    }
    long c = fraction | HIDDEN_BIT;
    int q = biased - 1075;
    if (q <= 0 && q >= -52 && (c & ((1L << -q) - 1)) == 0) {
      // An integer below 2^53: its rounding interval is at most 1 wide, so nothing shorter than
      // the integer itself lies in it.
      return writeStripped(buf, pos, c >> -q, 0);
    }
    return shortest(buf, pos, c, q);
  }

  private static int ascii(byte[] buf, int pos, String text) {
    for (int i = 0; i < text.length(); i++) {
      buf[pos++] = (byte) text.charAt(i);
    }
    return pos;
  }

  /**
   * Writes the decimal chosen for {@code c * 2^q}. The rounding interval is [vl, vr] (open if c is
   * odd), held four times over so that its bounds are integers times 2^q. The exponent k is the
   * largest with 10^k no wider than the interval: the interval then holds at least one multiple of
   * 10^k and at most one of 10^(k+1). That one, if present, is the shortest; otherwise the shortest
   * are multiples of 10^k, and the closest to v is one of the two around it.
   */
  private static int shortest(byte[] buf, int pos, long c, int q) {
    int k;
    long cbl;
    if (c != HIDDEN_BIT || q == MIN_EXPONENT) {
      k = floorLog10Pow2(q);
      cbl = 4 * c - 2;
    } else {
      // a power of two: the double below is only half as far away
      k = floorLog10ThreeQuartersPow2(q);
      cbl = 4 * c - 1;
    }
    if (c < 3) {
      k--; // the two smallest subnormals: two-digit decimals lie on a grid one digit finer
    }
    long cb = 4 * c;
    long cbr = cb + 2;
    int j = -k;
    int h = 1 + q + j + DecimalToDouble.log2(j);
    long tHi = DecimalToDouble.tHi(j);
    long tLo = DecimalToDouble.tLo(j);
    boolean exactTable = j >= 0 && j <= MAX_EXACT_POW5;
    long vb = scaledRoundOdd(cb, h, q, k, tHi, tLo, exactTable);
    long vbl = scaledRoundOdd(cbl, h, q, k, tHi, tLo, exactTable);
    long vbr = scaledRoundOdd(cbr, h, q, k, tHi, tLo, exactTable);
    long open = c & 1; // an odd c rounds ties away from itself: the bounds are excluded
    long s = vb >> 2; // floor(v * 10^-k)
    if (s >= 100) {
      // below 100 (only subnormals below 1e-322), the closest of the two-digit decimals is wanted
      long sp = s / 10 * 10;
      long tp = sp + 10;
      boolean spIn = vbl + open <= sp << 2;
      boolean tpIn = (tp << 2) + open <= vbr;
      if (spIn != tpIn) {
        return writeStripped(buf, pos, spIn ? sp : tp, k);
      }
    }
    long t = s + 1;
    boolean sIn = vbl + open <= s << 2;
    boolean tIn = (t << 2) + open <= vbr;
    if (sIn != tIn) {
      return writeStripped(buf, pos, sIn ? s : t, k);
    }
    long fromMiddle = vb - ((s << 2) + 2);
    return writeStripped(buf, pos, fromMiddle < 0 || fromMiddle == 0 && (s & 1) == 0 ? s : t, k);
  }

  /**
   * x * 2^q * 10^-k rounded to odd: its floor, with the lowest bit set when it is not an integer.
   * Rounding to odd keeps every comparison with an even integer exact, which is all the caller
   * does. The table entry T holds 5^-k scaled to 128 bits, truncated; h aligns the product so that
   * its high word is the integer part.
   */
  private static long scaledRoundOdd(
      long x, int h, int q, int k, long tHi, long tLo, boolean exactTable) {
    long xs = x << h; // below 2^62: x < 2^55, h <= 7
    long lo = xs * tLo;
    long p1Hi = unsignedHigh(xs, tLo);
    long p2Lo = xs * tHi;
    long p2Hi = unsignedHigh(xs, tHi);
    long mid = p2Lo + p1Hi;
    long hi = p2Hi + (Long.compareUnsigned(mid, p2Lo) < 0 ? 1 : 0);
    if (exactTable) {
      return hi | ((mid | lo) != 0 ? 1 : 0);
    }
    // The exact product exceeds hi:mid:lo by xs times what the table truncated (a fraction of its
    // last bit): more than nothing, less than one unit of mid. Unless mid is all ones, that leaves
    // the integer part alone and makes the fraction nonzero.
    if (mid != -1L) {
      return hi | 1;
    }
    // Within 2^-64 of hi + 1, and exactly hi + 1 if an integer. With k > 0 (so q > k), it is one
    // when 5^k divides x, as it often does for doubles from 1e16 to 1e24.
    if (k > 0 && k < POW5.length && x % POW5[k] == 0) {
      return hi + 1;
    }
    return exactRoundOdd(x, q, k);
  }

  /**
   * {@code x * 2^q * 10^-k} rounded to odd, exactly; for the rare products the table cannot settle.
   */
  static long exactRoundOdd(long x, int q, int k) {
    BigInteger numerator = BigInteger.valueOf(x);
    BigInteger denominator = BigInteger.ONE;
    if (q >= 0) {
      numerator = numerator.shiftLeft(q);
    } else {
      denominator = denominator.shiftLeft(-q);
    }
    if (k <= 0) {
      numerator = numerator.multiply(BigInteger.TEN.pow(-k));
    } else {
      denominator = denominator.multiply(BigInteger.TEN.pow(k));
    }
    BigInteger[] quotientAndRemainder = numerator.divideAndRemainder(denominator);
    return quotientAndRemainder[0].longValueExact()
        | (quotientAndRemainder[1].signum() != 0 ? 1 : 0);
  }

  /** As {@link #shortest} computes it, for the tests. */
  static long scaledRoundOdd(long x, int q, int k) {
    int j = -k;
    return scaledRoundOdd(
        x,
        1 + q + j + DecimalToDouble.log2(j),
        q,
        k,
        DecimalToDouble.tHi(j),
        DecimalToDouble.tLo(j),
        j >= 0 && j <= MAX_EXACT_POW5);
  }

  /** The high word of the unsigned product, for {@code x >= 0}. */
  private static long unsignedHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((y >> 63) & x);
  }

  /** floor(q * log10(2)) for |q| <= 1100 (log10(2) in 41-bit fixed point; tested for all q). */
  static int floorLog10Pow2(int q) {
    return (int) ((q * 661_971_961_083L) >> 41);
  }

  /** floor(log10(3/4 * 2^q)) for |q| <= 1100. */
  static int floorLog10ThreeQuartersPow2(int q) {
    return (int) ((q * 661_971_961_083L - 274_743_187_321L) >> 41);
  }

  private static int writeStripped(byte[] buf, int pos, long digits, int q) {
    // by halves: a short decimal like 1234.5 comes as 17 digits with 12 zeros
    while (digits % 100_000_000 == 0) {
      digits /= 100_000_000;
      q += 8;
    }
    if (digits % 10_000 == 0) {
      digits /= 10_000;
      q += 4;
    }
    if (digits % 100 == 0) {
      digits /= 100;
      q += 2;
    }
    if (digits % 10 == 0) {
      digits /= 10;
      q++;
    }
    return write(buf, pos, digits, q);
  }

  /**
   * Writes digits * 10^q (digits not a multiple of 10), plain from 10^-3 to 10^7, else scientific.
   */
  private static int write(byte[] buf, int pos, long digits, int q) {
    int bits = 64 - Long.numberOfLeadingZeros(digits);
    int n = (bits * 1233) >>> 12; // floor(bits * log10(2)): the digit count or one less
    if (digits >= POW10[n]) {
      n++;
    }
    int x = n - 1 + q; // the decimal exponent of the first digit
    if (x >= -3 && x < 7) {
      if (x < 0) {
        buf[pos++] = '0';
        buf[pos++] = '.';
        for (int i = -1; i > x; i--) {
          buf[pos++] = '0';
        }
        return putDigits(buf, pos + n, digits);
      }
      if (n <= x + 1) {
        pos = putDigits(buf, pos + n, digits);
        for (int i = n; i <= x; i++) {
          buf[pos++] = '0';
        }
        buf[pos++] = '.';
        buf[pos++] = '0';
        return pos;
      }
      // the digits one place to the right, then the integer part moved back over the gap
      int end = putDigits(buf, pos + n + 1, digits);
      for (int i = 0; i <= x; i++) {
        buf[pos + i] = buf[pos + i + 1];
      }
      buf[pos + x + 1] = '.';
      return end;
    }
    int end = putDigits(buf, pos + n + 1, digits);
    buf[pos] = buf[pos + 1];
    buf[pos + 1] = '.';
    if (n == 1) {
      buf[end++] = '0';
    }
    buf[end++] = 'E';
    if (x < 0) {
      buf[end++] = '-';
      x = -x;
    }
    if (x >= 100) {
      buf[end++] = (byte) ('0' + x / 100);
      x %= 100;
      buf[end++] = TENS[x];
      buf[end++] = ONES[x];
    } else if (x >= 10) {
      buf[end++] = TENS[x];
      buf[end++] = ONES[x];
    } else {
      buf[end++] = (byte) ('0' + x);
    }
    return end;
  }

  /** Writes {@code digits} so that its last digit is at {@code end - 1}; returns {@code end}. */
  private static int putDigits(byte[] buf, int end, long digits) {
    int i = end;
    while (digits >= 100_000_000L) {
      long high = digits / 100_000_000L;
      i = putEightDigits(buf, i, (int) (digits - high * 100_000_000L));
      digits = high;
    }
    int d = (int) digits;
    while (d >= 100) {
      int high = d / 100;
      int pair = d - high * 100;
      buf[--i] = ONES[pair];
      buf[--i] = TENS[pair];
      d = high;
    }
    if (d >= 10) {
      buf[--i] = ONES[d];
      buf[--i] = TENS[d];
    } else {
      buf[--i] = (byte) ('0' + d);
    }
    return end;
  }

  /** Writes exactly eight digits (leading zeros included) ending before {@code end}. */
  private static int putEightDigits(byte[] buf, int end, int d) {
    for (int k = 0; k < 4; k++) {
      int high = d / 100;
      int pair = d - high * 100;
      buf[--end] = ONES[pair];
      buf[--end] = TENS[pair];
      d = high;
    }
    return end;
  }

  private static final byte[] TENS = new byte[100];
  private static final byte[] ONES = new byte[100];

  static {
    for (int i = 0; i < 100; i++) {
      TENS[i] = (byte) ('0' + i / 10);
      ONES[i] = (byte) ('0' + i % 10);
    }
  }
}
