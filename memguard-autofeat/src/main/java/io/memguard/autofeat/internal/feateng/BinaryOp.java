package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Exprs;
import java.util.List;

/** The binary combinations of autofeat, in its order: x+y, x*y, x-y, y-x; thread-safe. */
public enum BinaryOp {
  /** {@code x + y}. */
  ADD("x+y"),
  /** {@code x * y}. */
  MUL("x*y"),
  /** {@code x - y}. */
  SUB("x-y"),
  /** {@code y - x}. */
  RSUB("y-x");

  /** All operators, in autofeat's order. */
  public static final List<BinaryOp> ALL = List.of(ADD, MUL, SUB, RSUB);

  /** Only the product, used in the last step. */
  public static final List<BinaryOp> PRODUCT_ONLY = List.of(MUL);

  private final String label;

  BinaryOp(String label) {
    this.label = label;
  }

  /** autofeat's name for it. */
  public String label() {
    return label;
  }

  /** The canonical expression combining {@code x} and {@code y}. */
  public Expr apply(Expr x, Expr y) {
    return switch (this) {
      case ADD -> Exprs.add(x, y);
      case MUL -> Exprs.mul(x, y);
      case SUB -> Exprs.sub(x, y);
      case RSUB -> Exprs.sub(y, x);
    };
  }

  /** Writes {@code x[i] op y[i]} for {@code i < n} to {@code out}, in double precision. */
  public void apply(double[] x, double[] y, double[] out, int n) {
    apply(x, 0, y, 0, out, n);
  }

  /**
   * Writes {@code x[xFrom + i] op y[yFrom + i]} for {@code i < n} to {@code out[i]}, in double
   * precision: the same arithmetic as {@link #apply(double[], double[], double[], int)} on columns
   * read in place (out may be x or y when the offsets are 0).
   */
  public void apply(double[] x, int xFrom, double[] y, int yFrom, double[] out, int n) {
    switch (this) {
      case ADD -> {
        for (int i = 0; i < n; i++) {
          out[i] = x[xFrom + i] + y[yFrom + i];
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          out[i] = x[xFrom + i] * y[yFrom + i];
        }
      }
      case SUB -> {
        for (int i = 0; i < n; i++) {
          out[i] = x[xFrom + i] - y[yFrom + i];
        }
      }
      case RSUB -> {
        for (int i = 0; i < n; i++) {
          out[i] = y[yFrom + i] - x[xFrom + i];
        }
      }
    }
  }
}
