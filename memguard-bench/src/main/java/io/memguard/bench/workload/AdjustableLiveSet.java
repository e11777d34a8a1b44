package io.memguard.bench.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * A live set whose size the caller sets as a share of max heap, for driving alerts up and down.
 * Thread-safe.
 */
public final class AdjustableLiveSet {
  private static final int CHUNK = 64 * 1024;
  private final List<byte[]> chunks = new ArrayList<>();

  /** Grows or shrinks the live set to {@code fraction} of max heap. */
  public synchronized void set(double fraction) {
    int target = (int) (fraction * Runtime.getRuntime().maxMemory() / CHUNK);
    while (chunks.size() < target) {
      chunks.add(new byte[CHUNK]);
    }
    while (chunks.size() > target) {
      chunks.remove(chunks.size() - 1);
    }
  }

  /** Bytes held. */
  public synchronized long bytes() {
    return (long) chunks.size() * CHUNK;
  }

  /**
   * Allocates about {@code bytes} of short-lived garbage, so collections (and live-set readings)
   * happen.
   */
  public static void churn(long bytes) {
    new Churn().allocate(bytes);
  }
}
