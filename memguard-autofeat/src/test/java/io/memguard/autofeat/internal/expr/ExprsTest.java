package io.memguard.autofeat.internal.expr;

import static io.memguard.autofeat.internal.expr.Exprs.abs;
import static io.memguard.autofeat.internal.expr.Exprs.add;
import static io.memguard.autofeat.internal.expr.Exprs.cos;
import static io.memguard.autofeat.internal.expr.Exprs.exp;
import static io.memguard.autofeat.internal.expr.Exprs.exp2;
import static io.memguard.autofeat.internal.expr.Exprs.log;
import static io.memguard.autofeat.internal.expr.Exprs.mul;
import static io.memguard.autofeat.internal.expr.Exprs.neg;
import static io.memguard.autofeat.internal.expr.Exprs.num;
import static io.memguard.autofeat.internal.expr.Exprs.pow;
import static io.memguard.autofeat.internal.expr.Exprs.reciprocal;
import static io.memguard.autofeat.internal.expr.Exprs.sin;
import static io.memguard.autofeat.internal.expr.Exprs.sqrt;
import static io.memguard.autofeat.internal.expr.Exprs.sub;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExprsTest {

  private static final Expr X = Exprs.sym(0, "x");
  private static final Expr Y = Exprs.sym(1, "y");
  private static final Expr Z = Exprs.sym(2, "z");
  private static final Expr X1 = Exprs.sym(0, "x1");
  private static final Expr X2 = Exprs.sym(1, "x2");
  private static final Expr X3 = Exprs.sym(2, "x3");

  private static void assertSame(Expr a, Expr b) {
    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(a.compareTo(b)).isZero();
    assertThat(a.toString()).isEqualTo(b.toString());
  }

  private static void assertDifferent(Expr a, Expr b) {
    assertThat(a).isNotEqualTo(b);
    assertThat(a.compareTo(b)).isNotZero();
    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
  }

  @Test
  void symbols_areTheSortedDistinctIndices_belowAndAbove63() {
    Expr a = Exprs.sym(0, "a");
    Expr b = Exprs.sym(5, "b");
    Expr c = Exprs.sym(62, "c");
    Expr d = Exprs.sym(63, "d");
    Expr e = Exprs.sym(100, "e");
    assertThat(Exprs.mul(Exprs.exp(Exprs.sub(c, a)), Exprs.sqrt(b)).symbols())
        .containsExactly(0, 5, 62);
    assertThat(Exprs.add(Exprs.abs(e), Exprs.mul(d, b)).symbols()).containsExactly(5, 63, 100);
    assertThat(Exprs.log(d).symbols()).containsExactly(63);
    assertThat(Exprs.exp(Exprs.mul(a, a)).symbolArray()).containsExactly(0);
    assertThat(Exprs.num(3).isConstant()).isTrue();
    assertThat(Exprs.sqrt(e).isConstant()).isFalse();
  }

  @Test
  void canonical_productCommutes() {
    assertSame(mul(X, Y), mul(Y, X));
    assertSame(mul(mul(X, Y), Z), mul(X, mul(Z, Y)));
    assertThat(mul(Y, X).toString()).isEqualTo("x*y");
  }

  @Test
  void canonical_sumCommutesAndAssociates() {
    assertSame(add(X, Y), add(Y, X));
    assertSame(add(add(X, Y), Z), add(X, add(Z, Y)));
    assertThat(add(X, Y).isAdd()).isTrue();
  }

  @Test
  void canonical_reciprocalOfReciprocal_isX() {
    assertSame(reciprocal(reciprocal(X)), X);
  }

  @Test
  void canonical_sqrtSquared_isX() {
    assertSame(pow(sqrt(X), 2), X);
  }

  @Test
  void canonical_logExp_isX() {
    assertSame(log(exp(X)), X);
  }

  @Test
  void canonical_expLog_isX() {
    assertSame(exp(log(X)), X);
  }

  @Test
  void canonical_sqrtOfSquare_isAbs() {
    assertSame(sqrt(pow(X, 2)), abs(X));
    assertThat(sqrt(pow(X, 2)).toString()).isEqualTo("abs(x)");
  }

  @Test
  void canonical_powerOfPower_multipliesExponents() {
    assertSame(pow(pow(X, 2), 3), pow(X, 6));
    assertThat(pow(X, 6).toString()).isEqualTo("x^6");
  }

  @Test
  void canonical_timesReciprocal_isConstantOne() {
    Expr e = mul(X, reciprocal(X));
    assertSame(e, num(1));
    assertThat(e.isConstant()).isTrue();
  }

  @Test
  void canonical_expSquared_isExpOfDouble() {
    assertSame(pow(exp(X), 2), exp(mul(num(2), X)));
    assertSame(mul(exp(X), exp(X)), exp(mul(num(2), X)));
  }

  @Test
  void canonical_reciprocalOfExp_isExpOfMinus() {
    assertSame(reciprocal(exp(X)), exp(neg(X)));
    assertThat(reciprocal(exp(X)).toString()).isEqualTo("exp(-x)");
  }

  @Test
  void canonical_squareOfProduct_distributes() {
    assertSame(pow(mul(X, Y), 2), mul(pow(X, 2), pow(Y, 2)));
  }

  @Test
  void canonical_notMerged_sqrtTimesSqrt() {
    assertDifferent(mul(sqrt(X), sqrt(Y)), sqrt(mul(X, Y)));
  }

  @Test
  void canonical_notMerged_absTimesAbs() {
    Expr e = mul(abs(X), abs(Y));
    assertThat(e).isInstanceOf(Mul.class);
    assertThat(e.toString()).isEqualTo("abs(x)*abs(y)");
  }

  @Test
  void canonical_notMerged_logOfSquare() {
    assertDifferent(log(pow(X, 2)), mul(num(2), log(X)));
    assertDifferent(log(pow(X, 2)), mul(num(2), log(abs(X))));
  }

  @Test
  void canonical_notMerged_expTimesExp() {
    assertDifferent(mul(exp(X), exp(Y)), exp(add(X, Y)));
  }

  @Test
  void canonical_notMerged_squaresOfSumsAndDifferences() {
    Expr d = pow(sub(X, Y), 2);
    Expr s = pow(add(X, Y), 2);
    assertThat(d).isInstanceOf(Pow.class);
    assertThat(s).isInstanceOf(Pow.class);
    assertThat(d.toString()).isEqualTo("(x - y)^2");
    assertThat(s.toString()).isEqualTo("(x + y)^2");
    assertDifferent(s, Exprs.addAll(List.of(pow(X, 2), mul(num(2), mul(X, Y)), pow(Y, 2))));
    // (y - x)^2 is the same function as (x - y)^2
    assertSame(pow(sub(Y, X), 2), d);
  }

  @Test
  void canonical_subtraction_printsLikeSympy() {
    assertThat(sub(X, Y).toString()).isEqualTo("x - y");
    assertThat(sub(Y, X).toString()).isEqualTo("-x + y");
    assertSame(neg(sub(X, Y)), sub(Y, X));
    assertSame(sub(X, X), num(0));
    assertSame(add(X, X), mul(num(2), X));
  }

  @Test
  void print_targetTerms() {
    assertThat(pow(add(X2, log(X1)), 3).toString()).isEqualTo("(x2 + log(x1))^3");
    assertThat(reciprocal(sub(X2, reciprocal(X3))).toString()).isEqualTo("1/(x2 - 1/x3)");
    assertThat(mul(X1, X2).toString()).isEqualTo("x1*x2");
    assertThat(exp(neg(X1)).toString()).isEqualTo("exp(-x1)");
    assertThat(div(X1, X2).toString()).isEqualTo("x1/x2");
    assertThat(sqrt(X1).toString()).isEqualTo("sqrt(x1)");
    assertThat(reciprocal(sqrt(X1)).toString()).isEqualTo("1/sqrt(x1)");
    assertThat(pow(X1, Rational.of(3, 2)).toString()).isEqualTo("x1^(3/2)");
    assertThat(exp2(add(X1, X2)).toString()).isEqualTo("2^(x1 + x2)");
    assertThat(add(num(1), X1).toString()).isEqualTo("x1 + 1");
    assertThat(sub(num(1), X1).toString()).isEqualTo("-x1 + 1");
    assertThat(mul(pow(X1, 2), X2).toString()).isEqualTo("x1^2*x2");
  }

  private static Expr div(Expr a, Expr b) {
    return Exprs.div(a, b);
  }

  @Test
  void canonical_absRules() {
    assertSame(abs(abs(X)), abs(X));
    assertSame(abs(pow(X, 2)), pow(X, 2));
    assertSame(abs(exp(X)), exp(X));
    assertSame(abs(reciprocal(X)), reciprocal(abs(X)));
    assertSame(abs(neg(X)), abs(X));
    assertSame(abs(sub(Y, X)), abs(sub(X, Y)));
    assertSame(pow(abs(X), 2), pow(X, 2));
    assertSame(abs(mul(num(-3), mul(pow(X, 2), Y))), mul(num(3), mul(pow(X, 2), abs(Y))));
  }

  @Test
  void canonical_expPullsOutLogs() {
    assertSame(exp(add(X, log(Y))), mul(Y, exp(X)));
    assertSame(exp(mul(num(2), log(Y))), pow(Y, 2));
    assertSame(exp(neg(log(Y))), reciprocal(Y));
  }

  @Test
  void canonical_trigSymmetry() {
    assertSame(cos(neg(X)), cos(X));
    assertSame(sin(neg(X)), neg(sin(X)));
    assertSame(cos(sub(Y, X)), cos(sub(X, Y)));
  }

  @Test
  void canonical_sqrtOfSixthPower_isAbsCubed() {
    assertSame(sqrt(pow(X, 6)), pow(abs(X), 3));
    assertSame(sqrt(pow(X, 4)), pow(X, 2));
    assertSame(sqrt(sqrt(X)), pow(X, Rational.of(1, 4)));
    assertSame(mul(X, pow(abs(X), 2)), pow(X, 3));
  }

  @Test
  void canonical_numericFactorDistributesOverSingleSum() {
    assertSame(mul(num(2), add(X, Y)), add(mul(num(2), X), mul(num(2), Y)));
    assertSame(sub(X, sub(Y, Z)), Exprs.addAll(List.of(X, neg(Y), Z)));
  }

  @Test
  void symbols_areSortedAndDistinct() {
    Expr e = mul(add(Z, log(X)), pow(Z, 2));
    assertThat(e.symbols()).containsExactly(0, 2);
    assertThat(num(3).symbols()).isEmpty();
  }

  @Test
  void evaluate_matchesStepByStepValues() {
    double[][] cols = {{0.5, 2.0, Double.NaN}, {-1.0, 0.25, 1.0}, {0.7, 0.2, 0.3}};
    Expr target = pow(add(X2, log(X1)), 3);
    double[] v = ExprEvaluator.evaluate(target, cols, 3);
    assertThat(v[0])
        .isCloseTo(Math.pow(-1.0 + Math.log(0.5), 3), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(v[2]).isNaN();
    Expr inv = reciprocal(sub(X2, reciprocal(X3)));
    double[] w = ExprEvaluator.evaluate(inv, cols, 3);
    assertThat(w[1])
        .isCloseTo(1.0 / (0.25 - 1.0 / 0.2), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(ExprEvaluator.evaluate(inv, new double[] {0.5, 0.25, 0.2}))
        .isCloseTo(w[1], org.assertj.core.data.Offset.offset(1e-15));
    assertThat(ExprEvaluator.evaluate(sqrt(X2), new double[] {0, -1.0, 0})).isNaN();
    assertThat(ExprEvaluator.evaluate(pow(X2, Rational.of(3, 2)), new double[] {0, -1.0, 0}))
        .isNaN();
  }

  /**
   * Property: for random trees, canonical forms of algebraically rebuilt trees agree, ordering is a
   * total order consistent with equals, and evaluation of the canonical form equals direct
   * evaluation where defined.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void canonical_randomTrees_orderIsConsistentAndValuesMatch(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Expr> all = new ArrayList<>();
    Set<Expr> set = new HashSet<>();
    double[] row = {0.7, 1.3, 0.4};
    for (int i = 0; i < 300; i++) {
      Tree t = randomTree(rnd, 3);
      Expr e = t.expr;
      all.add(e);
      set.add(e);
      double direct = t.value;
      double canon = ExprEvaluator.evaluate(e, row);
      if (Double.isFinite(direct) && Math.abs(direct) < 1e8) {
        assertThat(canon)
            .as("%s", e)
            .isCloseTo(
                direct, org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(direct))));
      }
    }
    for (Expr a : all) {
      for (Expr b : all) {
        int c = a.compareTo(b);
        assertThat(c == 0).isEqualTo(a.equals(b));
        assertThat(Integer.signum(c)).isEqualTo(-Integer.signum(b.compareTo(a)));
        if (a.equals(b)) {
          assertThat(a.hashCode()).isEqualTo(b.hashCode());
        }
      }
    }
    assertThat(set.size()).isLessThanOrEqualTo(all.size());
  }

  private record Tree(Expr expr, double value) {}

  private static Tree randomTree(SplittableRandom rnd, int depth) {
    double[] row = {0.7, 1.3, 0.4};
    if (depth == 0 || rnd.nextInt(4) == 0) {
      int s = rnd.nextInt(3);
      return new Tree(new Expr[] {X1, X2, X3}[s], row[s]);
    }
    Tree a = randomTree(rnd, depth - 1);
    switch (rnd.nextInt(10)) {
      case 0:
        return new Tree(reciprocal(a.expr), 1 / a.value);
      case 1:
        return new Tree(exp(a.expr), Math.exp(a.value));
      case 2:
        return new Tree(log(a.expr), Math.log(a.value));
      case 3:
        return new Tree(abs(a.expr), Math.abs(a.value));
      case 4:
        return new Tree(sqrt(a.expr), Math.sqrt(a.value));
      case 5:
        return new Tree(pow(a.expr, 2), a.value * a.value);
      case 6:
        {
          Tree b = randomTree(rnd, depth - 1);
          return new Tree(add(a.expr, b.expr), a.value + b.value);
        }
      case 7:
        {
          Tree b = randomTree(rnd, depth - 1);
          return new Tree(sub(a.expr, b.expr), a.value - b.value);
        }
      case 8:
        {
          Tree b = randomTree(rnd, depth - 1);
          return new Tree(mul(a.expr, b.expr), a.value * b.value);
        }
      default:
        return new Tree(pow(a.expr, 3), a.value * a.value * a.value);
    }
  }
}
