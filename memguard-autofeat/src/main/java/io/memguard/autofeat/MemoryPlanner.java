package io.memguard.autofeat;

import io.memguard.autofeat.internal.GenerationSurvey;
import io.memguard.autofeat.internal.PassesFinalModel;
import io.memguard.autofeat.internal.SumsFinalModel;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.select.FeatureSelector;
import io.memguard.autofeat.internal.select.SelectionOptions;

/**
 * Predicts the peak bytes of a fit's plans from a pilot's counts and chooses the plan; pure
 * arithmetic, immutable and thread-safe. The constants are documented in {@code docs/autofeat.md},
 * "Memory"; the predictions are checked against measured reservations by the tests.
 *
 * <p>A fit's peak is the largest of its three phases:
 *
 * <ul>
 *   <li>generation: the stored columns ({@code (inputs + stored kept) * searchRows * bytes per
 *       value}), per-column metadata, the expression pool, one batch of scratch columns, and the
 *       copy of the search rows;
 *   <li>selection: the stored candidates, metadata and expressions, one run's largest fit (a chunk
 *       of {@code width * 1.5} columns with the initial set and noise, or all columns when the
 *       initial fit takes them all) on m rows (85% of the search rows, at most 2,500) with the L1
 *       solver's work, or the final noise filter on all search rows, whichever is larger; a few row
 *       vectors;
 *   <li>final model: the features' values on all rows, their standardised copy and the solver's
 *       work ({@code L1Models.finalWorkBytes}).
 * </ul>
 *
 * <p>Selection's chunk matrix grows with the square of the search rows under autofeat's widths
 * (half the run's rows), which is why the lightweight plan can cap the widths.
 *
 * <p>The pilot runs on few rows, where the kept and candidate counts are nearly the same as on all
 * rows; margins of 15% (kept columns, expressions) and 30% (candidates, which the final filter
 * thins less on more rows) cover the difference.
 */
final class MemoryPlanner {

  /** Rows the pilot generation runs on. */
  static final int PILOT_ROWS = 64;

  /**
   * The lightweight plan never searches for features on fewer rows than this (or all, if fewer).
   */
  static final int MIN_SEARCH_ROWS = 100;

  /** Heap bytes per proposed expression: its pool entry and tree (measured: about 150-300). */
  static final long POOL_BYTES = 256;

  /** Heap bytes per kept column besides its values: descriptor, statistics, array header. */
  static final long META_BYTES = 128;

  /** Margin on the pilot's kept columns and proposed expressions. */
  static final double KEPT_MARGIN = 1.15;

  /** Margin on the pilot's candidates. */
  static final double CANDIDATE_MARGIN = 1.3;

  /** A selection chunk costs its matrix plus the L1 solver's caches: this many times the matrix. */
  static final int SOLVER_FACTOR = 2;

  /** Initial share of noise and initial-set columns on top of a selection chunk. */
  static final double FIXED_RATIO = 0.5;

  /**
   * The lightweight options {bytes per value, chunk-width cap (0 = autofeat's)}, most faithful
   * first.
   */
  static final int[][] LIGHT_OPTIONS = {{8, 0}, {4, 0}, {4, 50}, {4, 20}};

  /** Features the plans reserve room for in the final model (the model phase adapts). */
  static final int PLAN_MODEL_FEATURES = 20;

  private final int rows;
  private final int features;
  private final GenerationSurvey survey;
  private final TargetKind problem;
  private final boolean sumsModel;

  /**
   * A planner for a regression fit; see {@link #MemoryPlanner(int, int, GenerationSurvey,
   * ProblemType)}.
   */
  MemoryPlanner(int rows, int features, GenerationSurvey survey) {
    this(rows, features, survey, ProblemType.REGRESSION);
  }

  /**
   * @param rows training rows
   * @param features input columns
   * @param survey the pilot's counts, or null when the fit generates nothing
   * @param problem regression or classification (their solvers differ in memory)
   */
  MemoryPlanner(int rows, int features, GenerationSurvey survey, ProblemType problem) {
    this(
        rows,
        features,
        survey,
        problem == ProblemType.CLASSIFICATION ? TargetKind.CLASSIFICATION : TargetKind.REGRESSION,
        false);
  }

  private MemoryPlanner(
      int rows, int features, GenerationSurvey survey, TargetKind problem, boolean sumsModel) {
    this.rows = rows;
    this.features = features;
    this.survey = survey;
    this.problem = problem;
    this.sumsModel = sumsModel;
  }

  /**
   * This planner with a final model whose heap does not grow with the rows: a regression's from
   * per-fold sums over blocks of rows ({@code SumsFinalModel}), a classifier's from Newton passes
   * over blocks of rows with its penalties from a sample ({@code PassesFinalModel}); null for too
   * few rows, which have no such model, and for a classifier whose in-memory model is the smaller
   * (a few thousand rows). The fit's last resort before it refuses: the model's coefficients come
   * from another solver than the in-memory model's (the same up to its tolerance for a regression;
   * for a classifier, penalties chosen on a sample), so a plan that fits with the in-memory model
   * keeps it.
   */
  MemoryPlanner withSumsModel() {
    PathOptions options = PathOptions.forFinalModel(problem);
    if (sumsModel) {
      return this;
    }
    boolean possible =
        problem == TargetKind.REGRESSION
            ? SumsFinalModel.possible(rows, options)
            : PassesFinalModel.possible(rows, options)
                // only where it is the smaller: not on a few thousand rows
                && PassesFinalModel.planBytes(modelFeatures(), features, rows, options)
                    < model(modelFeatures());
    if (!possible) {
      return null;
    }
    return new MemoryPlanner(rows, features, survey, problem, true);
  }

  /** How this planner's final model is fitted, for a message: "" for the in-memory model. */
  String finalModelWording() {
    if (!sumsModel) {
      return "";
    }
    return problem == TargetKind.REGRESSION
        ? SumsFinalModel.DESCRIPTION
        : PassesFinalModel.DESCRIPTION;
  }

  /**
   * Whether this planner's final model is one over blocks of rows (per-fold sums, Newton passes).
   */
  boolean sumsModel() {
    return sumsModel;
  }

  /** The pilot's rows for {@code rows} training rows. */
  static int pilotRows(int rows) {
    return Math.min(rows, PILOT_ROWS);
  }

  /** Bytes of the smallest thing any plan does: the final model on the input columns alone. */
  long minimalBytes() {
    return model(features);
  }

  /**
   * The normal plan: double values on all rows, every column stored but the last step's (derived
   * from their stored parents, the same values), autofeat's chunk widths; the initial selection
   * fits take all columns if there are few enough of them per row ({@link
   * FeatureSelector#initialFitMayTakeAll}) and the plan's prediction with that block fits {@code
   * usable}, else the screened columns.
   */
  FitPlan normal(long usable) {
    if (initialFitMayTakeAll()) {
      long wide = peak(8, rows, false, 0, true);
      if (wide <= usable) {
        return new FitPlan(false, false, rows, rows, false, 0, true, wide, usable);
      }
    }
    return new FitPlan(false, false, rows, rows, false, 0, false, peak(8, rows, false, 0), usable);
  }

  /**
   * The lightweight plan that stays closest to the normal one within {@code usable}; null when not
   * even {@link #MIN_SEARCH_ROWS} rows fit. Last-step features are always recomputed. The options,
   * most faithful first: double values with autofeat's chunk widths, float values with autofeat's
   * widths, float with chunks of at most 50 columns, float with at most 20. The first option that
   * searches on all rows wins; if none does, the one that searches on the most rows (rows matter
   * most for what selection finds).
   */
  FitPlan lightweight(long usable) {
    FitPlan best = null;
    for (int[] option : LIGHT_OPTIONS) {
      int b = option[0];
      int width = option[1];
      int r = maxRows(b, width, usable);
      if (r < 0) {
        continue;
      }
      r = onGrid(r);
      if (best == null || r > best.searchRows()) {
        best =
            new FitPlan(
                true,
                b == Float.BYTES,
                rows,
                r,
                true,
                width,
                false,
                peak(b, r, true, width),
                usable);
      }
      if (r == rows) {
        break;
      }
    }
    return best;
  }

  /** Search rows below all rows are multiples of this share of them. */
  static final int SEARCH_ROWS_GRID = 32;

  /**
   * {@code r} rounded down to a multiple of 1/{@value #SEARCH_ROWS_GRID} of the rows (at least the
   * minimum), all rows unchanged. What is usable moves by a few kilobytes from run to run (with the
   * heap's live floor, and with what other work has reserved); on the grid, such runs search on the
   * same rows and find the same features, for at most 3% fewer rows.
   */
  int onGrid(int r) {
    if (r >= rows) {
      return rows;
    }
    int grid = Math.max(1, rows / SEARCH_ROWS_GRID);
    return Math.max(Math.min(rows, MIN_SEARCH_ROWS), r - r % grid);
  }

  /** The most search rows (at least the minimum) whose plan fits {@code usable}, or -1. */
  private int maxRows(int b, int width, long usable) {
    int lo = Math.min(rows, MIN_SEARCH_ROWS);
    if (peak(b, lo, true, width) > usable) {
      return -1;
    }
    int best = lo;
    int hi = rows;
    while (best < hi) {
      int mid = best + (hi - best + 1) / 2;
      if (peak(b, mid, true, width) <= usable) {
        best = mid;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  /** The predicted number of columns selection works on: input columns and candidates. */
  int columns() {
    return (int) Math.ceil(features + candidates());
  }

  /** The rows of one selection run on all training rows (85%, as autofeat, at most 2,500). */
  int runRows() {
    return FeatureSelector.runRows(rows, SelectionOptions.DEFAULT_MAX_RUN_ROWS);
  }

  /**
   * Whether the predicted columns are few enough per run row for initial fits on all of them, and
   * within the bound on one fit's values; always, when no pilot ran (the selector then decides on
   * the columns generation made).
   */
  boolean initialFitMayTakeAll() {
    if (survey != null && survey.isUpperBound()) {
      // no pilot ran because even the bound fits many times over: the selector applies the shape
      // rule and the bound on one fit's values to the columns generation really made, as a
      // pilot's counts would have (a roomier heap must not get a less faithful selection)
      return true;
    }
    int m = runRows();
    // the shape rule reads the pilot's count itself; the margins are for memory
    long pilotColumns = features + (survey == null ? 0 : survey.candidates());
    return FeatureSelector.initialFitMayTakeAll(columns(), m)
        && pilotColumns <= FeatureSelector.maxFitColumns(m, SelectionOptions.DEFAULT_MAX_FIT_CELLS);
  }

  /** The cheapest lightweight plan, for the message when even it does not fit. */
  FitPlan minimalLightweight(long usable) {
    int lo = Math.min(rows, MIN_SEARCH_ROWS);
    int width = LIGHT_OPTIONS[LIGHT_OPTIONS.length - 1][1];
    return new FitPlan(true, true, rows, lo, true, width, false, peak(4, lo, true, width), usable);
  }

  /** The predicted peak of a plan whose initial selection fits take the screened columns. */
  long peak(int bytesPerValue, int searchRows, boolean recompute, int widthCap) {
    return peak(bytesPerValue, searchRows, recompute, widthCap, false);
  }

  /**
   * The predicted peak of a plan; {@code initialAll}: the initial selection fits take all columns.
   */
  long peak(
      int bytesPerValue, int searchRows, boolean recompute, int widthCap, boolean initialAll) {
    long gen = generation(bytesPerValue, searchRows, recompute);
    long sel = selection(bytesPerValue, searchRows, recompute, widthCap, initialAll);
    return Math.max(Math.max(gen, sel), model(modelK(recompute)));
  }

  /**
   * The final model's features a plan counts on: a lightweight plan at most as many as inputs (the
   * model phase keeps the best-ranked features that fit, and says so).
   */
  private int modelK(boolean recompute) {
    return recompute && !sumsModel
        ? Math.max(1, Math.min(modelFeatures(), features))
        : modelFeatures();
  }

  /**
   * Whether the plan's predicted peak would fall if the data had fewer rows: it searches on more
   * rows than the floor, or its largest phase is the final model on all rows. Otherwise the
   * candidates on the floor's rows take the memory and only fewer steps or inputs help.
   */
  boolean fewerRowsWouldHelp(FitPlan plan) {
    if (searchesAboveFloor(plan)) {
      return true;
    }
    int b = plan.floatStorage() ? Float.BYTES : Double.BYTES;
    boolean recompute = plan.recomputeLastStep();
    long gen = generation(b, plan.searchRows(), recompute);
    long sel =
        selection(b, plan.searchRows(), recompute, plan.maxChunkWidth(), plan.initialFitAll());
    return model(modelK(recompute)) >= Math.max(gen, sel);
  }

  /**
   * Whether a plan searches on more rows than the floor ({@link #MIN_SEARCH_ROWS}, or all rows if
   * fewer), so that fewer training rows would shrink its search.
   */
  static boolean searchesAboveFloor(FitPlan plan) {
    return plan.searchRows() > Math.min(plan.rows(), MIN_SEARCH_ROWS);
  }

  long generation(int b, int r, boolean recompute) {
    if (survey == null) {
      return features * column(b, r) + inputs(r);
    }
    // the last step stores only what the final filter keeps
    double keptBefore = survey.keptBeforeLastStep() * KEPT_MARGIN;
    double keptLast =
        Math.min(
            (survey.kept() - survey.keptBeforeLastStep()) * KEPT_MARGIN,
            (survey.candidates() - survey.candidatesBeforeLastStep()) * CANDIDATE_MARGIN);
    double keptStored = lastStepStored(b, recompute) ? keptBefore + keptLast : keptBefore;
    double pool = survey.proposed() * KEPT_MARGIN;
    double stored = (features + keptStored) * column(b, r);
    double meta = (features + keptBefore + keptLast) * META_BYTES + pool * POOL_BYTES;
    // the candidate's scratch column and its parents copied out of the store, and the start
    // features as doubles for the final filter
    long scratch = 3 * HeapBytes.doubles(r) + features * HeapBytes.doubles(r);
    if (recompute) {
      scratch += features * HeapBytes.doubles(r); // start features as doubles for recomputing
    }
    return (long) Math.ceil(stored + meta) + slack(b, r, stored) + scratch + inputs(r);
  }

  long selection(int b, int r, boolean recompute, int widthCap, boolean initialAll) {
    double candidates = candidates();
    int m = FeatureSelector.runRows(r, SelectionOptions.DEFAULT_MAX_RUN_ROWS);
    double columns = features + candidates;
    int fitCap = FeatureSelector.maxFitColumns(m, SelectionOptions.DEFAULT_MAX_FIT_CELLS);
    int width = Math.max(10, (int) (0.5 * m));
    if (widthCap > 0) {
      width = Math.min(width, widthCap);
    }
    width = (int) Math.min(Math.min(width, fitCap), Math.ceil(columns));
    // a chunk fit: the chunk, the initial set and its noise columns; or all columns at once
    int fitColumns = (int) Math.ceil(width * (1 + FIXED_RATIO));
    if (initialAll) {
      fitColumns = Math.max(fitColumns, (int) Math.ceil(columns));
    }
    fitColumns = Math.max(1, fitColumns);
    PathOptions path = PathOptions.forSelection(problem);
    long fit = FeatureSelector.fitBytes(problem, fitColumns, m, path);
    int filtered = (int) Math.min(Math.ceil(columns), 2 * PLAN_MODEL_FEATURES);
    long finalFilter = FeatureSelector.noiseFilterBytes(problem, Math.max(1, filtered), r, path);
    // every candidate's expression stays reachable through selection (inputs' are the symbols)
    double meta = columns * (META_BYTES + 48) + candidates * POOL_BYTES;
    long rowVectors = 6 * HeapBytes.doubles(r) + 4 * HeapBytes.doubles(m);
    return selectionStoreBytes(b, r, recompute)
        + (long) Math.ceil(meta)
        + Math.max(fit, finalFilter)
        + rowVectors
        + inputs(r);
  }

  /**
   * The store's bytes through selection: the start features and the stored candidates, with the
   * store's slack; for a recomputing store the start features again as doubles.
   */
  long selectionStoreBytes(int b, int r, boolean recompute) {
    double stored = candidates();
    if (!lastStepStored(b, recompute) && survey != null) {
      // the last step's columns are recomputed (only the earlier steps' candidates stay stored) or
      // derived (their parents stay too, even those the final filter drops: every earlier column)
      stored =
          recompute
              ? Math.min(
                  survey.keptBeforeLastStep() * KEPT_MARGIN,
                  survey.candidatesBeforeLastStep() * CANDIDATE_MARGIN)
              : survey.keptBeforeLastStep() * KEPT_MARGIN;
    }
    double values = (features + stored) * column(b, r);
    if (recompute) {
      values += (double) features * HeapBytes.doubles(r);
    }
    return (long) Math.ceil(values + slack(b, r, values));
  }

  /**
   * Whether a plan's store holds the last step's values: not when they are recomputed, and not in a
   * double store, which derives them from their stored parents ({@code ColumnStore.forPlan}).
   */
  private static boolean lastStepStored(int b, boolean recompute) {
    return !recompute && b != Double.BYTES;
  }

  /** Bytes of the final model on {@code k} features, on all rows. */
  long model(int k) {
    int n = Math.max(2, rows);
    if (sumsModel) {
      PathOptions options = PathOptions.forFinalModel(problem);
      return problem == TargetKind.REGRESSION
          ? SumsFinalModel.planBytes(k, n, options)
          : PassesFinalModel.planBytes(k, features, n, options);
    }
    return HeapBytes.doubles(k, n)
        + 4 * HeapBytes.doubles(n)
        + L1Models.finalWorkBytes(problem, k, n, 2, PathOptions.forFinalModel(problem), true);
  }

  private double candidates() {
    if (survey == null) {
      return 0;
    }
    return Math.min(survey.kept() * KEPT_MARGIN, survey.candidates() * CANDIDATE_MARGIN);
  }

  private int modelFeatures() {
    return (int)
        Math.min(features + Math.ceil(candidates()), Math.max(features, PLAN_MODEL_FEATURES));
  }

  /** Heap bytes of one stored column of {@code r} values of {@code b} bytes ({@link HeapBytes}). */
  private static long column(int b, int r) {
    return b == Double.BYTES ? HeapBytes.doubles(r) : HeapBytes.floats(r);
  }

  /** The room a growing store may hold beyond {@code stored} bytes of columns. */
  private static long slack(int b, int r, double stored) {
    return ColumnStore.slackBytes(
        b == Double.BYTES ? StoragePrecision.DOUBLE : StoragePrecision.FLOAT, r, stored);
  }

  /** The copy of the search rows the engine makes when it searches on a subset. */
  private long inputs(int r) {
    return r < rows ? (features + 1) * HeapBytes.doubles(r) : 0;
  }
}
