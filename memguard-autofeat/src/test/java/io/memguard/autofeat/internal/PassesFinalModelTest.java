package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.StreamedLogistic;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.testdata.Datasets;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassesFinalModelTest {

  private static final PathOptions FINAL = PathOptions.forFinalModel(TargetKind.CLASSIFICATION);
  private static final Expr X1 = Exprs.sym(0, "x1");
  private static final Expr X2 = Exprs.sym(1, "x2");
  private static final Expr X3 = Exprs.sym(2, "x3");
  private static final List<Expr> FEATURES =
      List.of(Exprs.mul(X1, X2), Exprs.log(X3), X1, X2, Exprs.mul(X1, X1));

  private static double[][] values(List<Expr> features, double[][] c, int n) {
    double[][] v = new double[features.size()][];
    for (int k = 0; k < v.length; k++) {
      v[k] = ExprEvaluator.evaluate(features.get(k), c, n);
    }
    return v;
  }

  private static double accuracy(LinearModel model, List<Expr> features, Datasets.Table t) {
    int n = t.rows();
    double[][] v = values(features, t.columns(), n);
    double[] row = new double[v.length];
    int right = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < row.length; k++) {
        row[k] = v[k][i];
      }
      right += model.predict(row) == t.target()[i] ? 1 : 0;
    }
    return (double) right / n;
  }

  private static LinearModel inMemory(List<Expr> features, Datasets.Table t) {
    return L1Models.fitFinal(
        TargetKind.CLASSIFICATION,
        values(features, t.columns(), t.rows()),
        t.rows(),
        t.target(),
        FINAL);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void fit_onASampleOfAllRows_predictsAsTheInMemoryModel(int classes) {
    Datasets.Table t = Datasets.classification(3_000, classes, 1);
    Datasets.Table test = Datasets.classification(5_000, classes, 2);

    PassesFinalModel.Fitted passes =
        PassesFinalModel.fit(FEATURES, t.columns(), t.rows(), t.target(), t.rows(), FINAL);

    assertThat(passes.sampleRows()).isEqualTo(t.rows());
    assertThat(passes.converged()).isTrue();
    assertThat(passes.features()).isEqualTo(FEATURES);
    LinearModel reference = inMemory(FEATURES, t);
    double[][] v = values(FEATURES, test.columns(), test.rows());
    double[] row = new double[v.length];
    int agree = 0;
    for (int i = 0; i < test.rows(); i++) {
      for (int k = 0; k < row.length; k++) {
        row[k] = v[k][i];
      }
      agree += passes.model().predict(row) == reference.predict(row) ? 1 : 0;
    }
    // the same objective from the same optimum: the same labels but at the boundary's rounding
    assertThat(agree).isGreaterThanOrEqualTo(test.rows() - 5);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void fit_onASampleOfFewRows_scoresAsTheInMemoryModelOnAllRows(int classes) {
    Datasets.Table t = Datasets.classification(30_000, classes, 3);
    Datasets.Table test = Datasets.classification(20_000, classes, 4);

    PassesFinalModel.Fitted passes =
        PassesFinalModel.fit(FEATURES, t.columns(), t.rows(), t.target(), 0, FINAL);

    assertThat(passes.sampleRows()).isBetween(4_000, 4_200);
    assertThat(passes.passes()).isLessThanOrEqualTo(30);
    double sampled = accuracy(passes.model(), FEATURES, test);
    double reference = accuracy(inMemory(FEATURES, t), FEATURES, test);
    assertThat(sampled).isGreaterThan(reference - 0.005);
  }

  @Test
  void stratifiedSample_hasEveryClassEvenARareOne_inAscendingDistinctRows() {
    int n = 50_000;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2; // two balanced classes
    }
    y[7] = 2;
    y[30_000] = 2;
    y[49_999] = 2; // a class of three rows

    int[] rows = PassesFinalModel.stratifiedSample(y, n, 1_000);

    assertThat(rows.length).isBetween(1_000, 1_010);
    for (int s = 1; s < rows.length; s++) {
      assertThat(rows[s]).isGreaterThan(rows[s - 1]);
    }
    long rare = Arrays.stream(rows).filter(i -> y[i] == 2).count();
    long ones = Arrays.stream(rows).filter(i -> y[i] == 1).count();
    assertThat(rare).isEqualTo(3);
    assertThat(ones).isBetween(490L, 510L);
    // spread over the rows, not the first thousand
    assertThat(rows[rows.length - 1]).isGreaterThan(n - 200);
    assertThat(PassesFinalModel.stratifiedSample(y, 100, 1_000)).hasSize(100);
  }

  @Test
  void fit_dropsAFeatureThatIsNotFiniteOnSomeRow_asTheInMemoryModelDoes() {
    Datasets.Table t = Datasets.classification(9_000, 2, 5);
    t.columns()[2][8_990] = 0; // log(x3) is infinite on one row of the last block
    List<Expr> features = List.of(Exprs.mul(X1, X2), Exprs.log(X3), X1);

    PassesFinalModel.Fitted passes =
        PassesFinalModel.fit(features, t.columns(), t.rows(), t.target(), 0, FINAL);

    assertThat(passes.features()).containsExactly(Exprs.mul(X1, X2), X1);
    assertThat(passes.model().coefficients()[0]).hasSize(2);
  }

  @Test
  void bytes_doNotGrowWithTheRows_andBoundWhatTheFitAllocates() {
    int sample = PassesFinalModel.MIN_SAMPLE_ROWS;
    assertThat(PassesFinalModel.bytes(FEATURES, 3, 200_000, sample, 3, FINAL))
        .isEqualTo(PassesFinalModel.bytes(FEATURES, 3, 20_000, sample, 3, FINAL));

    Datasets.Table t = Datasets.classification(200_000, 3, 6);
    allocated(t, 10_000); // loads the classes
    long fewer = allocated(t, 50_000);
    long all = allocated(t, t.rows());
    // the rows' values would be 5 x 200,000 doubles (8 MB): the fit holds a sample and one block,
    // and each class's fit on the sample allocates anew what the class before it dropped
    assertThat(all - fewer).isLessThan(64 * 1024);
    assertThat(all)
        .isLessThanOrEqualTo(
            PassesFinalModel.bytes(FEATURES, 3, t.rows(), sample, 3, FINAL)
                + 2 * StreamedLogistic.sampleFitBytes(FEATURES.size(), sample, FINAL));
  }

  /** Bytes the thread allocates fitting the first {@code n} rows of {@code t}. */
  private static long allocated(Datasets.Table t, int n) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    PassesFinalModel.fit(FEATURES, t.columns(), n, t.target(), 0, FINAL);
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void fit_tooFewRowsForTheFolds_isRefusedAndNotPossible() {
    Datasets.Table t = Datasets.classification(8, 2, 7);
    assertThat(PassesFinalModel.possible(8, FINAL)).isFalse();
    assertThatThrownBy(
            () -> PassesFinalModel.fit(List.of(X1), t.columns(), 8, t.target(), 8, FINAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too few");
  }
}
