package io.memguard.monitor;

import java.time.Duration;

/**
 * What the monitor itself costs and how well it runs. Immutable.
 *
 * @param samples snapshots taken
 * @param failedSamples snapshots in which the sampler failed as a whole
 * @param degradedSamples snapshots with at least one unavailable source
 * @param uptime time since the monitor started
 * @param samplerCpuNanos CPU time of the sampler's work (sampling, history, leak detection,
 *     alerts), in nanoseconds; -1 if thread CPU time is not measurable here
 * @param lastSampleDurationNanos how long the latest sample took (elapsed)
 * @param maxSampleDurationNanos the longest sample so far (elapsed)
 * @param histogramsTaken class histograms taken by the leak detector
 * @param droppedNotifications snapshot, leak and alert notifications dropped because a consumer
 *     fell behind
 * @since 0.1.0
 */
public record MonitorStats(
    long samples,
    long failedSamples,
    long degradedSamples,
    Duration uptime,
    long samplerCpuNanos,
    long lastSampleDurationNanos,
    long maxSampleDurationNanos,
    long histogramsTaken,
    long droppedNotifications) {

  /** Sampler CPU as a percentage of one core over the uptime; NaN when unknown. */
  public double samplerCpuPercent() {
    long up = uptime.toNanos();
    return samplerCpuNanos < 0 || up <= 0 ? Double.NaN : 100.0 * samplerCpuNanos / up;
  }
}
