package io.memguard.autofeat.internal.expr;

import java.util.BitSet;

/** A rational constant node; immutable and thread-safe. */
public final class Num extends Expr {

  static final Num ZERO = new Num(Rational.ZERO);
  static final Num ONE = new Num(Rational.ONE);
  static final Num MINUS_ONE = new Num(Rational.MINUS_ONE);

  private final Rational value;

  Num(Rational value) {
    this.value = value;
  }

  /** The constant's value. */
  public Rational value() {
    return value;
  }

  @Override
  int kindRank() {
    return 0;
  }

  @Override
  int compareSameKind(Expr other) {
    return value.compareTo(((Num) other).value);
  }

  @Override
  int computeHash() {
    return 0x1000 + value.hashCode();
  }

  @Override
  void collectSymbols(BitSet into) {}

  @Override
  long lowSymbolMask() {
    return 0;
  }

  @Override
  public int size() {
    return 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Num n && n.value.equals(value);
  }
}
