package io.memguard.autofeat.internal.batch;

/**
 * What one batch did; an immutable value, thread-safe.
 *
 * @param phase the phase ({@code "generate"}, {@code "select"})
 * @param step the feature-engineering step or selection run, 1-based
 * @param batchIndex the index of this batch within its step, 0-based
 * @param tried candidates whose values were computed (generation) or columns fitted (selection)
 * @param accepted candidates kept (generation: building blocks stored; selection: columns that beat
 *     the noise)
 * @param eligible candidates kept that may appear in the output (generation); equal to accepted for
 *     selection
 * @param skipped proposals enumerated but not computed (duplicates, domain rules, constants)
 * @param scratchBytes heap bytes of temporary buffers the batch used (released or reused
 *     afterwards)
 * @param retainedBytes heap bytes the batch added to the retained column store
 * @param storeBytes heap bytes held by the column store after the batch
 * @param nanos wall-clock nanoseconds the batch took
 */
public record BatchStats(
    String phase,
    int step,
    int batchIndex,
    int tried,
    int accepted,
    int eligible,
    long skipped,
    long scratchBytes,
    long retainedBytes,
    long storeBytes,
    long nanos) {}
