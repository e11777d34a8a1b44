package io.memguard.bench.workload;

/**
 * What {@link LeakWorkload} leaks: a record with a 1 KiB payload, kept forever in a static list. A
 * class of its own so the leak detector can name it.
 */
public final class LeakedRecord {
  /** Payload bytes per record. */
  public static final int PAYLOAD = 1024;

  final long id;
  final long createdNanos;
  final byte[] payload;

  LeakedRecord(long id, long createdNanos) {
    this.id = id;
    this.createdNanos = createdNanos;
    this.payload = new byte[PAYLOAD];
  }
}
