package io.memguard.autofeat.internal.units;

import io.memguard.autofeat.internal.expr.Add;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Fn;
import io.memguard.autofeat.internal.expr.FnKind;
import io.memguard.autofeat.internal.expr.Mul;
import io.memguard.autofeat.internal.expr.Num;
import io.memguard.autofeat.internal.expr.Pow;
import io.memguard.autofeat.internal.expr.Sym;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The dimension of an expression over start features whose dimensions are known, or null where the
 * expression mixes dimensions (autofeat skips such a proposal, as pint refuses it): a sum's terms
 * must share one dimension (a constant term is dimensionless), the argument of {@code exp}, {@code
 * log}, {@code sin}, {@code cos} and {@code 2^} must be dimensionless, products add exponents and
 * powers scale them, {@code |x|} keeps them. Immutable and thread-safe.
 */
public final class ExprDimensions {

  private final Dimension[] symbols;

  /**
   * @param symbols the dimension of each start feature, indexed by {@link Sym#index()}
   */
  public ExprDimensions(List<Dimension> symbols) {
    this.symbols = symbols.toArray(new Dimension[0]);
    for (Dimension d : this.symbols) {
      Objects.requireNonNull(d, "dimension");
    }
  }

  /** Whether some start feature has a dimension (otherwise every expression is allowed). */
  public boolean any() {
    for (Dimension d : symbols) {
      if (!d.isNone()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code e} has one consistent dimension. */
  public boolean allows(Expr e) {
    return of(e) != null;
  }

  /**
   * The dimension of {@code e}, or null if it mixes dimensions or its exponents outgrow exact
   * arithmetic (units with very fine fractional exponents); either way the expression is left out.
   */
  public @Nullable Dimension of(Expr e) {
    try {
      return dimension(e);
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  private @Nullable Dimension dimension(Expr e) {
    if (e instanceof Num) {
      return Dimension.NONE;
    }
    if (e instanceof Sym s) {
      return s.index() < symbols.length ? symbols[s.index()] : Dimension.NONE;
    }
    if (e instanceof Mul m) {
      Dimension d = Dimension.NONE;
      for (Expr f : m.factors()) {
        Dimension fd = dimension(f);
        if (fd == null) {
          return null;
        }
        d = d.times(fd);
      }
      return d;
    }
    if (e instanceof Pow p) {
      Dimension b = dimension(p.base());
      return b == null ? null : b.pow(p.exponent());
    }
    if (e instanceof Add a) {
      Dimension d = a.constant().isZero() ? null : Dimension.NONE;
      for (Expr t : a.terms()) {
        Dimension td = dimension(t);
        if (td == null || (d != null && !d.equals(td))) {
          return null;
        }
        d = td;
      }
      return d;
    }
    Fn f = (Fn) e;
    Dimension arg = dimension(f.arg());
    if (arg == null) {
      return null;
    }
    if (f.kind() == FnKind.ABS) {
      return arg;
    }
    return arg.isNone() ? Dimension.NONE : null;
  }
}
