package io.memguard.monitor;

import java.time.Duration;

/**
 * GC and allocation performance over a window of the history. Immutable. Durations of pauses are
 * milliseconds (the resolution the JVM reports them in); NaN where nothing was observed.
 *
 * @param window the span actually covered (may be shorter than asked when the history is younger)
 * @param gcOverheadPercent percent of elapsed time spent in GC pauses
 * @param gcCount collections in the window
 * @param gcPauseCount pauses observed through GC notifications in the window
 * @param pauseP50Millis median pause
 * @param pauseP90Millis 90th percentile pause
 * @param pauseP99Millis 99th percentile pause
 * @param pauseMaxMillis longest pause
 * @param allocationRateMeanBytesPerSecond mean heap allocation rate
 * @param allocationRateMaxBytesPerSecond highest sampled allocation rate
 * @param sampleDurationMeanNanos mean time one sample took
 * @param sampleDurationMaxNanos longest sample
 * @since 0.1.0
 */
public record PerformanceMetrics(
    Duration window,
    double gcOverheadPercent,
    long gcCount,
    int gcPauseCount,
    double pauseP50Millis,
    double pauseP90Millis,
    double pauseP99Millis,
    double pauseMaxMillis,
    double allocationRateMeanBytesPerSecond,
    double allocationRateMaxBytesPerSecond,
    double sampleDurationMeanNanos,
    double sampleDurationMaxNanos) {}
