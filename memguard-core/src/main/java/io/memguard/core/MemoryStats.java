package io.memguard.core;

/**
 * Immutable totals of a {@link MemoryManager} at one moment. Sizes are bytes.
 *
 * @param budgetBytes the manager's budget
 * @param reservedBytes reserved now, all scopes
 * @param peakReservedBytes the highest reservedBytes seen
 * @param openScopes open scopes, the root included
 * @param leaksReported leak reports so far (each may cover several reservations)
 * @param leakedBytes bytes memguard released on owners' behalf so far
 * @param pressureLevel the level now
 * @since 0.1.0
 */
public record MemoryStats(
    long budgetBytes,
    long reservedBytes,
    long peakReservedBytes,
    int openScopes,
    long leaksReported,
    long leakedBytes,
    PressureLevel pressureLevel) {

  /** Reserved bytes as a fraction of the budget. */
  public double utilization() {
    return budgetBytes == 0 ? 0 : (double) reservedBytes / budgetBytes;
  }
}
