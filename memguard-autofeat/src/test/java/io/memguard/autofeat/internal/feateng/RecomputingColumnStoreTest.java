package io.memguard.autofeat.internal.feateng;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Exprs;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecomputingColumnStoreTest {

  /**
   * A gather of a recomputed column evaluates only the asked rows, and must give exactly what
   * reading the whole column and picking them gives, non-finite values' replacement included.
   */
  @ParameterizedTest
  @EnumSource(StoragePrecision.class)
  void gather_recomputedColumn_sameBitsAsReadingEveryRow(StoragePrecision precision) {
    int rows = 3000;
    SplittableRandom rnd = new SplittableRandom(7);
    ColumnStore store = ColumnStore.recomputing(precision, rows);
    double[][] start = new double[3][rows];
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < rows; i++) {
        start[s][i] = s == 2 ? rnd.nextInt(4) : rnd.nextGaussian() * 3;
      }
      store.add(start[s]);
    }
    store.prepareRecomputation(3);
    Expr a = Exprs.sym(0, "a");
    Expr b = Exprs.sym(1, "b");
    Expr c = Exprs.sym(2, "c");
    List<Expr> exprs =
        List.of(
            Exprs.mul(Exprs.exp(a), Exprs.pow(b, 3)),
            Exprs.add(Exprs.sqrt(Exprs.abs(a)), Exprs.mul(b, c)),
            // 1/c is infinite where c is 0: those rows take the mean of every row's finite values
            Exprs.reciprocal(c),
            Exprs.log(Exprs.abs(Exprs.sub(a, b))),
            Exprs.exp(Exprs.pow(a, 4)));
    double[][] symbols = new double[3][];
    for (int s = 0; s < 3; s++) {
      symbols[s] = store.read(s, new double[rows]).clone();
    }
    int[] asked = new int[2500];
    for (int i = 0; i < asked.length; i++) {
      asked[i] = rnd.nextInt(rows);
    }
    int[] noZeroC =
        java.util.stream.IntStream.range(0, rows).filter(i -> start[2][i] != 0).toArray();
    for (Expr e : exprs) {
      double[] v = ExprEvaluator.evaluate(e, symbols, rows);
      int slot = store.addRecomputable(e, v);
      double[] whole = store.read(slot, new double[rows]).clone();
      for (int[] subset : List.of(asked, noZeroC, new int[] {rows - 1, 0, 0})) {
        double[] dst = new double[subset.length + 3];
        store.gather(slot, subset, 0.25, 2.0, dst, new double[rows]);
        for (int i = 0; i < subset.length; i++) {
          assertThat(Double.doubleToRawLongBits(dst[i]))
              .as("%s, row %d", e, subset[i])
              .isEqualTo(Double.doubleToRawLongBits((whole[subset[i]] - 0.25) * 2.0));
        }
      }
    }
  }
}
