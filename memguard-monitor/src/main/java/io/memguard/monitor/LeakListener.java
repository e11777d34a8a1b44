package io.memguard.monitor;

import java.time.Instant;

/**
 * Told about leaks found by the {@link LeakDetector}. Called on the monitor's notification thread,
 * never on the sampler or application threads; a listener that throws is logged and kept.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface LeakListener {

  /** A leak was reported, or an updated report of a continuing leak. */
  void onLeakReport(LeakReport report);

  /** The live set stopped growing after a reported leak. Default: nothing. */
  default void onLeakCleared(Instant at) {}
}
