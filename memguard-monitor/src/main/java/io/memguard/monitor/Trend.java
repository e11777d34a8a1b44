package io.memguard.monitor;

import java.time.Duration;
import java.util.Optional;

/**
 * The trend of one metric over a window: a robust slope (Theil-Sen, the median of all pairwise
 * slopes) and the Mann-Kendall test of whether the metric is monotonically increasing or
 * decreasing. Immutable.
 *
 * @param metric the metric's name
 * @param unit the metric's unit
 * @param window the window asked for
 * @param points how many points the trend was computed from (after coarsening long series)
 * @param slopePerSecond the Theil-Sen slope, in the metric's unit per second; NaN with fewer than 3
 *     points
 * @param fittedValue the trend line's value at the end of the window
 * @param latestValue the last observed value
 * @param capacity what the metric can grow to at the end of the window (e.g. max heap), NaN if none
 * @param pIncreasing the Mann-Kendall p-value against "no trend", for an increasing trend (small
 *     means strong evidence of growth)
 * @param pDecreasing the same for a decreasing trend
 * @param timeToExhaustion at the current slope, when the fitted value reaches the capacity; empty
 *     when the metric does not grow or has no capacity
 * @since 0.1.0
 */
public record Trend(
    String metric,
    String unit,
    Duration window,
    int points,
    double slopePerSecond,
    double fittedValue,
    double latestValue,
    double capacity,
    double pIncreasing,
    double pDecreasing,
    Optional<Duration> timeToExhaustion) {

  /** The slope in the metric's unit per minute. */
  public double slopePerMinute() {
    return slopePerSecond * 60;
  }

  /**
   * True when growth is significant at level {@code alpha} (e.g. 0.05) and the slope is positive.
   */
  public boolean increasing(double alpha) {
    return pIncreasing < alpha && slopePerSecond > 0;
  }

  /** True when decline is significant at level {@code alpha} and the slope is negative. */
  public boolean decreasing(double alpha) {
    return pDecreasing < alpha && slopePerSecond < 0;
  }
}
