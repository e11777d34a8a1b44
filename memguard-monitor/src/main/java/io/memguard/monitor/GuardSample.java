package io.memguard.monitor;

/**
 * What the {@link EmergencyGuard} judges memory by: one reading of the heap, the process and the
 * system. Fractions are of the respective limit (0..1, may exceed 1); {@code Double.NaN} or a
 * negative byte count means "unknown". Immutable.
 *
 * @param nanoTime when it was taken, on the guard's ticker
 * @param liveHeapFraction the heap's live set after the last GC (old generation used after GC, or
 *     all pools' post-GC usage) over max heap: what the GC cannot free
 * @param heapUsedFraction heap used now over max heap, garbage included: early warning only
 * @param allocationRateBytesPerSecond the JVM's allocation rate, early warning only
 * @param rssFraction process RSS over the container's limit, or over system memory without one
 * @param systemAvailableBytes memory available to new work on the host or in the container
 * @param systemTotalBytes the host's memory or the container's limit
 * @since 0.1.0
 */
public record GuardSample(
    long nanoTime,
    double liveHeapFraction,
    double heapUsedFraction,
    double allocationRateBytesPerSecond,
    double rssFraction,
    long systemAvailableBytes,
    long systemTotalBytes) {

  /** Available system memory as a fraction of the total, or NaN when unknown. */
  public double systemAvailableFraction() {
    return systemAvailableBytes < 0 || systemTotalBytes <= 0
        ? Double.NaN
        : (double) systemAvailableBytes / systemTotalBytes;
  }

  /** A sample with only heap figures; the process and system are unknown. */
  public static GuardSample ofHeap(
      long nanoTime, double liveHeapFraction, double heapUsedFraction) {
    return new GuardSample(
        nanoTime, liveHeapFraction, heapUsedFraction, Double.NaN, Double.NaN, -1, -1);
  }
}
