package io.memguard.autofeat;

import java.util.List;
import java.util.Objects;

/**
 * A selected feature's formula as a read-only tree ({@link AutoFeatModel#formulas()}), for code
 * that evaluates the features elsewhere: in SQL, in a query engine's expressions (memguard-spark
 * compiles them to Spark column expressions), in another language.
 *
 * <p>The model evaluates a formula in double precision exactly in this order, and an evaluation
 * that follows it gives the same bits:
 *
 * <ul>
 *   <li>{@link Input}: the input column's value.
 *   <li>{@link Constant}: the value.
 *   <li>{@link Sum}: {@code v = constant}, then {@code v += coefficients[k] * terms[k]} for each k
 *       in order (the constant is added first even when it is 0).
 *   <li>{@link Product}: {@code v = factors[0]}, then {@code v *= factors[k]} for each further k in
 *       order, then {@code v *= coefficient} unless the coefficient is 1.
 *   <li>{@link Power} {@code base^(numerator/denominator)}: {@code 1.0 / x} for -1; {@code x * x}
 *       for 2; {@code x * x * x} for 3; {@code Math.pow(x, numerator)} for other integers; {@code
 *       Math.sqrt(x)} for 1/2 and {@code Math.pow(Math.sqrt(x), numerator)} for other halves; else
 *       NaN for a negative {@code x} and {@code Math.pow(x, numerator / (double) denominator)}.
 *   <li>{@link Function}: {@code exp}, {@code log}, {@code abs}, {@code sin}, {@code cos} of {@link
 *       Math}, and {@code exp2} as {@code Math.pow(2, x)}.
 *   <li>The feature's value: an infinite result becomes NaN (intermediate infinities are kept).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public sealed interface Formula
    permits Formula.Input,
        Formula.Constant,
        Formula.Sum,
        Formula.Product,
        Formula.Power,
        Formula.Function {

  /** An input column, by name and by its position in {@link AutoFeatModel#inputNames()}. */
  record Input(String name, int index) implements Formula {
    /** Validates. */
    public Input {
      Objects.requireNonNull(name, "name");
    }
  }

  /** A constant. */
  record Constant(double value) implements Formula {}

  /** {@code constant + coefficients[0] * terms[0] + ...}, evaluated left to right. */
  record Sum(double constant, List<Double> coefficients, List<Formula> terms) implements Formula {
    /** Validates and copies. */
    public Sum {
      coefficients = List.copyOf(coefficients);
      terms = List.copyOf(terms);
      if (coefficients.size() != terms.size()) {
        throw new IllegalArgumentException(
            coefficients.size() + " coefficients for " + terms.size() + " terms");
      }
    }
  }

  /** {@code factors[0] * factors[1] * ... * coefficient}, evaluated left to right. */
  record Product(double coefficient, List<Formula> factors) implements Formula {
    /** Validates and copies. */
    public Product {
      factors = List.copyOf(factors);
      if (factors.isEmpty()) {
        throw new IllegalArgumentException("a product needs at least one factor");
      }
    }
  }

  /** {@code base^(numerator / denominator)}, the denominator positive. */
  record Power(Formula base, long numerator, long denominator) implements Formula {
    /** Validates. */
    public Power {
      Objects.requireNonNull(base, "base");
      if (denominator <= 0) {
        throw new IllegalArgumentException("denominator must be positive, got " + denominator);
      }
    }
  }

  /**
   * A function of one argument: {@code exp}, {@code log}, {@code abs}, {@code sin}, {@code cos},
   * {@code exp2}.
   */
  record Function(String name, Formula argument) implements Formula {
    /** Validates. */
    public Function {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(argument, "argument");
    }
  }
}
