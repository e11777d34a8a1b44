package io.memguard.autofeat.internal.expr;

import java.util.BitSet;
import java.util.List;

/**
 * A sum node {@code constant + c1*t1 + c2*t2 + ...}; immutable and thread-safe.
 *
 * <p>In canonical form the terms are sorted and distinct, none is a sum, a constant or a product
 * with a coefficient other than one, every coefficient is non-zero, and there are at least two
 * terms or a non-zero constant.
 */
public final class Add extends Expr {

  private final Rational constant;
  private final Expr[] terms;
  private final Rational[] coefficients;

  Add(Rational constant, Expr[] terms, Rational[] coefficients) {
    this.constant = constant;
    this.terms = terms;
    this.coefficients = coefficients;
  }

  /** The constant term (may be zero). */
  public Rational constant() {
    return constant;
  }

  /** The non-constant terms, sorted. */
  public List<Expr> terms() {
    return List.of(terms);
  }

  /** The coefficients, parallel to {@link #terms()}. */
  public List<Rational> coefficients() {
    return List.of(coefficients);
  }

  Expr[] termArray() {
    return terms;
  }

  Rational[] coefficientArray() {
    return coefficients;
  }

  /**
   * Whether the leading term has a negative coefficient (such sums are negated under abs and even
   * powers).
   */
  boolean isNegativeLeading() {
    return coefficients[0].isNegative();
  }

  @Override
  public boolean isAdd() {
    return true;
  }

  @Override
  int kindRank() {
    return 4;
  }

  @Override
  int compareSameKind(Expr other) {
    Add a = (Add) other;
    int c = compareArrays(terms, a.terms);
    if (c != 0) {
      return c;
    }
    c = compareArrays(coefficients, a.coefficients);
    return c != 0 ? c : constant.compareTo(a.constant);
  }

  @Override
  int computeHash() {
    return 0x6000 + (hashArray(terms) * 31 + hashArray(coefficients)) * 31 + constant.hashCode();
  }

  @Override
  void collectSymbols(BitSet into) {
    for (Expr t : terms) {
      t.collectSymbols(into);
    }
  }

  @Override
  long lowSymbolMask() {
    long mask = 0;
    for (Expr t : terms) {
      mask |= t.lowSymbolMask();
    }
    return mask;
  }

  @Override
  public int size() {
    int s = 1;
    for (Expr t : terms) {
      s += t.size();
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Add a) || a.hashCode() != hashCode() || !a.constant.equals(constant)) {
      return false;
    }
    return compareArrays(terms, a.terms) == 0 && compareArrays(coefficients, a.coefficients) == 0;
  }
}
