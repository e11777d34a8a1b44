package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The solver's kept arrays: reused across fits, never held past the cap the caller reserved. */
class SolverWorkTest {

  private static long bytes(int length) {
    return 16 + 8L * length;
  }

  @Test
  void anArrayGivenBack_servesTheNextRequestOfItsLengthOrShorter() {
    SolverWork work = new SolverWork();
    double[] wide = work.doubles(100);
    work.recycle(wide);
    assertThat(work.doubles(100)).isSameAs(wide);
    work.recycle(wide);
    assertThat(work.doubles(60)).as("a narrower fit reuses it").isSameAs(wide);
    work.recycle(wide);
    assertThat(work.doubles(101)).as("never a shorter one").isNotSameAs(wide).hasSize(101);
  }

  @Test
  void startFit_dropsKeptArraysBeyondTheNewCap_longestFirst_andForgetsUnreturnedOnes() {
    SolverWork work = new SolverWork(Long.MAX_VALUE);
    double[] big = work.doubles(1000);
    double[] small = work.doubles(10);
    double[] lost = work.doubles(500); // kept by the previous fit's caller, never given back
    work.recycle(big);
    work.recycle(small);
    assertThat(work.keptBytes()).isEqualTo(bytes(1000) + bytes(10));

    work.startFit(bytes(10));
    assertThat(work.kept()).isEqualTo(1);
    assertThat(work.keptBytes()).isEqualTo(bytes(10));
    assertThat(work.doubles(10)).isSameAs(small);
    assertThat(lost).hasSize(500);

    work.startFit(0);
    assertThat(work.kept()).isZero();
    work.recycle(small);
    assertThat(work.kept()).as("a zero cap keeps nothing").isZero();
  }

  @Test
  void zeros_clearsWhatTheRequestUses() {
    SolverWork work = new SolverWork();
    double[] a = work.doubles(10);
    java.util.Arrays.fill(a, 7);
    work.recycle(a);
    double[] z = work.zeros(8);
    assertThat(z).isSameAs(a);
    for (int i = 0; i < 8; i++) {
      assertThat(z[i]).isZero();
    }
  }

  @Test
  void fitsOfVaryingWidths_neverHoldMoreThanTheCap() {
    long cap = 40 * bytes(100);
    SolverWork work = new SolverWork(cap);
    SplittableRandom rnd = new SplittableRandom(7);
    for (int fit = 0; fit < 200; fit++) {
      int width = 20 + rnd.nextInt(81); // 20..100: each fit alone needs at most the cap
      int arrays = 10 + rnd.nextInt(31);
      List<double[]> out = new ArrayList<>();
      long outBytes = 0;
      for (int k = 0; k < arrays; k++) {
        int length = rnd.nextBoolean() ? width : 1 + rnd.nextInt(width);
        double[] a = work.doubles(length);
        assertThat(a.length).isGreaterThanOrEqualTo(length);
        out.add(a);
        outBytes += bytes(a.length);
        assertThat(work.keptBytes() + outBytes).isLessThanOrEqualTo(cap);
      }
      out.forEach(work::recycle);
      assertThat(work.keptBytes()).isLessThanOrEqualTo(cap);
    }
    assertThat(work.kept()).isPositive();
  }

  @Test
  void withoutACap_everyArrayIsKept() {
    SolverWork work = new SolverWork();
    List<double[]> out = new ArrayList<>();
    for (int k = 1; k <= 50; k++) {
      out.add(work.doubles(k));
    }
    out.forEach(work::recycle);
    assertThat(work.kept()).isEqualTo(50);
  }
}
