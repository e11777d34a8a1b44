package io.memguard.autofeat.internal.select;

import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import java.util.Objects;

/**
 * Settings of feature selection; an immutable value, validated on construction, thread-safe.
 *
 * @param problem regression or classification
 * @param runs the number of selection runs ({@code <= 0}: no selection, every column is kept)
 * @param seed the seed all randomness derives from
 * @param maxRows if positive and smaller than the number of rows, selection uses this many rows
 *     (drawn once, seeded); 0 = all rows
 * @param maxChunkWidth if positive, no L1 fit in selection gets more than this many candidate
 *     columns (plus noise and the initial set); 0 = autofeat's widths
 * @param initialFitAll whether each run's initial L1 fit may take every column, as autofeat's does,
 *     when the hooks grant a block of all columns on the run's rows; otherwise (and always when
 *     {@code maxChunkWidth} is positive) it takes the columns that correlate best with the target,
 *     as many as a chunk
 * @param path the penalty-path settings of the L1 fits
 * @param maxRunRows if positive, each run draws at most this many rows (the final noise filter
 *     still uses all selection rows); 0 = autofeat's 85% of them
 * @param maxFitCells if positive, no L1 fit of a run gets more than this many values (columns x
 *     rows): it bounds the chunk widths, and the initial fit takes all columns only within it; 0 =
 *     no bound
 * @param parallelism how many runs may run at once on their own threads (at least 1); the hooks may
 *     allow fewer ({@code "select-parallel"}) when memory does not hold that many runs
 */
public record SelectionOptions(
    TargetKind problem,
    int runs,
    long seed,
    int maxRows,
    int maxChunkWidth,
    boolean initialFitAll,
    PathOptions path,
    int maxRunRows,
    long maxFitCells,
    int parallelism) {

  /**
   * The default of {@link #maxRunRows()}: runs draw at most 2,500 rows. Measured on randhie (16,152
   * training rows), fair (5,093) and synthetic data (16,000): the same or better test scores than
   * runs on 85% of the rows, at a third to a tenth of the time (docs/autofeat.md, section 4).
   */
  public static final int DEFAULT_MAX_RUN_ROWS = 2_500;

  /** The default of {@link #maxFitCells()}: 2^22 values, a 32 MiB matrix of doubles. */
  public static final long DEFAULT_MAX_FIT_CELLS = 1L << 22;

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
    if (maxRunRows < 0) {
      throw new IllegalArgumentException("maxRunRows must be >= 0, was " + maxRunRows);
    }
    if (maxFitCells < 0) {
      throw new IllegalArgumentException("maxFitCells must be >= 0, was " + maxFitCells);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
    }
  }

  /** Settings with the default row cap per run and bound on a fit's values, one run at a time. */
  public SelectionOptions(
      TargetKind problem,
      int runs,
      long seed,
      int maxRows,
      int maxChunkWidth,
      boolean initialFitAll,
      PathOptions path) {
    this(
        problem,
        runs,
        seed,
        maxRows,
        maxChunkWidth,
        initialFitAll,
        path,
        DEFAULT_MAX_RUN_ROWS,
        DEFAULT_MAX_FIT_CELLS,
        1);
  }

  /**
   * autofeat's defaults for {@code problem}: 5 runs, seed 0, all rows, autofeat's chunk widths,
   * initial fits on all columns; memguard's bounds: at most {@link #DEFAULT_MAX_RUN_ROWS} rows per
   * run, {@link #DEFAULT_MAX_FIT_CELLS} values per fit, one run at a time.
   */
  public static SelectionOptions ofDefaults(TargetKind problem) {
    return new SelectionOptions(problem, 5, 0L, 0, 0, true, PathOptions.forSelection(problem));
  }
}
