package io.memguard.autofeat.internal.expr;

/**
 * An exact rational number {@code num/den} with {@code den > 0} and {@code gcd(num, den) == 1},
 * used for exponents and coefficients of canonical expressions; immutable and thread-safe.
 *
 * <p>Arithmetic is exact and throws {@link ArithmeticException} on {@code long} overflow (callers
 * treat such a proposal as unusable).
 */
public final class Rational implements Comparable<Rational> {

  /** Zero. */
  public static final Rational ZERO = new Rational(0, 1);

  /** One. */
  public static final Rational ONE = new Rational(1, 1);

  /** Minus one. */
  public static final Rational MINUS_ONE = new Rational(-1, 1);

  /** Two. */
  public static final Rational TWO = new Rational(2, 1);

  /** One half. */
  public static final Rational HALF = new Rational(1, 2);

  private final long num;
  private final long den;

  private Rational(long num, long den) {
    this.num = num;
    this.den = den;
  }

  /** Returns the integer {@code value}. */
  public static Rational of(long value) {
    if (value == 0) {
      return ZERO;
    }
    if (value == 1) {
      return ONE;
    }
    return new Rational(value, 1);
  }

  /**
   * Returns {@code num/den} in lowest terms.
   *
   * @throws ArithmeticException if {@code den == 0}
   */
  public static Rational of(long num, long den) {
    if (den == 0) {
      throw new ArithmeticException("zero denominator: " + num + "/0");
    }
    if (den < 0) {
      num = Math.negateExact(num);
      den = Math.negateExact(den);
    }
    long g = gcd(Math.abs(num), den);
    if (g > 1) {
      num /= g;
      den /= g;
    }
    return num == 0 ? ZERO : (den == 1 ? of(num) : new Rational(num, den));
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a == 0 ? 1 : a;
  }

  /** The numerator (carries the sign). */
  public long numerator() {
    return num;
  }

  /** The denominator, always positive. */
  public long denominator() {
    return den;
  }

  /** {@code this + other}. */
  public Rational plus(Rational other) {
    if (den == other.den) {
      return of(Math.addExact(num, other.num), den);
    }
    return of(
        Math.addExact(Math.multiplyExact(num, other.den), Math.multiplyExact(other.num, den)),
        Math.multiplyExact(den, other.den));
  }

  /** {@code this * other}. */
  public Rational times(Rational other) {
    return of(Math.multiplyExact(num, other.num), Math.multiplyExact(den, other.den));
  }

  /** {@code -this}. */
  public Rational negate() {
    return of(Math.negateExact(num), den);
  }

  /** {@code |this|}. */
  public Rational abs() {
    return num < 0 ? negate() : this;
  }

  /** {@code this^k} for an integer {@code k} (negative allowed unless {@code this} is zero). */
  public Rational pow(long k) {
    if (k == 0) {
      return ONE;
    }
    if (k < 0) {
      if (num == 0) {
        throw new ArithmeticException("0^" + k);
      }
      return of(den, num).pow(-k);
    }
    long n = 1;
    long d = 1;
    for (long i = 0; i < k; i++) {
      n = Math.multiplyExact(n, num);
      d = Math.multiplyExact(d, den);
    }
    return of(n, d);
  }

  /** Whether this is an integer. */
  public boolean isInteger() {
    return den == 1;
  }

  /** Whether this is an even integer. */
  public boolean isEvenInteger() {
    return den == 1 && (num % 2) == 0;
  }

  /** Whether this is zero. */
  public boolean isZero() {
    return num == 0;
  }

  /** Whether this is one. */
  public boolean isOne() {
    return num == 1 && den == 1;
  }

  /** Whether this is negative. */
  public boolean isNegative() {
    return num < 0;
  }

  /** The signum: -1, 0 or 1. */
  public int signum() {
    return Long.signum(num);
  }

  /** The nearest double. */
  public double doubleValue() {
    return den == 1 ? (double) num : (double) num / (double) den;
  }

  @Override
  public int compareTo(Rational o) {
    if (den == o.den) {
      return Long.compare(num, o.num);
    }
    // exact comparison without overflow for the small values used here; fall back to doubles on
    // overflow
    try {
      return Long.compare(Math.multiplyExact(num, o.den), Math.multiplyExact(o.num, den));
    } catch (ArithmeticException e) {
      return Double.compare(doubleValue(), o.doubleValue());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rational r && r.num == num && r.den == den;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(num) * 31 + Long.hashCode(den);
  }

  /** {@code "3"}, {@code "-1/2"}. */
  @Override
  public String toString() {
    return den == 1 ? Long.toString(num) : num + "/" + den;
  }
}
