package io.memguard.autofeat;

import io.memguard.autofeat.internal.feateng.Transformation;
import io.memguard.core.CancellationToken;
import io.memguard.core.Grant;
import io.memguard.core.MemoryScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Fits AutoFeat models (autofeat's non-linear feature generation, L1 feature selection and a final
 * linear model) inside memguard scopes: every byte a fit allocates is reserved in the scope it is
 * given and released as soon as its phase or batch ends or fails.
 *
 * <pre>{@code
 * AutoFeatProcessor processor = AutoFeatProcessor.builder().featureEngineeringSteps(3).build();
 * try (MemoryScope scope = memory.openScope("train-autofeat");
 *      AutoFeatModel model = processor.fit(scope, train)) {
 *   System.out.println(model.features() + " R^2 " + model.score(test));
 * }
 * }</pre>
 *
 * <p><b>What a fit holds.</b> A fit opens a child scope of the scope it is given, one child per
 * phase and one per batch. The candidate matrix is never held whole: candidates are generated in
 * batches sized by the {@link io.memguard.core.ResourceAllocator} from a bytes-per-candidate
 * estimate that each batch's measurement corrects, and selection fits one chunk of columns at a
 * time. When the memory is too small for the normal plan, or the pressure level reaches CRITICAL
 * during the search, the fit switches to its lightweight plan ({@link FitPlan}), says so ({@link
 * FitListener#onLightweight}, a WARN log, {@link FitReport#lightweight()}) and still returns a
 * model. A budget too small even for the lightweight plan fails at once with {@link
 * InsufficientMemoryException}, before the fit allocates its working memory. After {@code fit}
 * returns only the model's own small reservation remains (see {@link AutoFeatModel}); after an
 * exception nothing does. Details: {@code docs/autofeat.md}, "Memory".
 *
 * <p>Immutable and thread-safe: one processor may run several fits at once, each on its own thread
 * (a shared {@link FitListener} must then be thread-safe). Within one fit the selection runs may
 * run on several threads ({@link Builder#parallelism}); the fit's listener is still called by one
 * thread at a time. The same seed and data give the same features whenever the same plan is chosen.
 *
 * @since 0.1.0
 */
public final class AutoFeatProcessor {

  private final ProblemType problemType;
  private final int featureEngineeringSteps;
  private final int featureSelectionRuns;
  private final List<Transformation> transformations;
  private final long seed;
  private final int maxSampleRows;
  private final int maxBatchSize;
  private final FitListener listener;
  private final CancellationToken cancellation;
  private final @Nullable ModelRegistry registry;
  private final LightweightPolicy lightweight;
  private final String name;
  private final FitRun.FaultInjector faultInjector;
  private final int parallelism;
  private final List<String> featureEngineeringColumns;
  private final java.util.Map<String, String> units;
  private final boolean piTheorem;

  private AutoFeatProcessor(Builder b) {
    this.problemType = b.problemType;
    this.featureEngineeringSteps = b.featureEngineeringSteps;
    this.featureSelectionRuns = b.featureSelectionRuns;
    this.transformations = b.transformations;
    this.seed = b.seed;
    this.maxSampleRows = b.maxSampleRows;
    this.maxBatchSize = b.maxBatchSize;
    this.listener = b.listener;
    this.cancellation = b.cancellation;
    this.registry = b.registry;
    this.lightweight = b.lightweight;
    this.name = b.name;
    this.faultInjector = b.faultInjector;
    this.parallelism = b.parallelism;
    this.featureEngineeringColumns = b.featureEngineeringColumns;
    this.units = b.units;
    this.piTheorem = b.piTheorem;
  }

  /** A builder with autofeat's defaults: regression, 2 steps, 5 selection runs, seed 0. */
  public static Builder builder() {
    return new Builder();
  }

  /** A processor with all defaults. */
  public static AutoFeatProcessor ofDefaults() {
    return builder().build();
  }

  /**
   * Fits a model on {@code data}, reserving everything the fit allocates in {@code scope} (in child
   * scopes it opens and closes). The model's own bytes stay reserved in {@code scope} until the
   * model is closed.
   *
   * @throws InsufficientMemoryException if not even the cheapest allowed plan fits the memory
   *     available in {@code scope}; nothing is left reserved
   * @throws io.memguard.core.TaskStoppedException if the cancellation token was cancelled; the fit
   *     stopped between two batches, released everything and says where it stopped
   * @throws IllegalArgumentException if {@code data} does not suit the problem type (e.g. fewer
   *     than 10 rows, or a single class)
   * @throws IllegalStateException if {@code scope} is closed
   */
  public AutoFeatModel fit(MemoryScope scope, Dataset data) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(data, "data");
    return new FitRun(FitSettings.of(this), scope, null, data).run();
  }

  /**
   * Fits a model within a grant of the {@link io.memguard.core.ResourceAllocator}: batches are
   * sized by {@link Grant#batchSize}, the grant is rebalanced between batches, and the grant's
   * cancellation token (the emergency guard's lever) stops the fit like the processor's own. The
   * model's bytes stay reserved in the grant's scope until the model is closed.
   *
   * @throws InsufficientMemoryException if not even the cheapest allowed plan fits the grant
   * @throws io.memguard.core.TaskStoppedException if either token was cancelled
   */
  public AutoFeatModel fit(Grant grant, Dataset data) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(data, "data");
    return new FitRun(FitSettings.of(this), grant.scope(), grant, data).run();
  }

  /**
   * Fits a model on a CSV source that need not fit in memory. The search (generation and selection)
   * runs on a seeded reservoir sample of the source's rows, as large as 1/256 of what {@code scope}
   * has available allows and at most {@link #maxSampleRows()}; for regression the final model is
   * then refitted over every row of the file in one more streamed pass (its coefficients from
   * per-fold sums of the selected features, cross-validated as on the sample), so a file larger
   * than the heap is fitted on all its rows; a classifier's is refitted the same way, from Newton
   * passes over every row. The final model stays the sample's when the sample is the whole source
   * or the source is a reader (which cannot be read twice). A source read in part before the fit is
   * fitted on its remaining rows, in both passes. {@link AutoFeatModel#rows()} and the report's
   * decisions say which rows each phase saw. Reads the source to its end (and reopens the file for
   * the second pass); does not close it. A classifier reads the target of every row in the first
   * pass: class labels (text) are read as {@link Dataset#fromCsv} reads them, numbered in the same
   * sorted order; a class that no sampled row has is not one of the model's classes (the decisions
   * say how many rows have one).
   *
   * @throws IllegalArgumentException if the source has no target column, a row has another width
   *     than the header, or a cell the fit reads is not a finite number (naming file, line and
   *     column), except a classifier's target of class labels; a regression's target of labels is
   *     refused at the first row the fit reads with one. The fit reads every cell of the sampled
   *     rows and, in the second pass, the final model's input columns and the target of every row;
   *     a bad cell in another column of a row outside the sample goes unread, so whether it is
   *     reported depends on the sample (validate such files with {@link CsvSource#next(int)} first
   *     when that matters)
   * @throws InsufficientMemoryException if the scope cannot hold a sample of 10 rows, or as {@link
   *     #fit(MemoryScope, Dataset)}
   */
  public AutoFeatModel fit(MemoryScope scope, CsvSource source) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(source, "source");
    return StreamFit.registered(this, StreamFit.run(this, scope, source));
  }

  /** The most rows a fit on a {@link CsvSource} holds in memory for its search. */
  public int maxSampleRows() {
    return maxSampleRows;
  }

  /** Regression or classification. */
  public ProblemType problemType() {
    return problemType;
  }

  /** Feature-engineering steps. */
  public int featureEngineeringSteps() {
    return featureEngineeringSteps;
  }

  /** Feature-selection runs. */
  public int featureSelectionRuns() {
    return featureSelectionRuns;
  }

  /**
   * The columns feature engineering starts from (autofeat's {@code feateng_cols}); empty for every
   * input column.
   */
  public List<String> featureEngineeringColumns() {
    return featureEngineeringColumns;
  }

  /**
   * The unit of each input column named (autofeat's {@code units}), in the order given; empty for
   * none.
   */
  public java.util.Map<String, String> units() {
    return units;
  }

  /** Whether a fit with {@link #units()} adds the Pi theorem's dimensionless groups. */
  public boolean applyPiTheorem() {
    return piTheorem;
  }

  /** The transformations by autofeat name, e.g. {@code "1/"}, {@code "log"}. */
  public List<String> transformations() {
    return transformations.stream().map(Transformation::label).toList();
  }

  /** The seed all randomness derives from. */
  public long seed() {
    return seed;
  }

  /** The largest generation batch, in candidates. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** How many selection runs a fit may run at once, each on its own thread. */
  public int parallelism() {
    return parallelism;
  }

  /** When the lightweight plan may be used. */
  public LightweightPolicy lightweightPolicy() {
    return lightweight;
  }

  /** The name of the scope each fit opens. */
  public String name() {
    return name;
  }

  List<Transformation> transformationList() {
    return transformations;
  }

  FitListener listener() {
    return listener;
  }

  CancellationToken cancellation() {
    return cancellation;
  }

  @Nullable ModelRegistry registry() {
    return registry;
  }

  FitRun.FaultInjector faultInjector() {
    return faultInjector;
  }

  @Override
  public String toString() {
    return "AutoFeatProcessor["
        + problemType
        + ", steps="
        + featureEngineeringSteps
        + ", runs="
        + featureSelectionRuns
        + ", transformations="
        + transformations()
        + (featureEngineeringColumns.isEmpty()
            ? ""
            : ", featureEngineeringColumns=" + featureEngineeringColumns)
        + (units.isEmpty() ? "" : ", units=" + units + ", applyPiTheorem=" + piTheorem)
        + ", seed="
        + seed
        + ", lightweight="
        + lightweight
        + ", parallelism="
        + parallelism
        + "]";
  }

  /** Builds an {@link AutoFeatProcessor}; validates each setting as it is set. Not thread-safe. */
  public static final class Builder {
    private ProblemType problemType = ProblemType.REGRESSION;
    private int featureEngineeringSteps = 2;
    private int featureSelectionRuns = 5;
    private List<Transformation> transformations = Transformation.DEFAULTS;
    private List<String> featureEngineeringColumns = List.of();
    private java.util.Map<String, String> units = java.util.Map.of();
    private boolean piTheorem = true;
    private long seed;
    private int maxSampleRows = 100_000;
    private int maxBatchSize = 256;
    private FitListener listener = FitListener.NONE;
    private CancellationToken cancellation = CancellationToken.none();
    private @Nullable ModelRegistry registry;
    private LightweightPolicy lightweight = LightweightPolicy.AUTO;
    private String name = "autofeat-fit";
    private FitRun.FaultInjector faultInjector;
    private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Builder() {}

    /** Regression (default) or classification. */
    public Builder problemType(ProblemType type) {
      this.problemType = Objects.requireNonNull(type, "problemType");
      return this;
    }

    /**
     * Feature-engineering steps (default 2; 0 fits on the input columns only). Each step multiplies
     * the candidates, so 3 is usually the most worth running.
     *
     * @throws IllegalArgumentException if negative or above 5
     */
    public Builder featureEngineeringSteps(int steps) {
      if (steps < 0 || steps > 5) {
        throw new IllegalArgumentException(
            "featureEngineeringSteps must be in [0, 5], got " + steps);
      }
      this.featureEngineeringSteps = steps;
      return this;
    }

    /**
     * Feature-selection runs (default 5; 0 keeps every generated feature for the final model).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder featureSelectionRuns(int runs) {
      if (runs < 0) {
        throw new IllegalArgumentException("featureSelectionRuns must be >= 0, got " + runs);
      }
      this.featureSelectionRuns = runs;
      return this;
    }

    /**
     * The unary transformations by autofeat name, tried in this order (default {@code "1/", "exp",
     * "log", "abs", "sqrt", "^2", "^3"}); also available: {@code "1+", "1-", "sin", "cos", "exp-",
     * "2^"}.
     *
     * @throws IllegalArgumentException naming an unknown or repeated name
     */
    public Builder transformations(String... names) {
      Objects.requireNonNull(names, "names");
      List<Transformation> ts = new ArrayList<>();
      for (String n : names) {
        Transformation t;
        try {
          t = Transformation.fromLabel(Objects.requireNonNull(n, "transformation name"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "unknown transformation '"
                  + n
                  + "'; known: "
                  + Arrays.stream(Transformation.values()).map(Transformation::label).toList(),
              e);
        }
        if (ts.contains(t)) {
          throw new IllegalArgumentException("transformation '" + n + "' given twice");
        }
        ts.add(t);
      }
      this.transformations = List.copyOf(ts);
      return this;
    }

    /**
     * The columns feature engineering starts from, autofeat's {@code feateng_cols} (default: every
     * input column): only they are transformed and combined; the other input columns are kept and
     * compete in selection as they are. A categorical column ({@link Dataset#categories()}) stands
     * for all of its 0/1 columns. With many input columns this is what keeps the search small: its
     * candidates grow with the square of the columns it starts from (to the fourth power with 3
     * steps). Empty: every input column.
     *
     * @throws IllegalArgumentException for a blank or repeated name (a name the data lacks is
     *     refused when a fit starts, naming the data's columns)
     */
    public Builder featureEngineeringColumns(java.util.Collection<String> columns) {
      Objects.requireNonNull(columns, "columns");
      List<String> copy = new ArrayList<>();
      for (String c : columns) {
        if (c == null || c.isBlank()) {
          throw new IllegalArgumentException("featureEngineeringColumns has a blank name");
        }
        if (copy.contains(c)) {
          throw new IllegalArgumentException(
              "featureEngineeringColumns names '" + c + "' twice; name each once");
        }
        copy.add(c);
      }
      this.featureEngineeringColumns = List.copyOf(copy);
      return this;
    }

    /**
     * The physical unit of input columns, autofeat's {@code units}: column name to unit, such as
     * {@code Map.of("distance", "km", "duration", "h", "mass", "kg")}. A column not named is
     * dimensionless. Feature engineering then builds only what is dimensionally sound: no {@code
     * log}, {@code exp}, {@code sin}, {@code cos} or {@code 2^} of a quantity with a dimension, no
     * sum or difference of two different dimensions; products, quotients and powers combine them
     * freely. Only dimensions count, never a unit's scale ({@code km} and {@code m} are both a
     * length). With {@link #applyPiTheorem} (the default) the fit also adds, as input features that
     * compete in selection but build nothing, the dimensionless products the Buckingham Pi theorem
     * finds among the engineered columns with a dimension (a Reynolds number from a density, a
     * speed, a length and a viscosity).
     *
     * <p>Units are written as pint writes them: {@code "kg*m/s^2"}, {@code "km / h"}, {@code "kW
     * h"}, {@code "degC"}, with SI prefixes and long names; a base dimension of your own goes in
     * brackets, such as {@code "[currency]/kg"}. Empty (the default): no unit checks.
     *
     * @throws IllegalArgumentException for a blank column name or a unit that cannot be read,
     *     naming the column and what to write instead (a column the data lacks is refused when a
     *     fit starts)
     */
    public Builder units(java.util.Map<String, String> units) {
      Objects.requireNonNull(units, "units");
      java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
      for (java.util.Map.Entry<String, String> e : units.entrySet()) {
        String column = e.getKey();
        if (column == null || column.isBlank()) {
          throw new IllegalArgumentException("units has a blank column name");
        }
        String unit = Objects.requireNonNull(e.getValue(), () -> "the unit of '" + column + "'");
        try {
          io.memguard.autofeat.internal.units.Units.parse(unit);
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(
              "units: column '" + column + "': " + bad.getMessage(), bad);
        }
        copy.put(column, unit);
      }
      this.units = java.util.Collections.unmodifiableMap(copy);
      return this;
    }

    /**
     * Whether a fit with {@link #units} adds the Pi theorem's dimensionless groups as input
     * features (autofeat's {@code apply_pi_theorem}; default true).
     */
    public Builder applyPiTheorem(boolean apply) {
      this.piTheorem = apply;
      return this;
    }

    /** The seed all randomness derives from (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The largest generation batch in candidates (default 256); the allocator may choose smaller
     * ones.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxBatchSize(int candidates) {
      if (candidates < 1) {
        throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + candidates);
      }
      this.maxBatchSize = candidates;
      return this;
    }

    /**
     * How many of a fit's selection runs may run at once, each on a thread of its own that lives as
     * long as the selection (default: the available processors). Fewer run at once when memory does
     * not hold that many; the features and the model do not depend on it unless memory is so short
     * that it narrows the runs' fits. When memory holds one run at a time and this is above 1, one
     * helper thread takes part of each run's largest solver loop (the same results). 1 runs
     * everything on the calling thread.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder parallelism(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, got " + threads);
      }
      this.parallelism = threads;
      return this;
    }

    /** Hears progress, batches, lightweight switches and the end of each fit (default none). */
    public Builder listener(FitListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * A token checked between batches; cancelling it stops running fits at their next batch
     * boundary with a {@link io.memguard.core.TaskStoppedException}, everything released.
     */
    public Builder cancellation(CancellationToken token) {
      this.cancellation = Objects.requireNonNull(token, "cancellation");
      return this;
    }

    /** A registry every fitted model is added to, weakly (default none). */
    public Builder registry(ModelRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** When the lightweight plan may be used (default {@link LightweightPolicy#AUTO}). */
    public Builder lightweight(LightweightPolicy policy) {
      this.lightweight = Objects.requireNonNull(policy, "lightweight");
      return this;
    }

    /**
     * The name of the scope each fit opens under the scope it is given (default {@code
     * autofeat-fit}); it appears in scope paths, logs and exceptions.
     *
     * @throws IllegalArgumentException if blank or containing '/'
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank() || name.indexOf('/') >= 0) {
        throw new IllegalArgumentException(
            "name must be non-blank without '/', got '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The most rows a fit on a {@link CsvSource} samples for its search (default 100,000; fewer
     * when the scope's memory allows fewer).
     *
     * @throws IllegalArgumentException if below 10
     */
    public Builder maxSampleRows(int rows) {
      if (rows < 10) {
        throw new IllegalArgumentException("maxSampleRows must be >= 10, got " + rows);
      }
      this.maxSampleRows = rows;
      return this;
    }

    /** For tests: called after each batch's reservation is made, before the batch runs. */
    Builder faultInjector(FitRun.FaultInjector injector) {
      this.faultInjector = injector;
      return this;
    }

    /** Builds the processor. */
    public AutoFeatProcessor build() {
      return new AutoFeatProcessor(this);
    }
  }
}
