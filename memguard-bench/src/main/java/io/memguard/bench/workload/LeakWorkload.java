package io.memguard.bench.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A deliberate leak: {@link LeakedRecord}s added to a static list at a fixed rate in bytes per
 * second, never removed, while the same thread also churns short-lived garbage (as real leaking
 * code does, so collections happen). Runs on the calling thread until the time is up or {@code
 * stop} says so.
 */
public final class LeakWorkload {
  /** The leak: a static collection only ever added to. */
  static final List<LeakedRecord> RETAINED = new ArrayList<>();

  private final long leakBytesPerSecond;
  private final long churnBytesPerSecond;

  /**
   * @param leakBytesPerSecond bytes (payload plus record) retained per second
   * @param churnBytesPerSecond short-lived garbage per second
   */
  public LeakWorkload(long leakBytesPerSecond, long churnBytesPerSecond) {
    if (leakBytesPerSecond <= 0 || churnBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "leak rate must be > 0 and churn >= 0, got "
              + leakBytesPerSecond
              + " and "
              + churnBytesPerSecond);
    }
    this.leakBytesPerSecond = leakBytesPerSecond;
    this.churnBytesPerSecond = churnBytesPerSecond;
  }

  /** Retained records so far. */
  public static synchronized int retained() {
    return RETAINED.size();
  }

  /** Runs for at most {@code seconds} or until {@code stop} returns true; returns bytes leaked. */
  public long run(double seconds, BooleanSupplier stop) {
    Pacer pacer = new Pacer(20_000_000L);
    Churn churn = new Churn();
    long perRecord = LeakedRecord.PAYLOAD + 48; // payload array plus the record, roughly
    long leaked = 0;
    long id = 0;
    while (pacer.elapsedSeconds() < seconds && !stop.getAsBoolean()) {
      long due = (long) (pacer.elapsedSeconds() * leakBytesPerSecond);
      synchronized (LeakWorkload.class) {
        while (leaked < due) {
          RETAINED.add(new LeakedRecord(id++, System.nanoTime()));
          leaked += perRecord;
        }
      }
      churn.allocate(churnBytesPerSecond / 50);
      pacer.awaitNextTick();
    }
    return leaked + (churn.sink() & 0); // keep the churn observable
  }
}
