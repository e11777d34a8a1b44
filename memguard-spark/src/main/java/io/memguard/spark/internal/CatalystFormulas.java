package io.memguard.spark.internal;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.cos;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sin;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import io.memguard.autofeat.Formula;
import org.apache.spark.sql.Column;

/**
 * Compiles an AutoFeat {@link Formula} to a Spark column expression that Catalyst evaluates (no
 * UDF), with Java's double semantics where Spark SQL's differ: a division by zero gives an infinity
 * (Spark returns NULL or, under ANSI mode, fails), the logarithm of 0 is -infinity and of a
 * negative number NaN (Spark returns NULL), a NULL input reads as NaN, and an infinite feature
 * becomes NaN as in the model. The order of operations is {@link Formula}'s, so sums, products,
 * integer powers, square roots and absolute values give the model's bits; {@code exp}, {@code log},
 * {@code sin}, {@code cos} and non-trivial powers run on {@link StrictMath} in Spark and on {@link
 * Math} in the model, which may differ in the last bit.
 */
public final class CatalystFormulas {
  private static final double NAN = Double.NaN;

  private CatalystFormulas() {}

  /** The feature's column: the formula, with an infinite result as NaN. */
  public static Column feature(Formula f) {
    Column v = compile(f);
    return when(abs(v).equalTo(lit(Double.POSITIVE_INFINITY)), lit(NAN)).otherwise(v);
  }

  /** An input column by name, as a double; NULL as NaN. */
  public static Column input(String name) {
    return coalesce(col("`" + name.replace("`", "``") + "`").cast("double"), lit(NAN));
  }

  static Column compile(Formula f) {
    if (f instanceof Formula.Input in) {
      return input(in.name());
    } else if (f instanceof Formula.Constant c) {
      return lit(c.value());
    } else if (f instanceof Formula.Sum s) {
      Column v = lit(s.constant());
      for (int k = 0; k < s.terms().size(); k++) {
        v = v.plus(lit(s.coefficients().get(k)).multiply(compile(s.terms().get(k))));
      }
      return v;
    } else if (f instanceof Formula.Product p) {
      Column v = compile(p.factors().get(0));
      for (int k = 1; k < p.factors().size(); k++) {
        v = v.multiply(compile(p.factors().get(k)));
      }
      return p.coefficient() == 1.0 ? v : v.multiply(lit(p.coefficient()));
    } else if (f instanceof Formula.Power p) {
      return power(compile(p.base()), p.numerator(), p.denominator());
    } else if (f instanceof Formula.Function fn) {
      Column x = compile(fn.argument());
      return switch (fn.name()) {
        case "exp" -> exp(x);
        case "log" ->
            when(x.gt(lit(0.0)), log(x))
                .when(x.equalTo(lit(0.0)), lit(Double.NEGATIVE_INFINITY))
                .otherwise(lit(NAN));
        case "abs" -> abs(x);
        case "sin" -> sin(x);
        case "cos" -> cos(x);
        case "exp2" -> pow(lit(2.0), x);
        default ->
            throw new IllegalArgumentException(
                "no Spark expression for the function '" + fn.name() + "'");
      };
    }
    throw new IllegalArgumentException("unknown formula node " + f.getClass().getName());
  }

  private static Column power(Column x, long num, long den) {
    if (den == 1) {
      if (num == -1) {
        // pow(+-0, -1) is +-infinity, as 1.0 / +-0.0 in Java; Spark's division would not be
        return when(x.equalTo(lit(0.0)), pow(x, lit(-1.0))).otherwise(lit(1.0).divide(x));
      } else if (num == 2) {
        return x.multiply(x);
      } else if (num == 3) {
        return x.multiply(x).multiply(x);
      }
      return pow(x, lit((double) num));
    }
    if (den == 2) {
      Column r = sqrt(x);
      return num == 1 ? r : pow(r, lit((double) num));
    }
    return when(x.lt(lit(0.0)), lit(NAN)).otherwise(pow(x, lit(num / (double) den)));
  }
}
