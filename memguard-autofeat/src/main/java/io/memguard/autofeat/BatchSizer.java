package io.memguard.autofeat;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.feateng.Footprint;
import io.memguard.core.BatchDecision;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes one fit's batches: how many candidates, chunk columns, parallel selection runs or final
 * model features fit the fit's headroom now, and what each batch measured once it ran. Holds the
 * decision of the batch in progress (and of each selection run running at once) and the generation
 * counts. Reserves nothing: the engine reserves what it allocates through its leases.
 *
 * <p>Not thread-safe: every method is called under the fit's lock.
 */
final class BatchSizer {

  /** What the sizer reads from and reports to its fit. */
  interface Fit {
    boolean inPilot();

    @Nullable FitPlan currentPlan();

    int searchRows();

    /** Bytes the fit may use now. */
    long headroom();

    /**
     * Bytes the fit may plan for: as {@link #headroom()}, with the heap's live floor in place of
     * the heap in use after the last collection (which counts garbage). Sizes that shape the model
     * (which columns a fit takes together, how many features the final model keeps) are made on
     * this figure when {@link #reservableNow()} holds them, so the model does not depend on the
     * garbage in the heap.
     */
    long planningHeadroom();

    /**
     * Bytes the fit's reservations could take now: what its scope has available and what the
     * live-heap and process-memory lines admit ({@link MemoryManager#liveHeapRoomBytes()}, {@link
     * MemoryManager#processMemoryRoomBytes()}).
     */
    long reservableNow();

    String scopePath();

    RuntimeException overflow(
        FitPhase phase, long needed, long available, String what, @Nullable Throwable cause);

    void decide(String decision);

    /** The final model takes only the best-ranked features: the fit becomes lightweight. */
    void modelTruncated(String why);

    /** The engine moved to {@code step}, before its first batch. */
    void enteredStep(int step);
  }

  private static final Logger log = LoggerFactory.getLogger(AutoFeatProcessor.class);

  private final Fit fit;
  private final MemoryManager memory;
  private final @Nullable Grant grant;
  private final int dataRows;
  private final FitRun.@Nullable FaultInjector faultInjector;

  private @Nullable Decision decision;

  /** The width decision of each selection run in progress (runs may run at once). */
  private final Map<Integer, Decision> runDecisions = new HashMap<>();

  private int batchIndex;
  private long generationTried;
  private long generationKept;
  private int generationStep = -1;
  private double fixedRatio = MemoryPlanner.FIXED_RATIO;
  private long runRowBytes = 1;
  private boolean initialFitSeen;
  private boolean initialFitAll;

  /** The size decision of the batch (or selection run) in progress. */
  private record Decision(
      FitPhase phase,
      int step,
      int size,
      long available,
      long perItem,
      long reserved,
      PressureLevel pressure,
      String reason) {}

  BatchSizer(
      Fit fit,
      MemoryManager memory,
      @Nullable Grant grant,
      int dataRows,
      FitRun.@Nullable FaultInjector faultInjector) {
    this.fit = fit;
    this.memory = memory;
    this.grant = grant;
    this.dataRows = dataRows;
    this.faultInjector = faultInjector;
  }

  /** The engine's sizing hook: the batch size for {@code enginePhase}'s next batch. */
  int size(String enginePhase, int step, int suggested, long bytesPerCandidate) {
    return switch (enginePhase) {
      case "generate" -> sizeGeneration(step, suggested, bytesPerCandidate);
      case "select-initial" -> sizeInitialFit(step, suggested, bytesPerCandidate);
      case "select" ->
          sizeSelection(
              step,
              suggested,
              bytesPerCandidate,
              String.format(
                  Locale.ROOT,
                  "noise and initial columns estimated at %.0f%% of the chunk",
                  fixedRatio * 100));
      case "select-filter" -> sizeFilter(step, suggested, bytesPerCandidate);
      case "select-parallel" -> sizeParallel(suggested, bytesPerCandidate);
      case "select-carry" -> sizeCarry(suggested, bytesPerCandidate);
      case "model" -> sizeModel(suggested, bytesPerCandidate, modelRowBytes());
      case "model-in-memory" -> inMemoryModelOrNone(suggested, bytesPerCandidate);
      case "model-sums" -> sizeModel(suggested, bytesPerCandidate, 0);
      case "model-sample" -> sampleRowsOrNone(suggested, bytesPerCandidate);
      default -> suggested;
    };
  }

  /** Candidates computed and kept by generation so far (for a report without a fitted model). */
  long candidatesTried() {
    return generationTried;
  }

  long candidatesKept() {
    return generationKept;
  }

  /** The step of the decision in progress if it belongs to {@code phase}, else {@code other}. */
  int stepOr(FitPhase phase, int other) {
    Decision d = decision;
    return d != null && d.phase() == phase ? d.step() : other;
  }

  /** Forgets every count and learned ratio: the engine starts again (a new plan or the pilot). */
  void reset() {
    generationTried = 0;
    generationKept = 0;
    generationStep = -1;
    batchIndex = 0;
    fixedRatio = MemoryPlanner.FIXED_RATIO;
    initialFitSeen = false;
  }

  /** Forgets the decisions in progress (a failure: their batches will not report). */
  void dropDecisions() {
    decision = null;
    runDecisions.clear();
  }

  /**
   * Ends the phase's decisions: the final model's decision becomes its batch report (the model has
   * no batch statistics of its own); returns it, or null when the phase was not the model.
   */
  @Nullable BatchReport endPhase() {
    Decision d = decision;
    BatchReport report = null;
    if (d != null && d.phase() == FitPhase.MODEL) {
      report =
          new BatchReport(
              FitPhase.MODEL,
              0,
              0,
              d.size(),
              d.size(),
              d.size(),
              d.available(),
              d.perItem(),
              -1,
              d.reserved(),
              d.pressure(),
              d.reason(),
              -1);
    }
    dropDecisions();
    return report;
  }

  /**
   * The report of a finished batch, measured against the decision that sized it (null when no
   * decision sized it); learns the selection's fixed ratio from what the run held.
   */
  @Nullable BatchReport batchDone(BatchStats stats) {
    Decision dec = stats.phase().equals("select") ? runDecisions.get(stats.step()) : decision;
    if (dec == null) {
      return null;
    }
    int tried = stats.tried();
    if (stats.phase().equals("generate")) {
      decision = null;
      long held =
          stats.scratchBytes()
              + stats.retainedBytes()
              + Footprint.EXPRESSION_BYTES * tried
              + Footprint.COLUMN_METADATA_BYTES * stats.accepted();
      long measured = tried == 0 ? -1 : held / tried;
      generationTried += tried;
      generationKept += stats.accepted();
      return new BatchReport(
          dec.phase(),
          dec.step(),
          batchIndex++,
          dec.size(),
          tried,
          stats.accepted(),
          dec.available(),
          dec.perItem(),
          measured,
          held,
          dec.pressure(),
          dec.reason(),
          stats.nanos());
    }
    long measured = tried == 0 ? -1 : stats.scratchBytes() / tried;
    if (tried > 0 && 2L * tried >= dec.size()) {
      // the chunk's columns with their share of the initial set, the noise and the solver
      double perChunkColumn = MemoryPlanner.SOLVER_FACTOR * (double) runRowBytes;
      fixedRatio = Math.max(0.1, stats.scratchBytes() / (tried * perChunkColumn) - 1);
    }
    return new BatchReport(
        dec.phase(),
        dec.step(),
        stats.batchIndex(),
        dec.size(),
        tried,
        stats.accepted(),
        dec.available(),
        dec.perItem(),
        measured,
        stats.scratchBytes(),
        dec.pressure(),
        dec.reason(),
        stats.nanos());
  }

  private int sizeGeneration(int step, int suggested, long bytesPerCandidate) {
    boolean pilot = fit.inPilot();
    FitPhase fp = pilot ? FitPhase.PLAN : FitPhase.GENERATE;
    if (step != generationStep) {
      generationStep = step;
      batchIndex = 0;
      fit.enteredStep(step);
    }
    int searchRows = fit.searchRows();
    long scratch = HeapBytes.doubles(searchRows);
    long kept = Math.max(0, bytesPerCandidate - scratch) + Footprint.COLUMN_METADATA_BYTES;
    // every candidate may be kept: the survivors' reservations are taken as they are stored
    long perItem = HeapBytes.doubles(searchRows) + kept + Footprint.EXPRESSION_BYTES + 64;
    FitPlan plan = fit.currentPlan();
    boolean floats = pilot || plan == null || plan.floatStorage();
    long fixed = floats ? 2 * HeapBytes.doubles(searchRows) : 0; // the parents as doubles
    int max = shrinkForPressure(Math.max(1, suggested), 1);
    return decide(
        fp, step, batchIndex, fixed, perItem, 1, max, "every candidate may be kept", false);
  }

  /**
   * Sizes a run whose initial fit may take all {@code columns}: the answer grants them if it is at
   * least {@code columns}. Records the outcome of the first run and every change.
   */
  private int sizeInitialFit(int run, int columns, long bytesPerCandidate) {
    int size =
        sizeSelection(
            run, columns, bytesPerCandidate, "initial fit on all " + columns + " columns asked");
    boolean all = size >= columns;
    if (!initialFitSeen || initialFitAll != all) {
      initialFitSeen = true;
      initialFitAll = all;
      Decision d = runDecisions.get(run);
      fit.decide(
          all
              ? String.format(
                  Locale.ROOT,
                  "select run %d: initial L1 fit on all %d columns (%s planned for the run)",
                  run,
                  columns,
                  MemorySize.format(d.reserved()))
              : String.format(
                  Locale.ROOT,
                  "select run %d: initial L1 fit on the best-correlated"
                      + " columns: all %d would need %s, %d fit in %s available",
                  run,
                  columns,
                  MemorySize.format(columns * d.perItem()),
                  size,
                  MemorySize.format(d.available())));
    }
    return size;
  }

  private int sizeSelection(int run, int suggested, long bytesPerCandidate, String note) {
    batchIndex = 0;
    runRowBytes = bytesPerCandidate;
    fit.enteredStep(run);
    long perColumn =
        (long) Math.ceil(MemoryPlanner.SOLVER_FACTOR * bytesPerCandidate * (1 + fixedRatio));
    long fixed = 8 * bytesPerCandidate;
    int min = Math.min(10, Math.max(1, suggested));
    int max = shrinkForPressure(Math.max(1, suggested), min);
    int size = decide(FitPhase.SELECT, run, 0, fixed, perColumn, min, max, note, true);
    runDecisions.put(run, decision);
    return size;
  }

  /** How many selection runs may run at once: as many as their working memory fits twice over. */
  private int sizeParallel(int threads, long bytesPerRun) {
    long available = fit.headroom();
    // bytesPerRun bounds every lease a run takes (its widest fit with the solver's whole cache
    // allowance), so the runs at once must fit in the headroom left after the safety margin
    long usable = (long) (available * (1 - memory.allocator().safetyMargin()));
    int size = (int) Math.max(1, Math.min(threads, usable / Math.max(1, bytesPerRun)));
    fit.decide(
        String.format(
            Locale.ROOT,
            "selection: %d of %d runs at once (%s per run, %s available)",
            size,
            threads,
            MemorySize.format(bytesPerRun),
            MemorySize.format(available)));
    return size;
  }

  /**
   * How many of a run's columns its thread keeps for its next run: as many as the headroom left
   * after the safety margin holds (the next run reuses them instead of allocating its own).
   */
  private int sizeCarry(int columns, long bytesPerColumn) {
    long usable = (long) (fit.headroom() * (1 - memory.allocator().safetyMargin()));
    return (int) Math.max(0, Math.min(columns, usable / Math.max(1, bytesPerColumn)));
  }

  /** How many columns a noise filter takes at once (the rest is filtered in stages). */
  private int sizeFilter(int run, int columns, long bytesPerColumn) {
    // the groups shape the model (a column filtered in another group may fare otherwise): sized on
    // the heap's live floor when the reservations can have that now
    long available = fit.planningHeadroom();
    int size = filterColumns(columns, bytesPerColumn, available);
    if ((long) size * Math.max(0, bytesPerColumn) > fit.reservableNow()) {
      available = fit.headroom();
      size = filterColumns(columns, bytesPerColumn, available);
    }
    if (size < columns) {
      log.debug(
          "autofeat: {} select run {}: noise filter in groups of {} of {} columns ({} per column,"
              + " {} available)",
          fit.scopePath(),
          run,
          size,
          columns,
          MemorySize.format(bytesPerColumn),
          MemorySize.format(available));
    }
    return size;
  }

  /** The items {@code sizeBatch} fits in {@code available}: its arithmetic, its margin. */
  private long items(long available, long perItem) {
    return (long) (available * (1 - memory.allocator().safetyMargin())) / perItem;
  }

  private static int filterColumns(int columns, long bytesPerColumn, long available) {
    long fits = bytesPerColumn <= 0 ? columns : available / bytesPerColumn;
    return (int) Math.max(1, Math.min(columns, fits));
  }

  /**
   * For a final model that can also be fitted over blocks of rows: the features whose values on all
   * rows fit, 0 when not one does, and no truncation reported (the engine then fits every feature
   * over blocks of rows instead).
   */
  private int inMemoryModelOrNone(int features, long bytesPerFeature) {
    return decide(
        FitPhase.MODEL,
        0,
        0,
        modelRowBytes(),
        bytesPerFeature,
        1,
        Math.max(1, features),
        "all selected features, in memory",
        true,
        false);
  }

  /**
   * For a classifier's final model from Newton passes: the sample rows beyond its smallest sample
   * that fit the headroom now, 0 when none does; the model's decision (its features) stays the one
   * reported.
   */
  private int sampleRowsOrNone(int rows, long bytesPerRow) {
    Decision features = decision;
    int more =
        decide(
            FitPhase.MODEL,
            0,
            0,
            0,
            bytesPerRow,
            1,
            Math.max(1, rows),
            "sample rows for the final model's penalties",
            true,
            false);
    decision = features;
    return more;
  }

  /** The in-memory final model's row vectors: the target, its copies and the solver's. */
  private long modelRowBytes() {
    return 8L * HeapBytes.doubles(dataRows);
  }

  /**
   * The final model's features that fit: {@code fixed} bytes for its row vectors (none when it is
   * fitted over blocks of rows) and {@code bytesPerFeature} for each feature.
   */
  private int sizeModel(int features, long bytesPerFeature, long fixed) {
    int size =
        decide(
            FitPhase.MODEL,
            0,
            0,
            fixed,
            bytesPerFeature,
            1,
            Math.max(1, features),
            "all selected features",
            true);
    if (size < features) {
      fit.modelTruncated(
          "only the "
              + size
              + " best-ranked of the "
              + features
              + " selected features fit the final model's memory ("
              + MemorySize.format(decision.available())
              + " available)");
    }
    return size;
  }

  private int shrinkForPressure(int max, int min) {
    PressureLevel level = memory.pressureLevel();
    if (level.isAtLeast(PressureLevel.CRITICAL)) {
      return Math.max(min, max / 4);
    }
    if (level.isAtLeast(PressureLevel.ELEVATED)) {
      return Math.max(min, max / 2);
    }
    return max;
  }

  /**
   * Decides how many items of {@code perItem} bytes (besides {@code fixed}) fit the headroom now
   * (the planning headroom, when its reservations can have that now, for a size that shapes the
   * model or one the headroom cannot hold at all) and records the decision; reserves nothing.
   * Throws the fit's overflow (a switch to the lightweight plan or an InsufficientMemoryException)
   * when not even {@code min} items fit.
   */
  private int decide(
      FitPhase fp,
      int step,
      int index,
      long fixed,
      long perItem,
      int min,
      int max,
      String note,
      boolean shapesModel) {
    return decide(fp, step, index, fixed, perItem, min, max, note, shapesModel, true);
  }

  /**
   * {@link #decide(FitPhase, int, int, long, long, int, int, String, boolean)}; when not even
   * {@code min} items fit, throws the overflow if {@code refuse}, else returns 0 (the caller has
   * another way) and records nothing.
   */
  private int decide(
      FitPhase fp,
      int step,
      int index,
      long fixed,
      long perItem,
      int min,
      int max,
      String note,
      boolean shapesModel,
      boolean refuse) {
    PressureLevel level = memory.pressureLevel();
    String phaseName = fp.name().toLowerCase(Locale.ROOT);
    long available = Math.max(0, fit.headroom() - fixed);
    if (grant == null && perItem > 0 && (shapesModel || items(available, perItem) < min)) {
      // sized on the heap's live floor when the batch that figure gives is one the reservations
      // can have now: a size that shapes the model, so that garbage does not change it; any other
      // size only when the headroom, which counts that garbage, cannot hold even the smallest
      // batch (the plan was made on the floor, and a switch would change the model)
      long onFloor = Math.max(0, fit.planningHeadroom() - fixed);
      long items = items(onFloor, perItem);
      if (items >= min && fixed + Math.min(items, max) * perItem <= fit.reservableNow()) {
        available = onFloor;
      }
    }
    BatchDecision d =
        grant != null
            ? grant.batchSize(perItem, min, max)
            : memory
                .allocator()
                .sizeBatch(
                    fit.scopePath() + " " + phaseName + " step " + step,
                    available,
                    perItem,
                    min,
                    max);
    if (!d.fits()) {
      if (!refuse) {
        return 0;
      }
      throw fit.overflow(
          fp,
          fixed + (long) min * perItem,
          available + fixed,
          phaseName + " step " + step + " batch of " + min,
          null);
    }
    String reason =
        d.reason()
            + "; "
            + note
            + (level == PressureLevel.NORMAL ? "" : "; pressure " + level + " shrank the maximum");
    long planned = fixed + (long) d.batchSize() * perItem;
    decision =
        new Decision(fp, step, d.batchSize(), d.availableBytes(), perItem, planned, level, reason);
    log.debug(
        "autofeat: {} {} step {}: {} items x {} ({} planned): {}",
        fit.scopePath(),
        fp,
        step,
        d.batchSize(),
        MemorySize.format(perItem),
        MemorySize.format(planned),
        reason);
    if (faultInjector != null) {
      faultInjector.beforeBatch(fp, step, index);
    }
    return d.batchSize();
  }
}
