package io.memguard.autofeat.internal.expr;

import java.util.BitSet;

/**
 * A power node {@code base^exponent} with a rational exponent other than 0 and 1; immutable and
 * thread-safe.
 *
 * <p>In canonical form the base is never a Pow, an exponential or a product raised to an integer.
 */
public final class Pow extends Expr {

  private final Expr base;
  private final Rational exponent;

  Pow(Expr base, Rational exponent) {
    this.base = base;
    this.exponent = exponent;
  }

  @Override
  public Expr base() {
    return base;
  }

  @Override
  public Rational exponent() {
    return exponent;
  }

  @Override
  int kindRank() {
    throw new AssertionError("Pow sorts by its base");
  }

  @Override
  int compareSameKind(Expr other) {
    throw new AssertionError("Pow sorts by its base");
  }

  @Override
  int computeHash() {
    return 0x4000 + base.hashCode() * 17 + exponent.hashCode();
  }

  @Override
  void collectSymbols(BitSet into) {
    base.collectSymbols(into);
  }

  @Override
  long lowSymbolMask() {
    return base.lowSymbolMask();
  }

  @Override
  public int size() {
    return 1 + base.size();
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Pow p
            && p.hashCode() == hashCode()
            && p.exponent.equals(exponent)
            && p.base.equals(base));
  }
}
