package io.memguard.autofeat;

import java.time.Duration;

/**
 * What one phase of a fit took: an immutable value in {@link FitReport#phases()}. Thread-safe.
 *
 * @param phase the phase
 * @param duration wall-clock time on the manager's ticker
 * @param peakReservedBytes the most bytes the fit held while in this phase (its whole scope tree)
 * @param batches batches run in the phase
 * @param allocatedBytes heap bytes the fit's threads allocated in this phase (garbage included; the
 *     JVM's per-thread allocation counter, 0 where the JVM does not keep one)
 * @since 0.1.0
 */
public record PhaseReport(
    FitPhase phase, Duration duration, long peakReservedBytes, int batches, long allocatedBytes) {}
