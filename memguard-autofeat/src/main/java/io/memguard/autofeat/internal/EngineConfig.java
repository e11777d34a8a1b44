package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.feateng.Transformation;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.select.SelectionOptions;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link AutoFeatEngine}; immutable, validated when built, thread-safe.
 *
 * <p>Defaults follow autofeat 2.1.3: regression, 2 feature-engineering steps, 5 selection runs, the
 * default transformations; plus seed 0, double storage, batches of 256 candidates, no row or chunk
 * caps.
 */
public final class EngineConfig {

  private final TargetKind problem;
  private final int featengSteps;
  private final int featselRuns;
  private final List<Transformation> transformations;
  private final StoragePrecision precision;
  private final long seed;
  private final int batchSize;
  private final int selectionMaxRows;
  private final int selectionMaxChunkWidth;
  private final boolean selectionInitialFitAll;
  private final int searchMaxRows;
  private final boolean recomputeLastStep;
  private final boolean finalModelFromSums;
  private final PathOptions selectionPath;
  private final PathOptions finalPath;
  private final java.util.function.@Nullable IntConsumer selectionReadTrace;
  private final int selectionMaxRunRows;
  private final long selectionMaxFitCells;
  private final int selectionParallelism;
  private final java.util.@Nullable Set<String> featengColumns;
  private final java.util.Map<String, io.memguard.autofeat.internal.units.Dimension> dimensions;
  private final boolean piTheorem;

  private EngineConfig(Builder b) {
    this.problem = b.problem;
    this.featengSteps = b.featengSteps;
    this.featselRuns = b.featselRuns;
    this.transformations = b.transformations;
    this.precision = b.precision;
    this.seed = b.seed;
    this.batchSize = b.batchSize;
    this.selectionMaxRows = b.selectionMaxRows;
    this.selectionMaxChunkWidth = b.selectionMaxChunkWidth;
    this.selectionInitialFitAll = b.selectionInitialFitAll;
    this.searchMaxRows = b.searchMaxRows;
    this.recomputeLastStep = b.recomputeLastStep;
    this.finalModelFromSums = b.finalModelFromSums;
    this.selectionPath = b.selectionPath;
    this.finalPath = b.finalPath;
    this.selectionMaxRunRows = b.selectionMaxRunRows;
    this.selectionMaxFitCells = b.selectionMaxFitCells;
    this.selectionParallelism = b.selectionParallelism;
    this.featengColumns = b.featengColumns;
    this.dimensions = b.dimensions;
    this.piTheorem = b.piTheorem;
    this.selectionReadTrace = b.selectionReadTrace;
  }

  /** The defaults (regression). */
  public static EngineConfig ofDefaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.problem = problem;
    b.featengSteps = featengSteps;
    b.featselRuns = featselRuns;
    b.transformations = transformations;
    b.precision = precision;
    b.seed = seed;
    b.batchSize = batchSize;
    b.selectionMaxRows = selectionMaxRows;
    b.selectionMaxChunkWidth = selectionMaxChunkWidth;
    b.selectionInitialFitAll = selectionInitialFitAll;
    b.searchMaxRows = searchMaxRows;
    b.recomputeLastStep = recomputeLastStep;
    b.finalModelFromSums = finalModelFromSums;
    b.selectionPath = selectionPath;
    b.finalPath = finalPath;
    b.selectionMaxRunRows = selectionMaxRunRows;
    b.selectionMaxFitCells = selectionMaxFitCells;
    b.selectionParallelism = selectionParallelism;
    b.featengColumns = featengColumns;
    b.dimensions = dimensions;
    b.piTheorem = piTheorem;
    b.selectionReadTrace = selectionReadTrace;
    return b;
  }

  /** Regression or classification. */
  public TargetKind problem() {
    return problem;
  }

  /** Feature-engineering steps (0 = use the input columns only). */
  public int featengSteps() {
    return featengSteps;
  }

  /**
   * Feature-selection runs ({@code <= 0}: no selection, every generated feature enters the final
   * model).
   */
  public int featselRuns() {
    return featselRuns;
  }

  /** Unary transformations, in the order they are tried. */
  public List<Transformation> transformations() {
    return transformations;
  }

  /** Storage of candidate columns (FLOAT is the lightweight option). */
  public StoragePrecision precision() {
    return precision;
  }

  /** The seed all randomness derives from. */
  public long seed() {
    return seed;
  }

  /** The generation batch size the engine suggests to its hooks. */
  public int batchSize() {
    return batchSize;
  }

  /** Rows feature selection works on (0 = all). */
  public int selectionMaxRows() {
    return selectionMaxRows;
  }

  /** Cap on candidate columns per L1 fit in selection (0 = autofeat's widths). */
  public int selectionMaxChunkWidth() {
    return selectionMaxChunkWidth;
  }

  /**
   * How many selection runs may run at once, each on its own thread (default 1); see {@link
   * SelectionOptions}.
   */
  public int selectionParallelism() {
    return selectionParallelism;
  }

  /**
   * The names of the input columns feature engineering starts from (autofeat's {@code
   * feateng_cols}); null for all of them. The others are kept as they are and compete in selection.
   */
  public java.util.@Nullable Set<String> featengColumns() {
    return featengColumns;
  }

  /**
   * The dimension of each input column named here (autofeat's {@code units}); a column not named is
   * dimensionless. Empty (the default) for no unit checks.
   */
  public java.util.Map<String, io.memguard.autofeat.internal.units.Dimension> dimensions() {
    return dimensions;
  }

  /**
   * Whether the engine adds the Pi theorem's dimensionless groups of the engineered columns with a
   * dimension as start features that build nothing (autofeat's {@code apply_pi_theorem}; default
   * true, used only with {@link #dimensions}).
   */
  public boolean piTheorem() {
    return piTheorem;
  }

  /**
   * Rows each selection run draws at most (0 = autofeat's 85% of the selection rows); see {@link
   * SelectionOptions}.
   */
  public int selectionMaxRunRows() {
    return selectionMaxRunRows;
  }

  /**
   * The most values (columns x rows) one L1 fit of selection may take (0 = no bound); see {@link
   * SelectionOptions}.
   */
  public long selectionMaxFitCells() {
    return selectionMaxFitCells;
  }

  /**
   * Whether each selection run's initial L1 fit may take every column, as autofeat's does (the
   * default): the engine then asks {@link
   * io.memguard.autofeat.internal.batch.EngineHooks#nextBatchSize} for phase {@code
   * "select-initial"} with all columns and fits them all if the answer grants them, else it falls
   * back to the columns that correlate best with the target. Off, or with a {@link
   * #selectionMaxChunkWidth()} cap, the initial fit always takes the screened columns.
   */
  public boolean selectionInitialFitAll() {
    return selectionInitialFitAll;
  }

  /**
   * Rows feature generation and selection work on (0 = all): when smaller than the training rows,
   * that many rows are drawn once (seeded) and the search for features runs on them; the selected
   * features are then evaluated on all rows and the final model is fitted on all rows.
   */
  public int searchMaxRows() {
    return searchMaxRows;
  }

  /**
   * Whether the features of the last generation step are kept as expressions and recomputed from
   * the start features whenever selection reads them (they are never parents of other features),
   * instead of derived from their stored parents (a double store) or stored (a float store). Trades
   * computation and the stored values' exact bits for memory: after the final filter the store
   * holds only the candidates of earlier steps, not the parents derived columns read.
   */
  public boolean recomputeLastStep() {
    return recomputeLastStep;
  }

  /**
   * Whether the final model is fitted over blocks of rows instead of from the features' values on
   * every row, for fits whose rows do not leave room for the values: a regression's from per-fold
   * sums ({@link SumsFinalModel}: {@code O(folds x features^2)} heap whatever the rows), a
   * classifier's by Newton passes with its penalties from a sample ({@link PassesFinalModel}).
   */
  public boolean finalModelFromSums() {
    return finalModelFromSums;
  }

  /**
   * Penalty-path settings of the selection fits (by default {@link
   * PathOptions#forSelection(TargetKind)}).
   */
  public PathOptions selectionPath() {
    return selectionPath != null ? selectionPath : PathOptions.forSelection(problem);
  }

  /** The selection read trace, or null. */
  public java.util.function.@Nullable IntConsumer selectionReadTrace() {
    return selectionReadTrace;
  }

  /**
   * Penalty-path settings of the final model (by default {@link
   * PathOptions#forFinalModel(TargetKind)}).
   */
  public PathOptions finalPath() {
    return finalPath != null ? finalPath : PathOptions.forFinalModel(problem);
  }

  @Override
  public String toString() {
    return "EngineConfig{problem="
        + problem
        + ", featengSteps="
        + featengSteps
        + ", featselRuns="
        + featselRuns
        + ", transformations="
        + transformations.stream().map(Transformation::label).toList()
        + ", precision="
        + precision
        + ", seed="
        + seed
        + ", batchSize="
        + batchSize
        + ", selectionMaxRows="
        + selectionMaxRows
        + ", selectionMaxChunkWidth="
        + selectionMaxChunkWidth
        + ", selectionInitialFitAll="
        + selectionInitialFitAll
        + ", searchMaxRows="
        + searchMaxRows
        + ", recomputeLastStep="
        + recomputeLastStep
        + ", finalModelFromSums="
        + finalModelFromSums
        + ", selectionMaxRunRows="
        + selectionMaxRunRows
        + ", selectionMaxFitCells="
        + selectionMaxFitCells
        + ", selectionParallelism="
        + selectionParallelism
        + (featengColumns == null ? "" : ", featengColumns=" + featengColumns)
        + (dimensions.isEmpty() ? "" : ", dimensions=" + dimensions + ", piTheorem=" + piTheorem)
        + "}";
  }

  /** Builds an {@link EngineConfig}; not thread-safe. */
  public static final class Builder {
    private TargetKind problem = TargetKind.REGRESSION;
    private int featengSteps = 2;
    private int featselRuns = 5;
    private List<Transformation> transformations = Transformation.DEFAULTS;
    private StoragePrecision precision = StoragePrecision.DOUBLE;
    private long seed;
    private int batchSize = 256;
    private int selectionMaxRows;
    private int selectionMaxChunkWidth;
    private boolean selectionInitialFitAll = true;
    private int searchMaxRows;
    private boolean recomputeLastStep;
    private boolean finalModelFromSums;
    private PathOptions selectionPath;
    private PathOptions finalPath;
    private int selectionMaxRunRows = SelectionOptions.DEFAULT_MAX_RUN_ROWS;
    private long selectionMaxFitCells = SelectionOptions.DEFAULT_MAX_FIT_CELLS;
    private int selectionParallelism = 1;
    private java.util.@Nullable Set<String> featengColumns;
    private java.util.Map<String, io.memguard.autofeat.internal.units.Dimension> dimensions =
        java.util.Map.of();
    private boolean piTheorem = true;
    private java.util.function.@Nullable IntConsumer selectionReadTrace;

    private Builder() {}

    /** The dimensions of input columns by name (see {@link EngineConfig#dimensions()}). */
    public Builder dimensions(
        java.util.Map<String, io.memguard.autofeat.internal.units.Dimension> dimensions) {
      this.dimensions = java.util.Map.copyOf(dimensions);
      return this;
    }

    /** Whether to add the Pi theorem's groups (see {@link EngineConfig#piTheorem()}). */
    public Builder piTheorem(boolean piTheorem) {
      this.piTheorem = piTheorem;
      return this;
    }

    /**
     * For measurements: told the store slot of every column selection reads, in order (from the
     * selection threads: thread-safe if {@link #selectionParallelism} is above 1).
     */
    public Builder selectionReadTrace(java.util.function.IntConsumer trace) {
      this.selectionReadTrace = Objects.requireNonNull(trace, "trace");
      return this;
    }

    /**
     * The input columns feature engineering starts from; null (the default) for all. Kept in its
     * iteration order.
     */
    public Builder featengColumns(java.util.@Nullable Set<String> columns) {
      this.featengColumns =
          columns == null
              ? null
              : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(columns));
      return this;
    }

    /** Sets the problem type. */
    public Builder problem(TargetKind problem) {
      this.problem = Objects.requireNonNull(problem, "problem");
      return this;
    }

    /**
     * Sets the number of feature-engineering steps.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder featengSteps(int steps) {
      if (steps < 0) {
        throw new IllegalArgumentException("featengSteps must be >= 0, was " + steps);
      }
      this.featengSteps = steps;
      return this;
    }

    /** Sets the number of selection runs ({@code <= 0} turns selection off). */
    public Builder featselRuns(int runs) {
      this.featselRuns = runs;
      return this;
    }

    /**
     * Sets the transformations by autofeat name ({@code "1/", "exp", "log", "abs", "sqrt", "^2",
     * "^3", "1+", "1-", "sin", "cos", "exp-", "2^"}).
     *
     * @throws IllegalArgumentException for an unknown or repeated name
     */
    public Builder transformations(String... labels) {
      List<Transformation> ts =
          java.util.Arrays.stream(labels).map(Transformation::fromLabel).toList();
      if (ts.stream().distinct().count() != ts.size()) {
        throw new IllegalArgumentException("repeated transformation in " + List.of(labels));
      }
      this.transformations = ts;
      return this;
    }

    /** Sets the transformations. */
    public Builder transformations(List<Transformation> ts) {
      List<Transformation> copy = List.copyOf(ts);
      if (copy.stream().distinct().count() != copy.size()) {
        throw new IllegalArgumentException("repeated transformation in " + copy);
      }
      this.transformations = copy;
      return this;
    }

    /** Sets the storage precision of candidate columns. */
    public Builder precision(StoragePrecision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /** Sets the seed. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the suggested generation batch size.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Limits the rows feature selection works on (0 = all).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder selectionMaxRows(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("selectionMaxRows must be >= 0, was " + rows);
      }
      this.selectionMaxRows = rows;
      return this;
    }

    /**
     * Limits the candidate columns per L1 fit in selection (0 = autofeat's widths).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder selectionMaxChunkWidth(int width) {
      if (width < 0) {
        throw new IllegalArgumentException("selectionMaxChunkWidth must be >= 0, was " + width);
      }
      this.selectionMaxChunkWidth = width;
      return this;
    }

    /**
     * Lets selection's initial L1 fits take every column when granted; see {@link
     * EngineConfig#selectionInitialFitAll()}.
     */
    public Builder selectionInitialFitAll(boolean all) {
      this.selectionInitialFitAll = all;
      return this;
    }

    /**
     * Limits the rows feature generation and selection work on (0 = all); see {@link
     * EngineConfig#searchMaxRows()}.
     *
     * @throws IllegalArgumentException if negative, or positive and below 10
     */
    public Builder searchMaxRows(int rows) {
      if (rows < 0 || (rows > 0 && rows < 10)) {
        throw new IllegalArgumentException("searchMaxRows must be 0 or >= 10, was " + rows);
      }
      this.searchMaxRows = rows;
      return this;
    }

    /**
     * Keeps last-step features as expressions, recomputed on reading; see {@link
     * EngineConfig#recomputeLastStep()}.
     */
    public Builder recomputeLastStep(boolean recompute) {
      this.recomputeLastStep = recompute;
      return this;
    }

    /** Fits the final model over blocks of rows; see {@link EngineConfig#finalModelFromSums()}. */
    public Builder finalModelFromSums(boolean fromSums) {
      this.finalModelFromSums = fromSums;
      return this;
    }

    /**
     * Limits the rows each selection run draws (default {@link
     * SelectionOptions#DEFAULT_MAX_RUN_ROWS}; 0 = autofeat's 85% of the selection rows).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder selectionMaxRunRows(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("selectionMaxRunRows must be >= 0, was " + rows);
      }
      this.selectionMaxRunRows = rows;
      return this;
    }

    /**
     * Bounds the values (columns x rows) of any one L1 fit of selection (0 = no bound).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder selectionMaxFitCells(long cells) {
      if (cells < 0) {
        throw new IllegalArgumentException("selectionMaxFitCells must be >= 0, was " + cells);
      }
      this.selectionMaxFitCells = cells;
      return this;
    }

    /**
     * Lets up to {@code threads} selection runs run at once, each on its own thread (1 = one after
     * another). Results do not depend on it unless memory limits the runs' widths.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder selectionParallelism(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("selectionParallelism must be >= 1, was " + threads);
      }
      this.selectionParallelism = threads;
      return this;
    }

    /** Sets the penalty-path settings of the selection fits. */
    public Builder selectionPath(PathOptions path) {
      this.selectionPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Sets the penalty-path settings of the final model. */
    public Builder finalPath(PathOptions path) {
      this.finalPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Builds the configuration. */
    public EngineConfig build() {
      return new EngineConfig(this);
    }
  }
}
