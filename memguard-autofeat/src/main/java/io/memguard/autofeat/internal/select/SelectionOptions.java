package io.memguard.autofeat.internal.select;

import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.ProblemType;
import java.util.Objects;

/**
 * Settings of feature selection; an immutable value, validated on construction, thread-safe.
 *
 * @param problem regression or classification
 * @param runs the number of selection runs ({@code <= 0}: no selection, every column is kept)
 * @param seed the seed all randomness derives from
 * @param maxRows if positive and smaller than the number of rows, selection uses this many rows (drawn once,
 *     seeded); 0 = all rows
 * @param maxChunkWidth if positive, no L1 fit in selection gets more than this many candidate columns (plus noise
 *     and the initial set); 0 = autofeat's widths
 * @param initialFitAll whether each run's initial L1 fit may take every column, as autofeat's does, when the hooks
 *     grant a block of all columns on the run's rows; otherwise (and always when {@code maxChunkWidth} is positive)
 *     it takes the columns that correlate best with the target, as many as a chunk
 * @param path the penalty-path settings of the L1 fits
 */
public record SelectionOptions(
        ProblemType problem,
        int runs,
        long seed,
        int maxRows,
        int maxChunkWidth,
        boolean initialFitAll,
        PathOptions path) {

    /** Validates. */
    public SelectionOptions {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(path, "path");
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, was " + maxRows);
        }
        if (maxChunkWidth < 0) {
            throw new IllegalArgumentException("maxChunkWidth must be >= 0, was " + maxChunkWidth);
        }
    }

    /**
     * autofeat's defaults for {@code problem}: 5 runs, seed 0, all rows, autofeat's chunk widths, initial fits on all
     * columns.
     */
    public static SelectionOptions ofDefaults(ProblemType problem) {
        return new SelectionOptions(problem, 5, 0L, 0, 0, true, PathOptions.forSelection(problem));
    }
}
