package io.memguard.core;

/**
 * How close memory is to its limit, from the most relaxed to the most urgent. By default the
 * accounting maps use of the budget to NORMAL below 80%, ELEVATED from 80%, CRITICAL from 90% and
 * EMERGENCY from 95%; a {@link PressureSource} is mapped with the same thresholds.
 *
 * @since 0.1.0
 */
public enum PressureLevel {
  /** Plenty of room; work proceeds as planned. */
  NORMAL,
  /** Getting full: prefer smaller batches, avoid optional caching. */
  ELEVATED,
  /** Close to the limit: switch to lightweight plans, shed caches. */
  CRITICAL,
  /** At the limit: stop admitting work, stop expendable work, run emergency cleanup. */
  EMERGENCY;

  /** True when this level is {@code other} or more urgent. */
  public boolean isAtLeast(PressureLevel other) {
    return compareTo(other) >= 0;
  }

  /** The more urgent of two levels. */
  public static PressureLevel max(PressureLevel a, PressureLevel b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
