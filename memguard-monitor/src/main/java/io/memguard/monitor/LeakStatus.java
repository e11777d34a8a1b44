package io.memguard.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the {@link LeakDetector} currently thinks, updated each time a bucket of the live-set series
 * closes. Immutable.
 *
 * @param state no leak, suspected (growth seen, not yet confirmed), or leak (reported)
 * @param since when the current state began
 * @param window the window the figures below come from: the most significant suspicious window,
 *     else the shortest one tested; zero before the first evaluation
 * @param points segment minima that window had
 * @param growthBytesPerMinute Theil-Sen growth of the live-set floor in that window, NaN before the
 *     first evaluation
 * @param pValue one-sided Mann-Kendall p-value of that growth (1 before the first evaluation)
 * @param liveSetBytes the latest live-set bucket value, -1 before any
 * @param cycle the longest recent old-generation cycle seen in the live set, zero if none
 * @param evaluatedAt when the last evaluation ran, null before the first
 * @since 0.1.0
 */
public record LeakStatus(
    State state,
    Instant since,
    Duration window,
    int points,
    double growthBytesPerMinute,
    double pValue,
    long liveSetBytes,
    Duration cycle,
    Instant evaluatedAt) {

  /** The detector's states. */
  public enum State {
    /** No significant growth of the live set. */
    NONE,
    /** Significant growth seen; waiting for confirmation and class histograms. */
    SUSPECTED,
    /** A leak was reported and the growth continues. */
    LEAK
  }

  /** Validates. */
  public LeakStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(cycle, "cycle");
  }
}
