package io.memguard.bench.workload;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a workload loop at a fixed tick on the wall clock; a workload thread, not a test, waits
 * here.
 */
public final class Pacer {
  private final long tickNanos;
  private final long start = System.nanoTime();
  private long ticks;

  public Pacer(long tickNanos) {
    this.tickNanos = tickNanos;
  }

  /** Seconds since the pacer was made. */
  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Parks until the next tick is due. */
  public void awaitNextTick() {
    ticks++;
    long due = start + ticks * tickNanos;
    long wait;
    while ((wait = due - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
