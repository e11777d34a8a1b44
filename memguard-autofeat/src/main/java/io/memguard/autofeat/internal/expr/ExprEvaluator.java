package io.memguard.autofeat.internal.expr;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates expressions on columns of start-feature values, in double precision; stateless and
 * thread-safe.
 *
 * <p>Evaluation never throws for numeric reasons: NaN inputs give NaN, values outside a function's
 * domain give NaN or infinities exactly as {@link Math} does.
 */
public final class ExprEvaluator {

  private ExprEvaluator() {}

  /**
   * Evaluates {@code e} row by row.
   *
   * @param e the expression
   * @param symbolColumns the column of every start feature, indexed by {@link Sym#index()}; only
   *     the columns of the symbols the expression uses are read and they must have at least {@code
   *     rows} values
   * @param rows the number of rows to evaluate
   * @return a new array of {@code rows} values
   * @throws IllegalArgumentException if a used column is missing or too short
   */
  public static double[] evaluate(Expr e, double[][] symbolColumns, int rows) {
    requireColumns(e, symbolColumns, rows);
    double[] out = new double[rows];
    evaluateInto(e, symbolColumns, rows, out, new Work());
    return out;
  }

  /**
   * Evaluates {@code e} into {@code out}, like {@link #evaluate(Expr, double[][], int)} without
   * allocating the result.
   *
   * @param out at least {@code rows} values; overwritten
   * @throws IllegalArgumentException if a used column is missing or too short, or {@code out} is
   *     too short
   */
  public static void evaluateInto(Expr e, double[][] symbolColumns, int rows, double[] out) {
    evaluateInto(e, symbolColumns, rows, out, new Work());
  }

  /**
   * Like {@link #evaluateInto(Expr, double[][], int, double[])}, with temporaries taken from (and
   * kept in) {@code work}, so repeated evaluations allocate nothing.
   */
  public static void evaluateInto(
      Expr e, double[][] symbolColumns, int rows, double[] out, Work work) {
    requireColumns(e, symbolColumns, rows);
    if (out.length < rows) {
      throw new IllegalArgumentException("out has " + out.length + " values, need " + rows);
    }
    double[][] temps = work.temporaries(temporaries(e), Math.min(rows, BLOCK));
    for (int from = 0; from < rows; from += BLOCK) {
      evalBlock(e, symbolColumns, from, Math.min(BLOCK, rows - from), out, temps, 0);
    }
  }

  /**
   * Evaluates rows {@code [from, from + n)} of {@code e} into {@code out[at, at + n)}; temporaries
   * of at most {@link #workBytes} bytes.
   *
   * @throws IllegalArgumentException if a used column is missing or too short, or {@code out} is
   *     too short
   */
  public static void evaluateRange(
      Expr e, double[][] symbolColumns, int from, int n, double[] out, int at) {
    evaluateRange(e, symbolColumns, from, n, out, at, new Work());
  }

  /**
   * Like {@link #evaluateRange(Expr, double[][], int, int, double[], int)}, with temporaries taken
   * from (and kept in) {@code work}.
   */
  public static void evaluateRange(
      Expr e, double[][] symbolColumns, int from, int n, double[] out, int at, Work work) {
    requireColumns(e, symbolColumns, from + n);
    if (out.length < at + n) {
      throw new IllegalArgumentException("out has " + out.length + " values, need " + (at + n));
    }
    double[][] temps = work.temporaries(temporaries(e), Math.min(n, BLOCK));
    for (int done = 0; done < n; done += BLOCK) {
      int len = Math.min(BLOCK, n - done);
      evalBlockInto(e, symbolColumns, null, from + done, len, out, at + done, temps, 0);
    }
  }

  /**
   * Evaluates {@code e} at the start features' rows {@code rows[0], rows[1], ...} into {@code
   * out[0, rows.length)}: the same values, bit for bit, as evaluating every row and reading those.
   *
   * @throws IllegalArgumentException if a used column is missing, or {@code out} is too short
   * @throws ArrayIndexOutOfBoundsException if a row is outside a used column
   */
  public static void evaluateRows(
      Expr e, double[][] symbolColumns, int[] rows, double[] out, Work work) {
    Objects.requireNonNull(rows, "rows");
    requireColumns(e, symbolColumns, 0);
    int n = rows.length;
    if (out.length < n) {
      throw new IllegalArgumentException("out has " + out.length + " values, need " + n);
    }
    double[][] temps = work.temporaries(temporaries(e), Math.min(n, BLOCK));
    for (int done = 0; done < n; done += BLOCK) {
      evalBlockInto(e, symbolColumns, rows, done, Math.min(BLOCK, n - done), out, done, temps, 0);
    }
  }

  /**
   * Throws {@link IllegalArgumentException} unless every column {@code e} uses is there with at
   * least {@code length} values.
   */
  private static void requireColumns(Expr e, double[][] symbolColumns, int length) {
    Objects.requireNonNull(e, "e");
    Objects.requireNonNull(symbolColumns, "symbolColumns");
    for (int s : e.symbolArray()) {
      if (s >= symbolColumns.length || symbolColumns[s] == null) {
        throw new IllegalArgumentException("column " + s + " missing");
      }
      if (symbolColumns[s].length < length) {
        throw new IllegalArgumentException(
            "column " + s + " has " + symbolColumns[s].length + " values, need " + length);
      }
    }
  }

  /**
   * The temporaries of blockwise evaluations, kept between them: at most one block of {@value
   * #BLOCK} values per nesting level of the deepest expression evaluated with it. Not thread-safe:
   * one per thread.
   */
  public static final class Work {
    private double[][] temps = new double[0][];

    /** At least {@code count} arrays of at least {@code length} values. */
    double[][] temporaries(int count, int length) {
      if (temps.length < count) {
        temps = Arrays.copyOf(temps, count);
      }
      for (int k = 0; k < count; k++) {
        if (temps[k] == null || temps[k].length < length) {
          temps[k] = new double[length];
        }
      }
      return temps;
    }

    /** The heap bytes the kept temporaries take. */
    public long bytes() {
      long b = 16 + 8L * temps.length;
      for (double[] t : temps) {
        b += t == null ? 0 : 16 + 8L * t.length;
      }
      return b;
    }
  }

  /**
   * Rows evaluated at a time: each node's temporary holds this many values, whatever the row count.
   */
  public static final int BLOCK = 1024;

  /**
   * Heap bytes one vectorised evaluation of {@code e} allocates besides its result: one block of
   * temporaries per nesting level of sums and products (an upper bound).
   */
  public static long workBytes(Expr e, int rows) {
    return 16 + 8L * (e.size() + 1) + (long) temporaries(e) * (16 + 8L * Math.min(rows, BLOCK));
  }

  /**
   * The temporaries a blockwise evaluation of {@code e} needs: one per level of nested sums and
   * products.
   */
  private static int temporaries(Expr e) {
    if (e instanceof Fn f) {
      return temporaries(f.arg());
    } else if (e instanceof Pow p) {
      return temporaries(p.base());
    } else if (e instanceof Mul m) {
      int most = 0;
      Expr[] fs = m.factorArray();
      for (int k = 0; k < fs.length; k++) {
        most = Math.max(most, temporaries(fs[k]) + (k > 0 ? 1 : 0));
      }
      return most;
    } else if (e instanceof Add a) {
      int most = 0;
      for (Expr t : a.termArray()) {
        most = Math.max(most, temporaries(t) + 1);
      }
      return most;
    }
    return 0;
  }

  /**
   * Evaluates rows {@code [from, from + n)} of {@code e} into {@code out[from..]}, temporaries from
   * depth on.
   */
  private static void evalBlock(
      Expr e, double[][] cols, int from, int n, double[] out, double[][] work, int depth) {
    evalBlockInto(e, cols, null, from, n, out, from, work, depth);
  }

  /**
   * Evaluates rows {@code [from, from + n)} of {@code e} into {@code out[at, at + n)}, temporaries
   * from depth on; with {@code rows}, row {@code i} is the start features' row {@code rows[i]}.
   */
  private static void evalBlockInto(
      Expr e,
      double[][] cols,
      int @Nullable [] rows,
      int from,
      int n,
      double[] out,
      int at,
      double[][] work,
      int depth) {
    if (e instanceof Num c) {
      Arrays.fill(out, at, at + n, c.value().doubleValue());
    } else if (e instanceof Sym s) {
      double[] col = cols[s.index()];
      if (rows == null) {
        System.arraycopy(col, from, out, at, n);
      } else {
        for (int i = 0; i < n; i++) {
          out[at + i] = col[rows[from + i]];
        }
      }
    } else if (e instanceof Fn f) {
      evalBlockInto(f.arg(), cols, rows, from, n, out, at, work, depth);
      applyFn(f.kind(), out, at, n);
    } else if (e instanceof Pow p) {
      evalBlockInto(p.base(), cols, rows, from, n, out, at, work, depth);
      applyPow(p.exponent(), out, at, n);
    } else if (e instanceof Mul m) {
      double c = m.coefficient().doubleValue();
      Expr[] fs = m.factorArray();
      evalBlockInto(fs[0], cols, rows, from, n, out, at, work, depth);
      if (fs.length > 1) {
        double[] tmp = work[depth];
        for (int k = 1; k < fs.length; k++) {
          evalBlockInto(fs[k], cols, rows, from, n, tmp, 0, work, depth + 1);
          for (int i = 0; i < n; i++) {
            out[at + i] *= tmp[i];
          }
        }
      }
      if (c != 1.0) {
        for (int i = 0; i < n; i++) {
          out[at + i] *= c;
        }
      }
    } else if (e instanceof Add a) {
      Arrays.fill(out, at, at + n, a.constant().doubleValue());
      Expr[] ts = a.termArray();
      Rational[] cs = a.coefficientArray();
      double[] tmp = work[depth];
      for (int k = 0; k < ts.length; k++) {
        evalBlockInto(ts[k], cols, rows, from, n, tmp, 0, work, depth + 1);
        double c = cs[k].doubleValue();
        for (int i = 0; i < n; i++) {
          out[at + i] += c * tmp[i];
        }
      }
    } else {
      throw new AssertionError(e.getClass());
    }
  }

  /** Evaluates {@code e} on one row of start-feature values. */
  public static double evaluate(Expr e, double[] row) {
    Objects.requireNonNull(e, "e");
    if (e instanceof Num c) {
      return c.value().doubleValue();
    } else if (e instanceof Sym s) {
      return row[s.index()];
    } else if (e instanceof Fn f) {
      return f.kind().apply(evaluate(f.arg(), row));
    } else if (e instanceof Pow p) {
      return power(evaluate(p.base(), row), p.exponent());
    } else if (e instanceof Mul m) {
      double v = m.coefficient().doubleValue();
      for (Expr f : m.factorArray()) {
        v *= evaluate(f, row);
      }
      return v;
    } else if (e instanceof Add a) {
      double v = a.constant().doubleValue();
      Expr[] ts = a.termArray();
      Rational[] cs = a.coefficientArray();
      for (int k = 0; k < ts.length; k++) {
        v += cs[k].doubleValue() * evaluate(ts[k], row);
      }
      return v;
    }
    throw new AssertionError(e.getClass());
  }

  private static void applyFn(FnKind kind, double[] v, int from, int n) {
    int to = from + n;
    switch (kind) {
      case EXP -> {
        for (int i = from; i < to; i++) {
          v[i] = Math.exp(v[i]);
        }
      }
      case LOG -> {
        for (int i = from; i < to; i++) {
          v[i] = Math.log(v[i]);
        }
      }
      case ABS -> {
        for (int i = from; i < to; i++) {
          v[i] = Math.abs(v[i]);
        }
      }
      default -> {
        for (int i = from; i < to; i++) {
          v[i] = kind.apply(v[i]);
        }
      }
    }
  }

  private static void applyPow(Rational e, double[] v, int from, int n) {
    long num = e.numerator();
    long den = e.denominator();
    int to = from + n;
    if (den == 1 && num == -1) {
      for (int i = from; i < to; i++) {
        v[i] = 1.0 / v[i];
      }
    } else if (den == 1 && num == 2) {
      for (int i = from; i < to; i++) {
        v[i] = v[i] * v[i];
      }
    } else if (den == 1 && num == 3) {
      for (int i = from; i < to; i++) {
        v[i] = v[i] * v[i] * v[i];
      }
    } else if (den == 2 && num == 1) {
      for (int i = from; i < to; i++) {
        v[i] = Math.sqrt(v[i]);
      }
    } else {
      for (int i = from; i < to; i++) {
        v[i] = power(v[i], e);
      }
    }
  }

  /** {@code x^e}; a non-integer power of a negative number is NaN. */
  static double power(double x, Rational e) {
    long num = e.numerator();
    long den = e.denominator();
    if (den == 1) {
      return switch ((int) Math.max(Math.min(num, 4), -3)) {
        case -1 -> 1.0 / x;
        case 2 -> x * x;
        case 3 -> x * x * x;
        default -> Math.pow(x, (double) num);
      };
    }
    if (den == 2) {
      double r = Math.sqrt(x);
      return num == 1 ? r : Math.pow(r, (double) num);
    }
    return x < 0 ? Double.NaN : Math.pow(x, e.doubleValue());
  }
}
