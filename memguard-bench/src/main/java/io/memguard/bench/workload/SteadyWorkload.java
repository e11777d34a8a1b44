package io.memguard.bench.workload;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A steady sawtooth: a fixed live set (a share of max heap in 64 KiB chunks) plus much short-lived
 * garbage, and a slow turnover of the live set (chunks replaced at random, so old objects die and
 * the old generation gets garbage too) while its size stays flat. Nothing leaks.
 */
public final class SteadyWorkload {
  private static final int CHUNK = 64 * 1024;

  private final double liveFraction;
  private final long churnBytesPerSecond;
  private final double turnoverPerSecond;
  private byte[][] live;

  /**
   * @param liveFraction live set as a share of max heap, e.g. 0.6
   * @param churnBytesPerSecond short-lived garbage per second
   * @param turnoverPerSecond share of the live set replaced per second, e.g. 0.02
   */
  public SteadyWorkload(double liveFraction, long churnBytesPerSecond, double turnoverPerSecond) {
    if (!(liveFraction > 0 && liveFraction < 0.9)) {
      throw new IllegalArgumentException("live fraction must be in (0, 0.9), got " + liveFraction);
    }
    this.liveFraction = liveFraction;
    this.churnBytesPerSecond = churnBytesPerSecond;
    this.turnoverPerSecond = turnoverPerSecond;
  }

  /** Allocates the live set; returns its size in bytes. */
  public long build() {
    int n = (int) (liveFraction * Runtime.getRuntime().maxMemory() / CHUNK);
    live = new byte[n][];
    for (int i = 0; i < n; i++) {
      live[i] = new byte[CHUNK];
    }
    return (long) n * CHUNK;
  }

  /** Runs for at most {@code seconds} or until {@code stop}; returns garbage bytes allocated. */
  public long run(double seconds, BooleanSupplier stop) {
    if (live == null) {
      build();
    }
    SplittableRandom random = new SplittableRandom(42);
    Pacer pacer = new Pacer(10_000_000L);
    Churn churn = new Churn();
    double replaceCarry = 0;
    long garbage = 0;
    while (pacer.elapsedSeconds() < seconds && !stop.getAsBoolean()) {
      churn.allocate(churnBytesPerSecond / 100);
      garbage += churnBytesPerSecond / 100;
      replaceCarry += live.length * turnoverPerSecond / 100;
      while (replaceCarry >= 1) {
        live[random.nextInt(live.length)] = new byte[CHUNK];
        replaceCarry--;
        garbage += CHUNK;
      }
      pacer.awaitNextTick();
    }
    return garbage + (churn.sink() & 0);
  }
}
