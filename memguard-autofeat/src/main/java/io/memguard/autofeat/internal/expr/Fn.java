package io.memguard.autofeat.internal.expr;

import java.util.BitSet;

/** A unary function node {@code kind(arg)}; immutable and thread-safe. */
public final class Fn extends Expr {

  private final FnKind kind;
  private final Expr arg;

  Fn(FnKind kind, Expr arg) {
    this.kind = kind;
    this.arg = arg;
  }

  /** The function. */
  public FnKind kind() {
    return kind;
  }

  /** The argument. */
  public Expr arg() {
    return arg;
  }

  @Override
  int kindRank() {
    return 2;
  }

  @Override
  int compareSameKind(Expr other) {
    Fn f = (Fn) other;
    int c = Integer.compare(kind.ordinal(), f.kind.ordinal());
    return c != 0 ? c : arg.compareTo(f.arg);
  }

  @Override
  int computeHash() {
    return 0x3000 + kind.ordinal() * 131 + arg.hashCode() * 7;
  }

  @Override
  void collectSymbols(BitSet into) {
    arg.collectSymbols(into);
  }

  @Override
  long lowSymbolMask() {
    return arg.lowSymbolMask();
  }

  @Override
  public int size() {
    return 1 + arg.size();
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Fn f && f.kind == kind && f.hashCode() == hashCode() && f.arg.equals(arg));
  }
}
