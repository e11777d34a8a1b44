package io.memguard.core;

/**
 * A change of the manager's {@link PressureLevel}.
 *
 * @param previous the level before the change
 * @param current the level after it
 * @param source what decided the new level: {@code "accounting"} or a {@link PressureSource} name
 * @param utilization the deciding fraction of the limit (0..1, may exceed 1)
 * @param nanoTime the manager ticker's time of the change, in nanoseconds
 * @since 0.1.0
 */
public record PressureChange(
    PressureLevel previous,
    PressureLevel current,
    String source,
    double utilization,
    long nanoTime) {}
