package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SumsFinalModelTest {

  private static final PathOptions FINAL = PathOptions.forFinalModel(TargetKind.REGRESSION);
  private static final Expr X0 = Exprs.sym(0, "x0");
  private static final Expr X1 = Exprs.sym(1, "x1");
  private static final Expr X2 = Exprs.sym(2, "x2");

  /** x in [0.5, 3), far from 0 for x2 (values near 1e4), y = 2 x0 x1 - 3 log(x1) + x2 + noise. */
  private static double[][] columns(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] c = new double[3][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = r.nextDouble(0.5, 3);
      c[1][i] = r.nextDouble(0.5, 3);
      c[2][i] = 1e4 + r.nextDouble(0.5, 3);
    }
    return c;
  }

  private static double[] target(double[][] c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = c[0].length;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = 2 * c[0][i] * c[1][i] - 3 * Math.log(c[1][i]) + c[2][i] + 0.3 * r.nextGaussian();
    }
    return y;
  }

  private static double[] predict(LinearModel model, List<Expr> features, double[][] c, int n) {
    double[][] values = new double[features.size()][];
    for (int k = 0; k < values.length; k++) {
      values[k] = ExprEvaluator.evaluate(features.get(k), c, n);
    }
    double[] out = new double[n];
    double[] row = new double[values.length];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < row.length; k++) {
        row[k] = values[k][i];
      }
      out[i] = model.predict(row);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1e8})
  void fit_predictsAsTheInMemoryFinalModel_onTheSameRowsAndFolds(double targetOffset) {
    int n = 20_000; // several blocks, the last one partial
    double[][] c = columns(n, 1);
    double[] y = target(c, 2);
    for (int i = 0; i < n; i++) {
      y[i] += targetOffset; // far from 0, the sums must not lose the target's spread
    }
    List<Expr> features =
        List.of(Exprs.mul(X0, X1), Exprs.log(X1), X2, Exprs.sqrt(X0), Exprs.mul(X0, X0));

    SumsFinalModel.Fitted sums = SumsFinalModel.fit(features, c, n, y, FINAL);

    double[][] values = new double[features.size()][];
    for (int k = 0; k < values.length; k++) {
      values[k] = ExprEvaluator.evaluate(features.get(k), c, n);
    }
    LinearModel inMemory = L1Models.fitFinal(TargetKind.REGRESSION, values, n, y, FINAL);
    assertThat(sums.features()).isEqualTo(features);
    double[] a = predict(sums.model(), features, c, n);
    double[] b = predict(inMemory, features, c, n);
    double ss = 0;
    double mean = 0;
    for (int i = 0; i < n; i++) {
      ss += (a[i] - b[i]) * (a[i] - b[i]);
      mean += y[i] / n;
    }
    double var = 0;
    for (double v : y) {
      var += (v - mean) * (v - mean) / n;
    }
    // two solvers to their tolerance: the same predictions to 1e-3 of the target's spread
    assertThat(Math.sqrt(ss / n)).isLessThan(1e-3 * Math.sqrt(var));
  }

  @Test
  void fit_dropsAFeatureThatIsNotFiniteOnSomeRow_asTheInMemoryModelDoes() {
    int n = 9_000;
    double[][] c = columns(n, 3);
    c[0][n - 10] = 0; // 1/x0 is infinite on one row of the last block
    double[] y = target(c, 4);
    Expr reciprocal = Exprs.reciprocal(X0);
    List<Expr> features = List.of(Exprs.mul(X0, X1), reciprocal, X2);

    SumsFinalModel.Fitted sums = SumsFinalModel.fit(features, c, n, y, FINAL);

    assertThat(sums.features()).containsExactly(Exprs.mul(X0, X1), X2);
    assertThat(sums.model().coefficients()[0]).hasSize(2);
  }

  @Test
  void bytes_doNotGrowWithTheRows_andBoundWhatTheFitAllocates() {
    List<Expr> features = List.of(Exprs.mul(X0, X1), Exprs.log(X1), X2);
    assertThat(SumsFinalModel.bytes(features, 200_000, FINAL))
        .isEqualTo(SumsFinalModel.bytes(features, 20_000, FINAL));

    int n = 200_000;
    double[][] c = columns(n, 5);
    double[] y = target(c, 6);
    SumsFinalModel.fit(features, c, 10_000, y, FINAL); // loads the classes first
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    SumsFinalModel.fit(features, c, n, y, FINAL);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // the rows' values would be 3 x 200,000 doubles (4.8 MB); the fit holds one block of them
    assertThat(allocated).isLessThanOrEqualTo(SumsFinalModel.bytes(features, n, FINAL));
  }

  @Test
  void fit_tooFewRowsForTheFolds_isRefusedAndNotPossible() {
    double[][] c = columns(8, 7);
    double[] y = target(c, 8);
    assertThat(SumsFinalModel.possible(8, FINAL)).isFalse();
    assertThatThrownBy(() -> SumsFinalModel.fit(List.of(X0), c, 8, y, FINAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too few");
  }
}
