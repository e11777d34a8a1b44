package io.memguard.autofeat.internal.expr;

/** The unary functions an {@link Fn} node can apply; immutable and thread-safe. */
public enum FnKind {
  /** e^x. */
  EXP("exp"),
  /** natural logarithm. */
  LOG("log"),
  /** absolute value. */
  ABS("abs"),
  /** sine. */
  SIN("sin"),
  /** cosine. */
  COS("cos"),
  /** 2^x. */
  EXP2("2^");

  private final String label;

  FnKind(String label) {
    this.label = label;
  }

  /** The printed name. */
  public String label() {
    return label;
  }

  /** Applies the function to one value (NaN in, NaN out). */
  public double apply(double x) {
    return switch (this) {
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case ABS -> Math.abs(x);
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case EXP2 -> Math.pow(2.0, x);
    };
  }
}
