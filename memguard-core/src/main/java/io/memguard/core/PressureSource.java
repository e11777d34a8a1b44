package io.memguard.core;

/**
 * Something besides memguard's own accounting that knows how full memory is, such as the monitor's
 * live heap after GC or the process RSS against the container limit. Registered with {@link
 * MemoryManager#addPressureSource(PressureSource)} and read on {@link
 * MemoryManager#refreshPressure()}, never on a hot path.
 *
 * <p>Implementations must be thread-safe and fast, and should not throw: a source that throws or
 * returns NaN is treated as unavailable for that refresh.
 *
 * @since 0.1.0
 */
public interface PressureSource {

  /** A short stable name used in events and logs, e.g. {@code "heap-live"}. */
  String name();

  /**
   * The current use as a fraction of this source's limit: 0 is empty, 1 is full (values above 1 are
   * allowed); {@code Double.NaN} when unknown.
   */
  double utilization();
}
