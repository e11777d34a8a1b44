package io.memguard.autofeat.internal.math;

import java.util.SplittableRandom;

/**
 * Seeded random helpers (permutations, Gaussian noise, seed derivation); stateless and thread-safe.
 */
public final class Rng {

  private Rng() {}

  /** A seed for sub-task {@code index} of the task seeded with {@code seed} (a SplitMix64 mix). */
  public static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
  public static int[] permutation(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, rnd);
    return p;
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  public static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  public static void shuffle(double[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
