package io.memguard.autofeat.internal.expr;

import java.util.Arrays;
import java.util.Objects;

/**
 * Evaluates expressions on columns of start-feature values, in double precision; stateless and thread-safe.
 *
 * <p>Evaluation never throws for numeric reasons: NaN inputs give NaN, values outside a function's domain give
 * NaN or infinities exactly as {@link Math} does.
 */
public final class ExprEvaluator {

    private ExprEvaluator() {}

    /**
     * Evaluates {@code e} row by row.
     *
     * @param e the expression
     * @param symbolColumns the column of every start feature, indexed by {@link Sym#index()}; only the columns of
     *     the symbols the expression uses are read and they must have at least {@code rows} values
     * @param rows the number of rows to evaluate
     * @return a new array of {@code rows} values
     * @throws IllegalArgumentException if a used column is missing or too short
     */
    public static double[] evaluate(Expr e, double[][] symbolColumns, int rows) {
        Objects.requireNonNull(e, "e");
        Objects.requireNonNull(symbolColumns, "symbolColumns");
        for (int s : e.symbols()) {
            if (s >= symbolColumns.length || symbolColumns[s] == null || symbolColumns[s].length < rows) {
                throw new IllegalArgumentException("column " + s + " missing or shorter than " + rows + " rows");
            }
        }
        double[] out = new double[rows];
        evalInto(e, symbolColumns, rows, out);
        return out;
    }

    private static void evalInto(Expr e, double[][] cols, int n, double[] out) {
        if (e instanceof Num c) {
            Arrays.fill(out, 0, n, c.value().doubleValue());
        } else if (e instanceof Sym s) {
            System.arraycopy(cols[s.index()], 0, out, 0, n);
        } else if (e instanceof Fn f) {
            evalInto(f.arg(), cols, n, out);
            applyFn(f.kind(), out, n);
        } else if (e instanceof Pow p) {
            evalInto(p.base(), cols, n, out);
            applyPow(p.exponent(), out, n);
        } else if (e instanceof Mul m) {
            double c = m.coefficient().doubleValue();
            Expr[] fs = m.factorArray();
            evalInto(fs[0], cols, n, out);
            double[] tmp = fs.length > 1 ? new double[n] : null;
            for (int k = 1; k < fs.length; k++) {
                evalInto(fs[k], cols, n, tmp);
                for (int i = 0; i < n; i++) {
                    out[i] *= tmp[i];
                }
            }
            if (c != 1.0) {
                for (int i = 0; i < n; i++) {
                    out[i] *= c;
                }
            }
        } else if (e instanceof Add a) {
            Arrays.fill(out, 0, n, a.constant().doubleValue());
            Expr[] ts = a.termArray();
            Rational[] cs = a.coefficientArray();
            double[] tmp = new double[n];
            for (int k = 0; k < ts.length; k++) {
                evalInto(ts[k], cols, n, tmp);
                double c = cs[k].doubleValue();
                for (int i = 0; i < n; i++) {
                    out[i] += c * tmp[i];
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

    private static void applyFn(FnKind kind, double[] v, int n) {
        switch (kind) {
            case EXP -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Math.exp(v[i]);
                }
            }
            case LOG -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Math.log(v[i]);
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Math.abs(v[i]);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    v[i] = kind.apply(v[i]);
                }
            }
        }
    }

    private static void applyPow(Rational e, double[] v, int n) {
        long num = e.numerator();
        long den = e.denominator();
        if (den == 1 && num == -1) {
            for (int i = 0; i < n; i++) {
                v[i] = 1.0 / v[i];
            }
        } else if (den == 1 && num == 2) {
            for (int i = 0; i < n; i++) {
                v[i] = v[i] * v[i];
            }
        } else if (den == 1 && num == 3) {
            for (int i = 0; i < n; i++) {
                v[i] = v[i] * v[i] * v[i];
            }
        } else if (den == 2 && num == 1) {
            for (int i = 0; i < n; i++) {
                v[i] = Math.sqrt(v[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
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
