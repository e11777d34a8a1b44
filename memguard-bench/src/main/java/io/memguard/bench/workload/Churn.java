package io.memguard.bench.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * Garbage at a given rate: each call allocates a batch of 32 KiB arrays, touches them, keeps them
 * for the batch and drops them, the allocation pattern of batch processing. Not thread-safe.
 */
public final class Churn {
  private static final int CHUNK = 32 * 1024;
  private final List<byte[]> batch = new ArrayList<>();
  private long sink;

  /** Allocates about {@code bytes} of short-lived garbage. */
  public void allocate(long bytes) {
    for (long done = 0; done < bytes; done += CHUNK) {
      byte[] b = new byte[CHUNK];
      b[(int) (done % CHUNK)] = 1;
      batch.add(b);
    }
    for (byte[] b : batch) {
      sink += b[0] + b.length;
    }
    batch.clear();
  }

  /** Keeps the JIT from removing the work. */
  public long sink() {
    return sink;
  }
}
