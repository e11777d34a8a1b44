package io.memguard.autofeat.internal.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Factory methods that build expressions directly in canonical form; stateless and thread-safe.
 *
 * <p>The rules (all exact for real arguments on the domain where the left side is defined):
 *
 * <ul>
 *   <li>sums and products are flattened, numeric parts folded, like terms and like bases collected,
 *       operands sorted; a numeric factor is distributed over a single sum ({@code -(x - y) = -x +
 *       y});
 *   <li>{@code (b^e)^k = b^(e*k)} for integer k, and also for non-integer k unless e is an even
 *       integer, where {@code (b^(2j))^k = |b|^(2jk)} (so {@code sqrt(x^2) = |x|}); integer powers
 *       distribute over products ({@code (x*y)^2 = x^2*y^2}); {@code |b|^(2j) = b^(2j)}; {@code
 *       exp(a)^k = exp(k*a)}, likewise for 2^a;
 *   <li>{@code log(exp(a)) = a}, {@code exp(log(b)) = b}, {@code exp(k*log(b)) = b^k}, log terms
 *       inside exp are pulled out as powers;
 *   <li>{@code abs} is dropped on non-negative forms (even powers, exp, abs, non-integer powers),
 *       moves inside odd integer powers and splits off the simplifiable factors of a product;
 *   <li>a sum whose leading coefficient is negative is negated under {@code abs}, even powers and
 *       {@code cos}, and pulled out of {@code sin}.
 * </ul>
 *
 * <p>Not merged (on purpose): {@code sqrt(x)*sqrt(y)}, {@code |x|*|y|}, {@code log(x^2)}, {@code
 * exp(x)*exp(y)}, {@code (x-y)^2}, {@code (x+y)^2}. Methods throw {@link ArithmeticException} if a
 * rational overflows.
 */
public final class Exprs {

  private Exprs() {}

  /** The constant {@code value}. */
  public static Expr num(Rational value) {
    if (value.isZero()) {
      return Num.ZERO;
    }
    if (value.isOne()) {
      return Num.ONE;
    }
    return value.equals(Rational.MINUS_ONE) ? Num.MINUS_ONE : new Num(value);
  }

  /** The integer constant {@code value}. */
  public static Expr num(long value) {
    return num(Rational.of(value));
  }

  /**
   * The symbol for start feature {@code index} printed as {@code name}.
   *
   * @throws IllegalArgumentException if {@code index < 0} or the name is blank
   */
  public static Expr sym(int index, String name) {
    Objects.requireNonNull(name, "name");
    if (index < 0 || name.isBlank()) {
      throw new IllegalArgumentException("bad symbol: index=" + index + ", name='" + name + "'");
    }
    return new Sym(index, name);
  }

  /** {@code a + b}. */
  public static Expr add(Expr a, Expr b) {
    return addAll(List.of(a, b));
  }

  /** {@code a - b}. */
  public static Expr sub(Expr a, Expr b) {
    return addAll(List.of(a, neg(b)));
  }

  /** {@code -a}. */
  public static Expr neg(Expr a) {
    return mulAll(List.of(Num.MINUS_ONE, a));
  }

  /** {@code a * b}. */
  public static Expr mul(Expr a, Expr b) {
    return mulAll(List.of(a, b));
  }

  /** {@code a / b}. */
  public static Expr div(Expr a, Expr b) {
    return mulAll(List.of(a, pow(b, Rational.MINUS_ONE)));
  }

  /** {@code 1 / a}. */
  public static Expr reciprocal(Expr a) {
    return pow(a, Rational.MINUS_ONE);
  }

  /** {@code sqrt(a) = a^(1/2)}. */
  public static Expr sqrt(Expr a) {
    return pow(a, Rational.HALF);
  }

  /** {@code a^k} for an integer k. */
  public static Expr pow(Expr a, long k) {
    return pow(a, Rational.of(k));
  }

  /** The canonical sum of {@code operands}. */
  public static Expr addAll(List<Expr> operands) {
    Rational constant = Rational.ZERO;
    TreeMap<Expr, Rational> terms = new TreeMap<>();
    List<Expr> queue = new ArrayList<>(operands);
    for (int i = 0; i < queue.size(); i++) {
      Expr t = Objects.requireNonNull(queue.get(i), "operand");
      if (t instanceof Num n) {
        constant = constant.plus(n.value());
      } else if (t instanceof Add a) {
        constant = constant.plus(a.constant());
        Expr[] ts = a.termArray();
        Rational[] cs = a.coefficientArray();
        for (int j = 0; j < ts.length; j++) {
          terms.merge(ts[j], cs[j], Rational::plus);
        }
      } else if (t instanceof Mul m && !m.coefficient().isOne()) {
        terms.merge(withoutCoefficient(m), m.coefficient(), Rational::plus);
      } else {
        terms.merge(t, Rational.ONE, Rational::plus);
      }
    }
    terms.values().removeIf(Rational::isZero);
    if (terms.isEmpty()) {
      return num(constant);
    }
    if (constant.isZero() && terms.size() == 1) {
      Map.Entry<Expr, Rational> e = terms.firstEntry();
      return scale(e.getValue(), e.getKey());
    }
    Expr[] ts = new Expr[terms.size()];
    Rational[] cs = new Rational[terms.size()];
    int k = 0;
    for (Map.Entry<Expr, Rational> e : terms.entrySet()) {
      ts[k] = e.getKey();
      cs[k] = e.getValue();
      k++;
    }
    return new Add(constant, ts, cs);
  }

  /** {@code c * t} where t is not a constant, not a sum and carries no coefficient of its own. */
  private static Expr scale(Rational c, Expr t) {
    if (c.isOne()) {
      return t;
    }
    if (t instanceof Mul m) {
      return new Mul(c, m.factorArray());
    }
    return new Mul(c, new Expr[] {t});
  }

  private static Expr withoutCoefficient(Mul m) {
    Expr[] f = m.factorArray();
    return f.length == 1 ? f[0] : new Mul(Rational.ONE, f);
  }

  /** The canonical product of {@code operands}. */
  public static Expr mulAll(List<Expr> operands) {
    Rational coef = Rational.ONE;
    TreeMap<Expr, Rational> powers = new TreeMap<>();
    List<Expr> queue = new ArrayList<>(operands);
    for (int i = 0; i < queue.size(); i++) {
      Expr f = Objects.requireNonNull(queue.get(i), "operand");
      if (f instanceof Num n) {
        if (n.value().isZero()) {
          return Num.ZERO;
        }
        coef = coef.times(n.value());
      } else if (f instanceof Mul m) {
        coef = coef.times(m.coefficient());
        queue.addAll(m.factors());
      } else {
        powers.merge(f.base(), f.exponent(), Rational::plus);
      }
    }
    List<Expr> out = new ArrayList<>(powers.size());
    List<Expr> redo = new ArrayList<>();
    for (Map.Entry<Expr, Rational> e : powers.entrySet()) {
      if (e.getValue().isZero()) {
        continue;
      }
      Expr p = pow(e.getKey(), e.getValue());
      if (p instanceof Num || p instanceof Mul) {
        redo.add(p);
      } else {
        out.add(p);
      }
    }
    if (!redo.isEmpty()) {
      List<Expr> again = new ArrayList<>(out);
      again.addAll(redo);
      again.add(num(coef));
      return mulAll(again);
    }
    if (out.isEmpty()) {
      return num(coef);
    }
    if (out.size() == 1) {
      Expr only = out.get(0);
      if (coef.isOne()) {
        return only;
      }
      if (only instanceof Add a) {
        return distribute(coef, a);
      }
    }
    out.sort(null);
    for (int i = 1; i < out.size(); i++) {
      if (out.get(i).base().equals(out.get(i - 1).base())) {
        // e.g. x * |x|^2 where |x|^2 became x^2: collect once more
        List<Expr> again = new ArrayList<>(out);
        again.add(num(coef));
        return mulAll(again);
      }
    }
    return new Mul(coef, out.toArray(new Expr[0]));
  }

  private static Expr distribute(Rational c, Add a) {
    Expr[] ts = a.termArray();
    Rational[] cs = a.coefficientArray();
    Rational[] scaled = new Rational[cs.length];
    for (int i = 0; i < cs.length; i++) {
      scaled[i] = cs[i].times(c);
    }
    return new Add(a.constant().times(c), ts.clone(), scaled);
  }

  /** The canonical power {@code b^e}. */
  public static Expr pow(Expr b, Rational e) {
    Objects.requireNonNull(b, "base");
    Objects.requireNonNull(e, "exponent");
    if (e.isZero()) {
      return Num.ONE;
    }
    if (e.isOne()) {
      return b;
    }
    if (b instanceof Num n) {
      Rational v = n.value();
      if (v.isOne()) {
        return Num.ONE;
      }
      if (e.isInteger() && !(v.isZero() && e.isNegative())) {
        return num(v.pow(e.numerator()));
      }
      return new Pow(b, e);
    }
    if (b instanceof Pow p) {
      Rational inner = p.exponent();
      Rational product = inner.times(e);
      if (e.isInteger() || !inner.isEvenInteger() || product.isEvenInteger()) {
        return pow(p.base(), product);
      }
      return pow(abs(p.base()), product);
    }
    if (b instanceof Mul m) {
      if (!e.isInteger()) {
        return new Pow(b, e);
      }
      List<Expr> parts = new ArrayList<>();
      parts.add(num(m.coefficient().pow(e.numerator())));
      for (Expr f : m.factorArray()) {
        parts.add(pow(f, e));
      }
      return mulAll(parts);
    }
    if (b instanceof Add a) {
      if (e.isEvenInteger() && a.isNegativeLeading()) {
        return new Pow(neg(a), e);
      }
      return new Pow(b, e);
    }
    if (b instanceof Fn f) {
      switch (f.kind()) {
        case EXP:
          return exp(mul(num(e), f.arg()));
        case EXP2:
          return exp2(mul(num(e), f.arg()));
        case ABS:
          if (e.isEvenInteger()) {
            return pow(f.arg(), e);
          }
          return new Pow(b, e);
        default:
          return new Pow(b, e);
      }
    }
    return new Pow(b, e);
  }

  /** {@code e^a}. */
  public static Expr exp(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n && n.value().isZero()) {
      return Num.ONE;
    }
    if (a instanceof Fn f && f.kind() == FnKind.LOG) {
      return f.arg();
    }
    if (a instanceof Mul m
        && m.factorArray().length == 1
        && m.factorArray()[0] instanceof Fn f
        && f.kind() == FnKind.LOG) {
      return pow(f.arg(), m.coefficient());
    }
    if (a instanceof Add s) {
      List<Expr> pulled = new ArrayList<>();
      List<Expr> rest = new ArrayList<>();
      rest.add(num(s.constant()));
      Expr[] ts = s.termArray();
      Rational[] cs = s.coefficientArray();
      for (int i = 0; i < ts.length; i++) {
        if (ts[i] instanceof Fn f && f.kind() == FnKind.LOG) {
          pulled.add(pow(f.arg(), cs[i]));
        } else {
          rest.add(scale(cs[i], ts[i]));
        }
      }
      if (!pulled.isEmpty()) {
        pulled.add(exp(addAll(rest)));
        return mulAll(pulled);
      }
    }
    return new Fn(FnKind.EXP, a);
  }

  /** {@code 2^a}. */
  public static Expr exp2(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n && n.value().isZero()) {
      return Num.ONE;
    }
    return new Fn(FnKind.EXP2, a);
  }

  /** {@code log(a)}, the natural logarithm. */
  public static Expr log(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n && n.value().isOne()) {
      return Num.ZERO;
    }
    if (a instanceof Fn f && f.kind() == FnKind.EXP) {
      return f.arg();
    }
    return new Fn(FnKind.LOG, a);
  }

  /** {@code |a|}. */
  public static Expr abs(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n) {
      return num(n.value().abs());
    }
    if (a instanceof Fn f) {
      if (f.kind() == FnKind.ABS || f.kind() == FnKind.EXP || f.kind() == FnKind.EXP2) {
        return a;
      }
      return new Fn(FnKind.ABS, a);
    }
    if (a instanceof Pow p) {
      Rational e = p.exponent();
      if (e.isEvenInteger() || !e.isInteger()) {
        return a;
      }
      return pow(abs(p.base()), e);
    }
    if (a instanceof Mul m) {
      List<Expr> known = new ArrayList<>();
      List<Expr> unknown = new ArrayList<>();
      known.add(num(m.coefficient().abs()));
      for (Expr f : m.factorArray()) {
        Expr af = abs(f);
        if (af instanceof Fn g && g.kind() == FnKind.ABS) {
          unknown.add(g.arg());
        } else {
          known.add(af);
        }
      }
      if (unknown.size() == 1) {
        known.add(new Fn(FnKind.ABS, unknown.get(0)));
      } else if (unknown.size() > 1) {
        known.add(new Fn(FnKind.ABS, mulAll(unknown)));
      }
      return mulAll(known);
    }
    if (a instanceof Add s && s.isNegativeLeading()) {
      return new Fn(FnKind.ABS, neg(s));
    }
    return new Fn(FnKind.ABS, a);
  }

  /** {@code sin(a)}. */
  public static Expr sin(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n && n.value().isZero()) {
      return Num.ZERO;
    }
    if (hasNegativeSign(a)) {
      return neg(new Fn(FnKind.SIN, neg(a)));
    }
    return new Fn(FnKind.SIN, a);
  }

  /** {@code cos(a)}. */
  public static Expr cos(Expr a) {
    Objects.requireNonNull(a, "argument");
    if (a instanceof Num n && n.value().isZero()) {
      return Num.ONE;
    }
    if (hasNegativeSign(a)) {
      return new Fn(FnKind.COS, neg(a));
    }
    return new Fn(FnKind.COS, a);
  }

  private static boolean hasNegativeSign(Expr a) {
    return (a instanceof Mul m && m.coefficient().isNegative())
        || (a instanceof Add s && s.isNegativeLeading());
  }
}
