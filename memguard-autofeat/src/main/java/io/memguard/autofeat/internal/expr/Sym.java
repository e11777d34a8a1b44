package io.memguard.autofeat.internal.expr;

import java.util.BitSet;

/** A symbol node standing for start feature number {@link #index()}; immutable and thread-safe. */
public final class Sym extends Expr {

  private final int index;
  private final String name;

  Sym(int index, String name) {
    this.index = index;
    this.name = name;
  }

  /** The index of the start feature (the column in the engine's input). */
  public int index() {
    return index;
  }

  /** The printed name. */
  public String name() {
    return name;
  }

  @Override
  int kindRank() {
    return 1;
  }

  @Override
  int compareSameKind(Expr other) {
    Sym s = (Sym) other;
    int c = Integer.compare(index, s.index);
    return c != 0 ? c : name.compareTo(s.name);
  }

  @Override
  int computeHash() {
    return 0x2000 + index * 31 + name.hashCode();
  }

  @Override
  void collectSymbols(BitSet into) {
    into.set(index);
  }

  @Override
  long lowSymbolMask() {
    return index < 63 ? 1L << index : Long.MIN_VALUE;
  }

  @Override
  public int size() {
    return 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sym s && s.index == index && s.name.equals(name);
  }
}
