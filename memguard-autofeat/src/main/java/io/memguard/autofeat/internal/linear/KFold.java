package io.memguard.autofeat.internal.linear;

/**
 * Unshuffled K-fold splits of {@code n} rows like scikit-learn's {@code KFold}: fold {@code f}
 * tests the contiguous rows {@code [start(f), end(f))}, the first {@code n % k} folds having one
 * row more; immutable and thread-safe.
 */
public final class KFold {

  private final int[] bounds;

  /**
   * Creates the folds.
   *
   * @throws IllegalArgumentException if {@code k < 2} or {@code n < k}
   */
  public KFold(int n, int k) {
    if (k < 2 || n < k) {
      throw new IllegalArgumentException("need 2 <= k <= n, got k=" + k + ", n=" + n);
    }
    bounds = new int[k + 1];
    int base = n / k;
    int extra = n % k;
    for (int f = 0; f < k; f++) {
      bounds[f + 1] = bounds[f] + base + (f < extra ? 1 : 0);
    }
  }

  /** The number of folds. */
  public int folds() {
    return bounds.length - 1;
  }

  /** First test row of fold {@code f}. */
  public int start(int f) {
    return bounds[f];
  }

  /** One past the last test row of fold {@code f}. */
  public int end(int f) {
    return bounds[f + 1];
  }
}
