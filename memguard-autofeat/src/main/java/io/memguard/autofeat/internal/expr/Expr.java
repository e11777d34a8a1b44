package io.memguard.autofeat.internal.expr;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A node of an immutable expression tree in canonical form; immutable and thread-safe.
 *
 * <p>Instances are only created by {@link Exprs}, whose factory methods canonicalise as they build:
 * two expressions that the canonical rules make equal are {@link #equals(Object) equal} and have
 * the same {@link #hashCode()}, so a {@code HashSet<Expr>} deduplicates proposals without comparing
 * strings. The order of {@link #compareTo(Expr)} is a deterministic total order used to sort
 * operands of sums and products; it is consistent with {@code equals}.
 *
 * <p>The node kinds are {@link Num} (rational constants), {@link Sym} (start features), {@link
 * Add}, {@link Mul}, {@link Pow} (rational exponents) and {@link Fn} (exp, log, abs, sin, cos,
 * 2^x). See {@code docs/autofeat.md} for the canonical rules.
 */
public abstract sealed class Expr implements Comparable<Expr> permits Num, Sym, Add, Mul, Pow, Fn {

  private int hash;
  private String text;
  private int[] symbols;

  Expr() {}

  /**
   * The sort rank of this node kind; Pow nodes sort by their base, see {@link #compareTo(Expr)}.
   */
  abstract int kindRank();

  /** Compares with a node of the same kind (never a Pow). */
  abstract int compareSameKind(Expr other);

  /** Structural hash, computed once. */
  abstract int computeHash();

  /** Adds the symbol indices used by this expression to {@code into}. */
  abstract void collectSymbols(BitSet into);

  /**
   * The symbols this expression uses as bits (bit i for symbol i), with the sign bit set when one
   * of them is 63 or more (then {@link #collectSymbols} tells them).
   */
  abstract long lowSymbolMask();

  /**
   * Whether the top-level node is a sum (sums at the top level are dropped by autofeat's final
   * filter).
   */
  public boolean isAdd() {
    return false;
  }

  /** Whether this expression uses no symbol, i.e. is a constant. */
  public boolean isConstant() {
    return symbolArray().length == 0;
  }

  /** The sorted, distinct indices of the start features (symbols) this expression uses. */
  public final int[] symbols() {
    return symbolArray().clone();
  }

  /** {@link #symbols()} without the copy: callers must not change it. */
  public final int[] symbolArray() {
    int[] s = symbols;
    if (s == null) {
      long mask = lowSymbolMask();
      if (mask >= 0) {
        // generation asks every proposal for its symbols: no set to allocate for each
        s = new int[Long.bitCount(mask)];
        for (int k = 0; mask != 0; mask &= mask - 1) {
          s[k++] = Long.numberOfTrailingZeros(mask);
        }
        symbols = s;
        return s;
      }
      BitSet bits = new BitSet();
      collectSymbols(bits);
      s = new int[bits.cardinality()];
      for (int k = 0, i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
        s[k++] = i;
      }
      symbols = s;
    }
    return s;
  }

  /** The number of nodes in this tree, a complexity measure. */
  public abstract int size();

  /**
   * The base of this node when seen as {@code base^exponent}: the base for a Pow, else this node.
   */
  Expr base() {
    return this;
  }

  /**
   * The exponent of this node when seen as {@code base^exponent}: the exponent for a Pow, else one.
   */
  Rational exponent() {
    return Rational.ONE;
  }

  @Override
  public final int compareTo(Expr o) {
    if (this == o) {
      return 0;
    }
    Expr b1 = base();
    Expr b2 = o.base();
    if (b1 != this || b2 != o) {
      int c = b1.compareTo(b2);
      if (c != 0) {
        return c;
      }
      return exponent().compareTo(o.exponent());
    }
    int c = Integer.compare(kindRank(), o.kindRank());
    return c != 0 ? c : compareSameKind(o);
  }

  @Override
  public final int hashCode() {
    int h = hash;
    if (h == 0) {
      h = computeHash();
      if (h == 0) {
        h = 1;
      }
      hash = h;
    }
    return h;
  }

  @Override
  public abstract boolean equals(Object o);

  /** A readable form, e.g. {@code (x2 + log(x1))^3} or {@code 1/(x2 - 1/x3)}. */
  @Override
  public final String toString() {
    String t = text;
    if (t == null) {
      t = ExprPrinter.print(this);
      text = t;
    }
    return t;
  }

  static int compareArrays(Expr[] a, Expr[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int c = a[i].compareTo(b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  static int compareArrays(Rational[] a, Rational[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int c = a[i].compareTo(b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  static int hashArray(Object[] a) {
    return Arrays.hashCode(a);
  }
}
