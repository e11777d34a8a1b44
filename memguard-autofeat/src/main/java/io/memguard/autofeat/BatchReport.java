package io.memguard.autofeat;

import io.memguard.core.PressureLevel;

/**
 * One batch of a fit, its size decision and what it measured: an immutable value in {@link
 * FitReport#batches()} and sent to {@link FitListener#onBatch}. Thread-safe.
 *
 * <p>A batch is a group of candidate features computed together (PLAN, GENERATE), one chunk of
 * columns fitted together (SELECT; its size was decided once for the selection run) or the final
 * model's features (MODEL). "Bytes per item" is the memory one more item costs while the batch
 * runs: for generation the candidate's scratch column, its storage if it is kept and its share of
 * the expression pool; for selection one column of the chunk matrix with the L1 solver's caches;
 * for the model one feature's values with the solver's copies.
 *
 * @param phase the phase
 * @param step the feature-engineering step or selection run
 * @param index the batch's index within its step, 0-based
 * @param size the number of items decided (for SELECT: the width decided for the run)
 * @param tried items the batch really processed (the last batch of a step may be smaller)
 * @param accepted items kept: candidates that passed the tests, columns that beat the noise, or
 *     features of the final model
 * @param availableBytes memory the decision was made from
 * @param predictedBytesPerItem the estimate the size was decided with
 * @param measuredBytesPerItem what the batch really used per item, or -1 when not measured
 * @param reservedBytes bytes reserved for the batch
 * @param pressure the pressure level when the size was decided
 * @param decision why this size, in words
 * @param nanos wall-clock nanoseconds the batch took, or -1 when not measured
 * @since 0.1.0
 */
public record BatchReport(
    FitPhase phase,
    int step,
    int index,
    int size,
    int tried,
    int accepted,
    long availableBytes,
    long predictedBytesPerItem,
    long measuredBytesPerItem,
    long reservedBytes,
    PressureLevel pressure,
    String decision,
    long nanos) {}
