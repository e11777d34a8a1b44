package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AutoFeatModel#formulas()}: evaluated in the order {@link Formula} documents, they give the
 * model's features to the last bit; {@link AutoFeatModel#transformInto} gives the same.
 */
class FormulaTest {

  /** The order of operations {@link Formula}'s Javadoc states, written from it. */
  static double evaluate(Formula f, double[] row) {
    if (f instanceof Formula.Input in) {
      return row[in.index()];
    } else if (f instanceof Formula.Constant c) {
      return c.value();
    } else if (f instanceof Formula.Sum s) {
      double v = s.constant();
      for (int k = 0; k < s.terms().size(); k++) {
        v += s.coefficients().get(k) * evaluate(s.terms().get(k), row);
      }
      return v;
    } else if (f instanceof Formula.Product p) {
      double v = evaluate(p.factors().get(0), row);
      for (int k = 1; k < p.factors().size(); k++) {
        v *= evaluate(p.factors().get(k), row);
      }
      return p.coefficient() == 1.0 ? v : v * p.coefficient();
    } else if (f instanceof Formula.Power p) {
      return power(evaluate(p.base(), row), p.numerator(), p.denominator());
    }
    Formula.Function fn = (Formula.Function) f;
    double x = evaluate(fn.argument(), row);
    switch (fn.name()) {
      case "exp":
        return Math.exp(x);
      case "log":
        return Math.log(x);
      case "abs":
        return Math.abs(x);
      case "sin":
        return Math.sin(x);
      case "cos":
        return Math.cos(x);
      case "exp2":
        return Math.pow(2, x);
      default:
        throw new AssertionError(fn.name());
    }
  }

  private static double power(double x, long num, long den) {
    if (den == 1) {
      if (num == -1) {
        return 1.0 / x;
      } else if (num == 2) {
        return x * x;
      } else if (num == 3) {
        return x * x * x;
      }
      return Math.pow(x, num);
    }
    if (den == 2) {
      return num == 1 ? Math.sqrt(x) : Math.pow(Math.sqrt(x), num);
    }
    return x < 0 ? Double.NaN : Math.pow(x, num / (double) den);
  }

  @Test
  void formulas_evaluatedAsDocumented_giveTheModelsFeaturesToTheLastBit() {
    Dataset.Split split = TestData.synthetic();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("formulas");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(3)
                .build()
                .fit(scope, split.train())) {
      List<Formula> formulas = model.formulas();
      assertThat(formulas).hasSameSizeAs(model.features());
      assertThat(formulas).anyMatch(f -> !(f instanceof Formula.Input));
      Dataset test = split.test();
      double[][] expected = model.transform(test);
      List<String> inputs = model.inputNames();
      double[] row = new double[inputs.size()];
      for (int i = 0; i < test.rows(); i++) {
        for (int j = 0; j < inputs.size(); j++) {
          row[j] = test.column(inputs.get(j))[i];
        }
        for (int k = 0; k < formulas.size(); k++) {
          double v = evaluate(formulas.get(k), row);
          double want = Double.isInfinite(v) ? Double.NaN : v;
          assertThat(Double.doubleToLongBits(want))
              .as("feature %s, row %d", model.features().get(k), i)
              .isEqualTo(Double.doubleToLongBits(expected[k][i]));
        }
      }

      double[][] in = new double[inputs.size()][];
      for (int j = 0; j < inputs.size(); j++) {
        in[j] = test.column(inputs.get(j));
      }
      double[][] out = new double[formulas.size()][test.rows() + 3];
      model.transformInto(in, test.rows(), out);
      for (int k = 0; k < formulas.size(); k++) {
        assertThat(java.util.Arrays.copyOf(out[k], test.rows())).isEqualTo(expected[k]);
      }
      assertThatThrownBy(() -> model.transformInto(in, test.rows(), new double[1][]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one per feature");
    }
  }
}
