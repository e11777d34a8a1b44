package io.memguard.autofeat.internal.linear;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Arrays an L1 solver leaves behind for the next fit of the same caller: a selection run fits one
 * chunk after another with the same shape, so the LARS solver's cached inner-product columns,
 * Cholesky rows and per-column vectors of one fit serve as the next fit's (arrays are kept by exact
 * length, so a fit of the same width finds all it needs). The caller reserves them: they never
 * exceed the work bound of the widest fit made with this object ({@link
 * L1Models#weightsWorkBytes}). Not thread-safe: one per thread.
 */
public final class SolverWork {

  private final Map<Integer, ArrayDeque<double[]>> free = new HashMap<>();

  /**
   * An array of exactly {@code length} values with unspecified contents: a kept one if there is
   * one, else a new one.
   */
  double[] doubles(int length) {
    ArrayDeque<double[]> kept = free.get(length);
    double[] a = kept == null ? null : kept.poll();
    return a != null ? a : new double[length];
  }

  /** An array of exactly {@code length} zeros. */
  double[] zeros(int length) {
    double[] a = doubles(length);
    Arrays.fill(a, 0);
    return a;
  }

  /** Keeps {@code a} for a later {@link #doubles} call; null is ignored. */
  void recycle(double[] a) {
    if (a != null) {
      free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }
  }

  /** The arrays kept now. */
  public int kept() {
    int n = 0;
    for (ArrayDeque<double[]> d : free.values()) {
      n += d.size();
    }
    return n;
  }
}
