package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Exprs;
import java.util.List;

/**
 * The unary transformations of autofeat with their domain rules (judged on all training values of
 * the input); thread-safe.
 */
public enum Transformation {
  /** {@code 1/x}; only if no value is 0. */
  RECIPROCAL("1/"),
  /** {@code exp(x)}; only if every value is below 10. */
  EXP("exp"),
  /** {@code log(x)}; only if every value is >= 0 (a 0 then fails the finiteness test). */
  LOG("log"),
  /** {@code |x|}; only if some value is negative. */
  ABS("abs"),
  /** {@code sqrt(x)}; only if every value is >= 0. */
  SQRT("sqrt"),
  /** {@code x^2}; only if every |value| is below 1e6. */
  SQUARE("^2"),
  /** {@code x^3}; only if every |value| is below 1e4. */
  CUBE("^3"),
  /** {@code 1 + x}; always. */
  ONE_PLUS("1+"),
  /** {@code 1 - x}; always. */
  ONE_MINUS("1-"),
  /** {@code sin(x)}; always. */
  SIN("sin"),
  /** {@code cos(x)}; always. */
  COS("cos"),
  /** {@code exp(-x)}; only if every value is above -10. */
  EXP_NEG("exp-"),
  /** {@code 2^x}; only if every value is below 50. */
  EXP2("2^");

  /** autofeat's default set, in its order: 1/, exp, log, abs, sqrt, ^2, ^3. */
  public static final List<Transformation> DEFAULTS =
      List.of(RECIPROCAL, EXP, LOG, ABS, SQRT, SQUARE, CUBE);

  private final String label;

  Transformation(String label) {
    this.label = label;
  }

  /** autofeat's name for it, e.g. {@code "1/"} or {@code "^2"}. */
  public String label() {
    return label;
  }

  /**
   * The transformation named {@code label}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Transformation fromLabel(String label) {
    for (Transformation t : values()) {
      if (t.label.equals(label)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transformation '" + label + "'");
  }

  /** Whether the domain rule allows this transformation on a column with these statistics. */
  public boolean applicable(ColumnStats s) {
    return switch (this) {
      case RECIPROCAL -> !s.hasZero();
      case EXP -> s.max() < 10;
      case EXP_NEG -> s.min() > -10;
      case LOG, SQRT -> s.min() >= 0;
      case ABS -> s.min() < 0;
      case SQUARE -> s.max() < 1e6 && s.min() > -1e6;
      case CUBE -> s.max() < 1e4 && s.min() > -1e4;
      case EXP2 -> s.max() < 50;
      case ONE_PLUS, ONE_MINUS, SIN, COS -> true;
    };
  }

  /** The canonical expression of this transformation applied to {@code e}. */
  public Expr apply(Expr e) {
    return switch (this) {
      case RECIPROCAL -> Exprs.reciprocal(e);
      case EXP -> Exprs.exp(e);
      case LOG -> Exprs.log(e);
      case ABS -> Exprs.abs(e);
      case SQRT -> Exprs.sqrt(e);
      case SQUARE -> Exprs.pow(e, 2);
      case CUBE -> Exprs.pow(e, 3);
      case ONE_PLUS -> Exprs.add(Exprs.num(1), e);
      case ONE_MINUS -> Exprs.sub(Exprs.num(1), e);
      case SIN -> Exprs.sin(e);
      case COS -> Exprs.cos(e);
      case EXP_NEG -> Exprs.exp(Exprs.neg(e));
      case EXP2 -> Exprs.exp2(e);
    };
  }

  /** Writes the transformed values of {@code in[0..n)} to {@code out}, in double precision. */
  public void apply(double[] in, double[] out, int n) {
    apply(in, 0, out, n);
  }

  /**
   * Writes the transformed values of {@code in[from..from+n)} to {@code out[0..n)}: the same
   * arithmetic as {@link #apply(double[], double[], int)} on a column read in place (out may be in
   * when from is 0).
   */
  public void apply(double[] in, int from, double[] out, int n) {
    switch (this) {
      case RECIPROCAL -> {
        for (int i = 0; i < n; i++) {
          out[i] = 1.0 / in[from + i];
        }
      }
      case EXP -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.exp(in[from + i]);
        }
      }
      case LOG -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.log(in[from + i]);
        }
      }
      case ABS -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.abs(in[from + i]);
        }
      }
      case SQRT -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.sqrt(in[from + i]);
        }
      }
      case SQUARE -> {
        for (int i = 0; i < n; i++) {
          out[i] = in[from + i] * in[from + i];
        }
      }
      case CUBE -> {
        for (int i = 0; i < n; i++) {
          out[i] = in[from + i] * in[from + i] * in[from + i];
        }
      }
      case ONE_PLUS -> {
        for (int i = 0; i < n; i++) {
          out[i] = 1.0 + in[from + i];
        }
      }
      case ONE_MINUS -> {
        for (int i = 0; i < n; i++) {
          out[i] = 1.0 - in[from + i];
        }
      }
      case SIN -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.sin(in[from + i]);
        }
      }
      case COS -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.cos(in[from + i]);
        }
      }
      case EXP_NEG -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.exp(-in[from + i]);
        }
      }
      case EXP2 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.pow(2.0, in[from + i]);
        }
      }
    }
  }
}
