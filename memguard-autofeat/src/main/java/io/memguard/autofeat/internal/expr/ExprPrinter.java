package io.memguard.autofeat.internal.expr;

import java.util.ArrayList;
import java.util.List;

/** Prints canonical expressions in a readable infix form; stateless and thread-safe. */
final class ExprPrinter {

  private ExprPrinter() {}

  static String print(Expr e) {
    StringBuilder sb = new StringBuilder();
    append(e, sb);
    return sb.toString();
  }

  private static void append(Expr e, StringBuilder sb) {
    if (e instanceof Num n) {
      sb.append(n.value());
    } else if (e instanceof Sym s) {
      sb.append(s.name());
    } else if (e instanceof Fn f) {
      appendFn(f, sb);
    } else if (e instanceof Pow p) {
      if (p.exponent().isNegative()) {
        sb.append("1/");
        appendPositivePower(p.base(), p.exponent().negate(), sb, true);
      } else {
        appendPositivePower(p.base(), p.exponent(), sb, false);
      }
    } else if (e instanceof Mul m) {
      appendProduct(m.coefficient(), m.factorArray(), sb);
    } else if (e instanceof Add a) {
      appendSum(a, sb);
    } else {
      throw new AssertionError(e.getClass());
    }
  }

  private static void appendFn(Fn f, StringBuilder sb) {
    if (f.kind() == FnKind.EXP2) {
      sb.append("2^");
      appendAtom(f.arg(), sb);
      return;
    }
    sb.append(f.kind().label()).append('(');
    append(f.arg(), sb);
    sb.append(')');
  }

  /**
   * {@code base^e} for e > 0; in a denominator an exponent of one still needs parentheses for sums.
   */
  private static void appendPositivePower(
      Expr base, Rational e, StringBuilder sb, boolean denominator) {
    if (e.equals(Rational.HALF)) {
      sb.append("sqrt(");
      append(base, sb);
      sb.append(')');
      return;
    }
    if (e.isOne()) {
      if (denominator) {
        appendAtom(base, sb);
      } else {
        append(base, sb);
      }
      return;
    }
    appendAtom(base, sb);
    sb.append('^');
    if (e.isInteger()) {
      sb.append(e);
    } else {
      sb.append('(').append(e).append(')');
    }
  }

  /**
   * Appends {@code e}, in parentheses unless it is a symbol, a non-negative integer or a plain
   * function call.
   */
  private static void appendAtom(Expr e, StringBuilder sb) {
    boolean plain =
        e instanceof Sym
            || (e instanceof Num n && n.value().isInteger() && !n.value().isNegative())
            || (e instanceof Fn f && f.kind() != FnKind.EXP2)
            || (e instanceof Pow p && p.exponent().equals(Rational.HALF));
    if (plain) {
      append(e, sb);
    } else {
      sb.append('(');
      append(e, sb);
      sb.append(')');
    }
  }

  private static void appendProduct(Rational coefficient, Expr[] factors, StringBuilder sb) {
    List<String> num = new ArrayList<>();
    List<String> den = new ArrayList<>();
    Rational a = coefficient.abs();
    if (a.numerator() != 1) {
      num.add(Long.toString(a.numerator()));
    }
    if (a.denominator() != 1) {
      den.add(Long.toString(a.denominator()));
    }
    for (Expr f : factors) {
      StringBuilder part = new StringBuilder();
      if (f.exponent().isNegative()) {
        appendPositivePower(f.base(), f.exponent().negate(), part, true);
        den.add(part.toString());
      } else {
        if (f instanceof Pow p) {
          appendPositivePower(p.base(), p.exponent(), part, false);
        } else {
          appendAtom(f, part);
        }
        num.add(part.toString());
      }
    }
    if (coefficient.isNegative()) {
      sb.append('-');
    }
    sb.append(num.isEmpty() ? "1" : String.join("*", num));
    if (!den.isEmpty()) {
      sb.append('/');
      if (den.size() == 1) {
        sb.append(den.get(0));
      } else {
        sb.append('(').append(String.join("*", den)).append(')');
      }
    }
  }

  private static void appendSum(Add a, StringBuilder sb) {
    Expr[] ts = a.termArray();
    Rational[] cs = a.coefficientArray();
    for (int i = 0; i < ts.length; i++) {
      Rational c = cs[i];
      if (i == 0) {
        if (c.isNegative()) {
          sb.append('-');
        }
      } else {
        sb.append(c.isNegative() ? " - " : " + ");
      }
      Expr[] factors = ts[i] instanceof Mul m ? m.factorArray() : new Expr[] {ts[i]};
      appendProduct(c.abs(), factors, sb);
    }
    Rational k = a.constant();
    if (!k.isZero()) {
      sb.append(k.isNegative() ? " - " : " + ").append(k.abs());
    }
  }
}
