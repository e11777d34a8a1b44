package io.memguard.autofeat.internal.feateng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.expr.Exprs;
import org.junit.jupiter.api.Test;

class DerivingColumnStoreTest {

  private static final double[] X = {1.5, -2.0, 0.25, 4.0};
  private static final double[] Y = {3.0, 0.5, -1.0, 2.0};

  @Test
  void derivedColumns_costNoValues_andReadTheirKernelOnTheParents() {
    ColumnStore s = ColumnStore.deriving(4);
    int x = s.add(X);
    int y = s.add(Y);
    long stored = s.bytesUsed();
    assertThat(s.bytesToAdd(true)).isZero();
    int sum = s.addDerived(Exprs.sym(0, "x"), null, BinaryOp.RSUB, x, y, new double[4]);
    int exp = s.addDerived(Exprs.sym(0, "x"), Transformation.EXP, null, x, -1, new double[4]);
    assertThat(s.bytesUsed()).isEqualTo(stored);
    assertThat(s.liveColumns()).isEqualTo(4);
    assertThat(s.read(sum, new double[4])).containsExactly(1.5, 2.5, -1.25, -2.0);
    assertThat(s.read(exp, null))
        .containsExactly(Math.exp(1.5), Math.exp(-2.0), Math.exp(0.25), Math.exp(4.0));
    double[] dst = new double[2];
    s.gather(sum, new int[] {3, 1}, 1.0, 2.0, dst, new double[4]);
    assertThat(dst).containsExactly(-6.0, 3.0);
    assertThat(s.get(exp, 2)).isEqualTo(Math.exp(0.25));
  }

  @Test
  void aReleasedParent_staysForItsReaders_andGoesWithTheLastOne() {
    ColumnStore s = ColumnStore.deriving(4);
    int x = s.add(X);
    int y = s.add(Y);
    int a = s.addDerived(Exprs.sym(0, "x"), null, BinaryOp.MUL, x, y, new double[4]);
    int b = s.addDerived(Exprs.sym(0, "x"), Transformation.SQUARE, null, y, -1, new double[4]);
    long both = s.bytesUsed();
    s.release(y);
    s.release(y);
    assertThat(s.isLive(y)).isFalse();
    assertThatThrownBy(() -> s.read(y, null)).isInstanceOf(IllegalStateException.class);
    assertThat(s.liveColumns()).isEqualTo(3);
    s.compact();
    assertThat(s.read(a, null)).containsExactly(4.5, -1.0, -0.25, 8.0);
    s.release(a);
    assertThat(s.read(b, null)).containsExactly(9.0, 0.25, 1.0, 4.0);
    s.release(b);
    assertThat(s.liveColumns()).isEqualTo(1);
    s.release(99);
    s.compact();
    assertThat(s.bytesUsed()).isLessThan(both);
    assertThat(s.read(x, null)).containsExactly(X);
  }

  @Test
  void aDerivedParent_orNoKernel_isRefused() {
    ColumnStore s = ColumnStore.deriving(4);
    int x = s.add(X);
    int d = s.addDerived(Exprs.sym(0, "x"), Transformation.ABS, null, x, -1, new double[4]);
    assertThatThrownBy(
            () -> s.addDerived(Exprs.sym(0, "x"), Transformation.ABS, null, d, -1, new double[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("itself derived");
    assertThatThrownBy(() -> s.addDerived(Exprs.sym(0, "x"), null, null, x, x, new double[4]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
