package io.memguard.autofeat.internal.expr;

import java.util.BitSet;
import java.util.List;

/**
 * A product node {@code coefficient * f1 * f2 * ...}; immutable and thread-safe.
 *
 * <p>In canonical form the factors are sorted, none is a product or a constant, no two share a
 * base, and either there are at least two factors or the coefficient is not one.
 */
public final class Mul extends Expr {

  private final Rational coefficient;
  private final Expr[] factors;

  Mul(Rational coefficient, Expr[] factors) {
    this.coefficient = coefficient;
    this.factors = factors;
  }

  /** The rational coefficient (never zero). */
  public Rational coefficient() {
    return coefficient;
  }

  /** The factors, sorted. */
  public List<Expr> factors() {
    return List.of(factors);
  }

  Expr[] factorArray() {
    return factors;
  }

  @Override
  int kindRank() {
    return 3;
  }

  @Override
  int compareSameKind(Expr other) {
    Mul m = (Mul) other;
    int c = compareArrays(factors, m.factors);
    return c != 0 ? c : coefficient.compareTo(m.coefficient);
  }

  @Override
  int computeHash() {
    return 0x5000 + hashArray(factors) * 31 + coefficient.hashCode();
  }

  @Override
  void collectSymbols(BitSet into) {
    for (Expr f : factors) {
      f.collectSymbols(into);
    }
  }

  @Override
  long lowSymbolMask() {
    long mask = 0;
    for (Expr f : factors) {
      mask |= f.lowSymbolMask();
    }
    return mask;
  }

  @Override
  public int size() {
    int s = 1;
    for (Expr f : factors) {
      s += f.size();
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Mul m) || m.hashCode() != hashCode() || !m.coefficient.equals(coefficient)) {
      return false;
    }
    return compareArrays(factors, m.factors) == 0;
  }
}
