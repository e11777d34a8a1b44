package io.memguard.autofeat;

import io.memguard.autofeat.internal.AutoFeatEngine;
import io.memguard.autofeat.internal.EngineConfig;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.GenerationSurvey;
import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.select.FeatureSelector;
import io.memguard.core.BatchDecision;
import io.memguard.core.CancellationToken;
import io.memguard.core.Grant;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Reservation;
import io.memguard.core.TaskStoppedException;
import io.memguard.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fit: plans it, drives the engine through {@link EngineHooks}, and accounts for every batch in
 * memguard scopes. Used by one thread, once; not thread-safe.
 *
 * <p>Scope tree while a fit runs (under the caller's scope):
 *
 * <pre>
 * autofeat-fit
 *   plan | generate | select | model      one phase at a time
 *     pilot-store                         (plan) the pilot's columns and expressions
 *     batch-i | run-r | final-model       one batch at a time: its predicted bytes
 *   column-store                          generate and select: the kept columns, metadata and pool
 * </pre>
 *
 * <p>Every reservation is released explicitly when its batch or phase ends, and on every failure
 * path before the scopes close, so that a failed fit is not reported as a leak.
 */
final class FitRun implements EngineHooks {

  /** For tests: runs after each batch's reservation is made, before the batch runs. */
  @FunctionalInterface
  interface FaultInjector {
    void beforeBatch(FitPhase phase, int step, int batch);
  }

  private static final Logger log = LoggerFactory.getLogger(AutoFeatProcessor.class);

  private final AutoFeatProcessor config;
  private final MemoryScope parent;
  private final Grant grant;
  private final Dataset data;
  private final MemoryManager memory;
  private final Ticker ticker;
  private final Listeners listener;

  private MemoryScope fitScope;
  private FitPlan plan;
  private GenerationSurvey lastSurvey;
  private String lightweightReason;
  private boolean pilot;
  private int searchRows;
  private final List<String> decisions = new ArrayList<>();
  private final List<PhaseReport> phases = new ArrayList<>();
  private final List<BatchReport> batches = new ArrayList<>();
  private RuntimeException pending;

  private FitPhase phase;
  private MemoryScope phaseScope;
  private long phaseStart;
  private long phasePeak;
  private int phaseBatches;

  private MemoryScope storeScope;
  private Reservation storeRes;

  private MemoryScope batchScope;
  private Reservation batchRes;
  private Decision decision;
  private int batchIndex;

  private long genTried;
  private long genKept;
  private int stepOfCounts = -1;
  private long stepTried;
  private long stepAccepted;
  private double fixedRatio = MemoryPlanner.FIXED_RATIO;
  private long runRowBytes = 1;
  private boolean initialFitSeen;
  private boolean initialFitAll;

  private int lastStep;
  private int lastBatch;
  private int lastBatches;

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

  /** Thrown from a hook to restart the search with the lightweight plan. */
  private static final class SwitchSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final FitPhase phase;

    SwitchSignal(String reason, FitPhase phase) {
      super(reason, null, false, false);
      this.phase = phase;
    }
  }

  FitRun(AutoFeatProcessor config, MemoryScope parent, Grant grant, Dataset data) {
    this.config = config;
    this.parent = parent;
    this.grant = grant;
    this.data = data;
    this.memory = parent.manager();
    this.ticker = memory.ticker();
    this.listener = new Listeners(config.listener());
  }

  // ---- the fit --------------------------------------------------------------------------------

  AutoFeatModel run() {
    long availableAtStart = parent.availableBytes();
    fitScope = parent.openChild(config.name());
    FittedAutoFeat fitted;
    long peak;
    try {
      plan = plan();
      fitted = search();
      peak = fitScope.peakReservedBytes();
      releaseAll();
    } catch (RuntimeException e) {
      peak = fitScope.peakReservedBytes();
      String at = e instanceof TaskStoppedException stopped ? stopped.where() : where();
      releaseQuietly(e);
      FitReport partial = report(null, peak, availableAtStart, at);
      listener.failed(partial, e);
      throw e;
    } catch (Error e) {
      releaseQuietly(e);
      throw e;
    }
    FitReport report = report(fitted, peak, availableAtStart, null);
    Reservation own;
    try {
      own = parent.reserve(AutoFeatModel.estimateBytes(fitted));
    } catch (RuntimeException e) {
      listener.failed(report, e);
      throw e;
    }
    AutoFeatModel model = new AutoFeatModel(fitted, config.problemType(), report, own);
    ModelRegistry registry = config.registry();
    if (registry != null) {
      try {
        registry.register(model);
      } catch (RuntimeException e) {
        log.warn("autofeat: could not register the model in {}; the model is fine", registry, e);
      }
    }
    log.debug("autofeat: {}", report.describe().stripTrailing());
    listener.finished(report);
    return model;
  }

  /** Chooses the plan: pilot, prediction, policy. Throws before the fit allocates its working set. */
  private FitPlan plan() {
    startPhase(FitPhase.PLAN);
    int n = data.rows();
    int d = data.featureCount();
    long head = headroom();
    long usable = usable(head);
    MemoryPlanner early = new MemoryPlanner(n, d, null);
    if (usable < early.minimalBytes()) {
      throw insufficient(early.minimalBytes(), head,
          "smallest plan (the final model on the " + d + " input columns, " + n + " rows)");
    }
    GenerationSurvey survey = null;
    if (config.featureEngineeringSteps() > 0) {
      survey = pilot();
      lastSurvey = survey;
      decide(String.format(Locale.ROOT,
          "pilot on %d rows in %.3f s: %d expressions, %d columns kept (%d before the last step),"
              + " %d candidates",
          survey.rows(), survey.nanos() / 1e9, survey.proposed(), survey.kept(),
          survey.keptBeforeLastStep(), survey.candidates()));
    }
    head = headroom();
    usable = usable(head);
    MemoryPlanner planner = new MemoryPlanner(n, d, survey);
    FitPlan normal = planner.normal(usable);
    decide("normal plan predicted peak " + MemorySize.format(normal.predictedPeakBytes())
        + ", usable " + MemorySize.format(usable) + " (" + MemorySize.format(head)
        + " available below CRITICAL, less the " + Math.round(margin() * 100) + "% safety margin)");
    LightweightPolicy policy = config.lightweightPolicy();
    FitPlan chosen;
    String reason = null;
    if (policy == LightweightPolicy.ALWAYS) {
      chosen = planner.lightweight(usable);
      reason = "the lightweight policy is ALWAYS";
    } else if (normal.predictedPeakBytes() <= usable) {
      chosen = normal;
    } else if (policy == LightweightPolicy.NEVER) {
      throw insufficient(needed(normal.predictedPeakBytes()), head, "normal plan ("
          + normal.describe() + "); the lightweight policy NEVER forbids the cheaper plan",
          "Give the scope or the manager more memory, or allow the lightweight plan"
              + " (LightweightPolicy.AUTO).");
    } else {
      chosen = planner.lightweight(usable);
      reason = "the normal plan needs " + MemorySize.format(normal.predictedPeakBytes())
          + " but only " + MemorySize.format(usable) + " is usable";
    }
    if (chosen == null) {
      FitPlan min = planner.minimalLightweight(usable);
      throw insufficient(needed(min.predictedPeakBytes()), head,
          "cheapest lightweight plan (" + min.describe() + ")");
    }
    decide("plan: " + chosen.describe());
    if (chosen.initialFitAll()) {
      decide("selection: initial L1 fits on all columns (in the predicted peak)");
    } else if (chosen.lightweight()) {
      decide("selection: initial L1 fits on the best-correlated columns (lightweight plan)");
    } else if (!planner.initialFitMayTakeAll()) {
      decide(String.format(Locale.ROOT, "selection: initial L1 fits on the best-correlated columns:"
          + " about %d columns for %d rows per run, more than %d per row", planner.columns(),
          planner.runRows(), FeatureSelector.MAX_INITIAL_COLUMNS_PER_ROW));
    } else {
      decide("selection: initial L1 fits on the best-correlated columns: on all columns the plan"
          + " would need " + MemorySize.format(planner.peak(8, n, false, 0, true)) + " of "
          + MemorySize.format(usable) + " usable");
    }
    endPhase();
    if (chosen.lightweight()) {
      announceLightweight(reason, FitPhase.PLAN, chosen);
    }
    return chosen;
  }

  /** The pilot: generation on a few rows, float, last step recomputed, all of it reserved. */
  private GenerationSurvey pilot() {
    int n = data.rows();
    searchRows = MemoryPlanner.pilotRows(n);
    EngineConfig cfg = engineConfig().precision(StoragePrecision.FLOAT).recomputeLastStep(true)
        .searchMaxRows(searchRows < n ? searchRows : 0).build();
    pilot = true;
    try {
      return AutoFeatEngine.of(cfg).survey(data.names(), data.columnsUnsafe(), this);
    } finally {
      pilot = false;
      releaseBatch();
      releaseStore();
      resetCounts();
    }
  }

  /** Runs the engine; on a switch signal releases what it held and restarts lightweight. */
  private FittedAutoFeat search() {
    for (; ; ) {
      EngineConfig cfg = engineConfig()
          .precision(plan.floatStorage() ? StoragePrecision.FLOAT : StoragePrecision.DOUBLE)
          .searchMaxRows(plan.searchRows() < plan.rows() ? plan.searchRows() : 0)
          .recomputeLastStep(plan.recomputeLastStep())
          .selectionMaxChunkWidth(plan.maxChunkWidth())
          .selectionInitialFitAll(plan.initialFitAll())
          .build();
      searchRows = plan.searchRows();
      resetCounts();
      try {
        return AutoFeatEngine.of(cfg).fit(
            data.names(), data.columnsUnsafe(), data.targetUnsafe(), this);
      } catch (SwitchSignal s) {
        FitPhase at = s.phase;
        releaseBatch();
        endPhase();
        releaseStore();
        long head = headroom();
        MemoryPlanner planner = new MemoryPlanner(data.rows(), data.featureCount(), lastSurvey);
        FitPlan light = planner.lightweight(usable(head));
        if (light == null) {
          FitPlan min = planner.minimalLightweight(usable(head));
          throw insufficient(needed(min.predictedPeakBytes()), head,
              "cheapest lightweight plan after: " + s.getMessage());
        }
        plan = light;
        decide("switch at " + at + ": " + s.getMessage() + "; plan: " + light.describe());
        announceLightweight(s.getMessage(), at, light);
      }
    }
  }

  private EngineConfig.Builder engineConfig() {
    return EngineConfig.builder()
        .problem(config.problemType() == ProblemType.CLASSIFICATION
            ? io.memguard.autofeat.internal.linear.ProblemType.CLASSIFICATION
            : io.memguard.autofeat.internal.linear.ProblemType.REGRESSION)
        .featengSteps(config.featureEngineeringSteps())
        .featselRuns(config.featselRuns())
        .transformations(config.transformationList())
        .seed(config.seed())
        .batchSize(config.maxBatchSize());
  }

  /** Records a plan decision for the report and logs it at DEBUG. */
  private void decide(String decision) {
    decisions.add(decision);
    log.debug("autofeat: {}: {}", fitScope.path(), decision);
  }

  private void announceLightweight(String reason, FitPhase at, FitPlan light) {
    lightweightReason = reason;
    log.warn("autofeat: fit '{}' runs on its lightweight plan because {} ({})", fitScope.path(),
        reason, light.describe());
    listener.lightweight(new LightweightEvent(reason, at, light));
  }

  // ---- engine hooks ---------------------------------------------------------------------------

  @Override
  public void phaseStarted(String enginePhase, long storeBytes) {
    if (pilot) {
      if (enginePhase.equals("generate")) {
        openStore("pilot-store", phaseScope);
      }
      return;
    }
    switch (enginePhase) {
      case "generate" -> {
        startPhase(FitPhase.GENERATE);
        openStore("column-store", fitScope);
      }
      case "select" -> {
        startPhase(FitPhase.SELECT);
        resizeStore(storeBytes + MemoryPlanner.META_BYTES * (data.featureCount() + genKept), true);
      }
      case "model" -> {
        releaseStore();
        startPhase(FitPhase.MODEL);
      }
      case "done" -> endPhase();
      default -> { }
    }
  }

  @Override
  public void checkCancelled() {
    if (pending != null) {
      RuntimeException e = pending;
      pending = null;
      throw e;
    }
    String why = stopReason();
    if (why != null) {
      throw new TaskStoppedException(why, where());
    }
    if (!pilot && plan != null && !plan.lightweight()
        && config.lightweightPolicy() == LightweightPolicy.AUTO
        && (phase == FitPhase.GENERATE || phase == FitPhase.SELECT)) {
      PressureLevel level = memory.pressureLevel();
      if (level.isAtLeast(PressureLevel.CRITICAL)) {
        throw new SwitchSignal("the pressure level reached " + level + " at " + where(), phase);
      }
    }
    if (grant != null) {
      grant.rebalance();
    }
  }

  private String stopReason() {
    CancellationToken own = config.cancellation();
    if (own.isCancelled()) {
      return own.reason();
    }
    if (grant != null && grant.cancellation().isCancelled()) {
      return grant.cancellation().reason();
    }
    return null;
  }

  @Override
  public int nextBatchSize(String enginePhase, int step, int suggested, long bytesPerCandidate) {
    releaseBatch();
    return switch (enginePhase) {
      case "generate" -> sizeGeneration(step, suggested, bytesPerCandidate);
      case "select-initial" -> sizeInitialFit(step, suggested, bytesPerCandidate);
      case "select" -> sizeSelection(step, suggested, bytesPerCandidate,
          String.format(Locale.ROOT, "noise and initial columns estimated at %.0f%% of the chunk",
              fixedRatio * 100));
      case "model" -> sizeModel(suggested, bytesPerCandidate);
      default -> suggested;
    };
  }

  private int sizeGeneration(int step, int suggested, long bytesPerCandidate) {
    FitPhase fp = pilot ? FitPhase.PLAN : FitPhase.GENERATE;
    if (step != stepOfCounts) {
      stepOfCounts = step;
      stepTried = 0;
      stepAccepted = 0;
      batchIndex = 0;
      lastStep = step;
      lastBatch = 0;
      lastBatches = 0;
    }
    long scratch = (long) searchRows * Double.BYTES;
    long kept = Math.max(0, bytesPerCandidate - scratch) + MemoryPlanner.META_BYTES;
    // acceptance: the worst case (all kept) until this step has measured its own, then that +10%
    double acceptance =
        stepTried == 0 ? 1.0 : Math.min(1.0, stepAccepted / (double) stepTried + 0.1);
    long perItem = scratch + (long) Math.ceil(acceptance * kept) + MemoryPlanner.POOL_BYTES;
    boolean floats = pilot || plan.floatStorage();
    long fixed = floats ? 2 * scratch : 0; // the two parent columns converted to double
    int max = shrinkForPressure(Math.max(1, suggested), 1);
    return reserveBatch(fp, step, batchIndex, "batch-" + batchIndex, fixed, perItem, 1, max,
        String.format(Locale.ROOT, "acceptance estimate %.2f", acceptance));
  }

  /**
   * Sizes a run whose initial fit may take all {@code columns}: the answer grants them if it is at
   * least {@code columns}. Records the outcome of the first run and every change.
   */
  private int sizeInitialFit(int run, int columns, long bytesPerCandidate) {
    int size = sizeSelection(run, columns, bytesPerCandidate,
        "initial fit on all " + columns + " columns asked");
    boolean all = size >= columns;
    if (!initialFitSeen || initialFitAll != all) {
      initialFitSeen = true;
      initialFitAll = all;
      Decision d = decision;
      decide(all
          ? String.format(Locale.ROOT, "select run %d: initial L1 fit on all %d columns (%s reserved"
              + " for the run)", run, columns, MemorySize.format(d.reserved()))
          : String.format(Locale.ROOT, "select run %d: initial L1 fit on the best-correlated"
              + " columns: all %d would need %s, %d fit in %s available", run, columns,
              MemorySize.format(columns * d.perItem()), size, MemorySize.format(d.available())));
    }
    return size;
  }

  private int sizeSelection(int run, int suggested, long bytesPerCandidate, String note) {
    batchIndex = 0;
    runRowBytes = bytesPerCandidate;
    lastStep = run;
    lastBatch = 0;
    lastBatches = 0;
    long perColumn =
        (long) Math.ceil(MemoryPlanner.SOLVER_FACTOR * bytesPerCandidate * (1 + fixedRatio));
    long columns = data.featureCount() + genKept;
    long fixed = columns * 48 + 8 * bytesPerCandidate
        + (plan.recomputeLastStep() ? 4L * searchRows * Double.BYTES : 0);
    int min = Math.min(10, Math.max(1, suggested));
    int max = shrinkForPressure(Math.max(1, suggested), min);
    return reserveBatch(FitPhase.SELECT, run, 0, "run-" + run, fixed, perColumn, min, max, note);
  }

  private int sizeModel(int features, long bytesPerFeature) {
    long perFeature = MemoryPlanner.MODEL_FACTOR * bytesPerFeature + 1024;
    long fixed = 4L * data.rows() * Double.BYTES;
    int size = reserveBatch(FitPhase.MODEL, 0, 0, "final-model", fixed, perFeature, 1,
        Math.max(1, features), "all selected features");
    if (size < features) {
      String why = "only the " + size + " best-ranked of the " + features
          + " selected features fit the final model's memory ("
          + MemorySize.format(decision.available()) + " available)";
      decide("final model: " + why);
      if (lightweightReason == null) {
        plan = new FitPlan(true, plan.floatStorage(), plan.rows(), plan.searchRows(),
            plan.recomputeLastStep(), plan.maxChunkWidth(), plan.initialFitAll(),
            plan.predictedPeakBytes(),
            plan.usableBytes());
        announceLightweight(why, FitPhase.MODEL, plan);
      }
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
   * Opens a batch scope, reserves its fixed bytes, sizes the batch from what is then available,
   * and reserves the items. Throws a switch signal or an InsufficientMemoryException when not even
   * {@code min} items fit.
   */
  private int reserveBatch(FitPhase fp, int step, int index, String scopeName, long fixed,
      long perItem, int min, int max, String note) {
    PressureLevel level = memory.pressureLevel();
    String task = fitScope.path() + " " + fp.name().toLowerCase(Locale.ROOT) + " step " + step;
    batchScope = phaseScope.openChild(scopeName);
    try {
      batchRes = batchScope.reserve(fixed);
    } catch (MemoryBudgetExceededException e) {
      throw overflow(fp, fixed + min * perItem, e.availableBytes(), e);
    }
    long available = headroom();
    BatchDecision d = grant != null
        ? grant.batchSize(perItem, min, max)
        : memory.allocator().sizeBatch(task, available, perItem, min, max);
    if (!d.fits()) {
      throw overflow(fp, fixed + (long) min * perItem, available, null);
    }
    try {
      batchRes.grow((long) d.batchSize() * perItem);
    } catch (MemoryBudgetExceededException e) {
      throw overflow(fp, fixed + (long) d.batchSize() * perItem, e.availableBytes(), e);
    }
    String reason = d.reason() + "; " + note
        + (level == PressureLevel.NORMAL ? "" : "; pressure " + level + " shrank the maximum");
    decision = new Decision(fp, step, d.batchSize(), d.availableBytes(), perItem, batchRes.bytes(),
        level, reason);
    log.debug("autofeat: {} {} step {} {}: {} items x {} (reserved {}): {}", fitScope.path(), fp,
        step, scopeName, d.batchSize(), MemorySize.format(perItem),
        MemorySize.format(batchRes.bytes()), reason);
    notePeak();
    FaultInjector injector = config.faultInjector();
    if (injector != null) {
      injector.beforeBatch(fp, step, index);
    }
    return d.batchSize();
  }

  /** The exception for a batch that does not fit: restart lightweight if allowed, else fail. */
  private RuntimeException overflow(FitPhase fp, long needed, long available, Throwable cause) {
    releaseBatch();
    boolean canSwitch = !pilot && plan != null && !plan.lightweight()
        && config.lightweightPolicy() == LightweightPolicy.AUTO
        && (fp == FitPhase.GENERATE || fp == FitPhase.SELECT);
    String what = fp + " step " + lastStepOr(fp) + " needs " + MemorySize.format(needed)
        + " for its next batch but " + MemorySize.format(available) + " is available";
    if (canSwitch) {
      return new SwitchSignal(what, fp);
    }
    String planText;
    if (pilot) {
      planText = "pilot (feature generation on " + searchRows + " rows that predicts the fit's"
          + " memory; it stopped at step " + lastStepOr(fp) + " of "
          + config.featureEngineeringSteps() + " because its next batch needed "
          + MemorySize.format(needed) + " more, so every plan needs at least this)";
    } else {
      planText = (plan.lightweight() ? "lightweight plan" : "normal plan") + " (" + what + ")";
    }
    InsufficientMemoryException e = insufficient(needed(needed + fitScope.reservedBytes()),
        headroom() + fitScope.reservedBytes(), planText);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private int lastStepOr(FitPhase fp) {
    return decision != null && decision.phase() == fp ? decision.step() : lastStep;
  }

  @Override
  public void batchDone(BatchStats stats) {
    Decision dec = decision;
    if (dec == null) {
      return;
    }
    BatchReport report;
    if (stats.phase().equals("generate")) {
      decision = null;
      int tried = stats.tried();
      long measured = tried == 0 ? -1
          : (stats.scratchBytes() + stats.retainedBytes()) / tried + MemoryPlanner.POOL_BYTES
              + MemoryPlanner.META_BYTES * stats.accepted() / tried;
      stepTried += tried;
      stepAccepted += stats.accepted();
      genTried += tried;
      genKept += stats.accepted();
      long reserved = batchRes == null ? 0 : batchRes.bytes();
      releaseBatch();
      resizeStore(stats.storeBytes() + genTried * MemoryPlanner.POOL_BYTES
          + genKept * MemoryPlanner.META_BYTES, false);
      report = new BatchReport(dec.phase(), dec.step(), batchIndex++, dec.size(), tried,
          stats.accepted(), dec.available(), dec.perItem(), measured, reserved, dec.pressure(),
          dec.reason(), stats.nanos());
    } else {
      int tried = stats.tried();
      long matrixColumns = stats.scratchBytes() / Math.max(1, runRowBytes);
      long measured = tried == 0 ? -1
          : MemoryPlanner.SOLVER_FACTOR * stats.scratchBytes() / tried;
      if (tried > 0) {
        double ratio = Math.max(0, matrixColumns - tried) / (double) tried;
        fixedRatio = Math.max(ratio, 0.1);
      }
      report = new BatchReport(dec.phase(), dec.step(), batchIndex++, dec.size(), tried,
          stats.accepted(), dec.available(), dec.perItem(), measured, dec.reserved(),
          dec.pressure(), dec.reason(), stats.nanos());
    }
    batches.add(report);
    phaseBatches++;
    notePeak();
    listener.batch(report);
  }

  @Override
  public void progress(String enginePhase, int step, int batch, int batchCount, double percent) {
    FitPhase fp = pilot ? FitPhase.PLAN : switch (enginePhase) {
      case "select" -> FitPhase.SELECT;
      case "model" -> FitPhase.MODEL;
      default -> FitPhase.GENERATE;
    };
    int steps = switch (fp) {
      case SELECT -> config.featselRuns();
      case MODEL -> 1;
      default -> config.featureEngineeringSteps();
    };
    lastStep = step;
    lastBatch = batch;
    lastBatches = batchCount;
    listener.progress(new FitProgress(fp, step, steps, batch, batchCount, percent));
  }

  // ---- scopes and reservations ----------------------------------------------------------------

  private void startPhase(FitPhase next) {
    endPhase();
    phase = next;
    phaseScope = fitScope.openChild(next.name().toLowerCase(Locale.ROOT));
    phaseStart = ticker.read();
    phasePeak = fitScope.reservedBytes();
    phaseBatches = 0;
    lastStep = 0;
    lastBatch = 0;
    lastBatches = 0;
  }

  private void endPhase() {
    if (phase == null) {
      return;
    }
    if (decision != null && decision.phase() == FitPhase.MODEL) {
      Decision dec = decision;
      BatchReport report = new BatchReport(FitPhase.MODEL, 0, 0, dec.size(), dec.size(),
          dec.size(), dec.available(), dec.perItem(), -1, dec.reserved(), dec.pressure(),
          dec.reason(), -1);
      batches.add(report);
      phaseBatches++;
      listener.batch(report);
    }
    decision = null;
    releaseBatch();
    notePeak();
    phases.add(new PhaseReport(phase, Duration.ofNanos(ticker.read() - phaseStart), phasePeak,
        phaseBatches));
    MemoryScope s = phaseScope;
    phaseScope = null;
    phase = null;
    if (s != null) {
      s.close();
    }
  }

  private void openStore(String name, MemoryScope under) {
    releaseStore();
    storeScope = under.openChild(name);
    storeRes = storeScope.reserve(0);
  }

  private void resizeStore(long bytes, boolean mayThrow) {
    if (storeRes == null) {
      return;
    }
    try {
      storeRes.resize(bytes);
      notePeak();
    } catch (MemoryBudgetExceededException e) {
      FitPhase fp = pilot ? FitPhase.PLAN : phase;
      RuntimeException failure = overflow(fp, bytes - storeRes.bytes(), e.availableBytes(), e);
      if (mayThrow) {
        throw failure;
      }
      pending = failure; // batchDone may not throw; the next checkCancelled does
    }
  }

  private void releaseStore() {
    if (storeRes != null) {
      storeRes.close();
      storeRes = null;
    }
    if (storeScope != null) {
      MemoryScope s = storeScope;
      storeScope = null;
      s.close();
    }
  }

  private void releaseBatch() {
    if (batchRes != null) {
      batchRes.close();
      batchRes = null;
    }
    if (batchScope != null) {
      MemoryScope s = batchScope;
      batchScope = null;
      s.close();
    }
  }

  private void releaseAll() {
    releaseBatch();
    releaseStore();
    endPhase();
    fitScope.close();
  }

  private void releaseQuietly(Throwable failure) {
    try {
      releaseBatch();
      releaseStore();
      decision = null;
      endPhase();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    } finally {
      try {
        fitScope.close();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private void resetCounts() {
    genTried = 0;
    genKept = 0;
    stepOfCounts = -1;
    stepTried = 0;
    stepAccepted = 0;
    batchIndex = 0;
    fixedRatio = MemoryPlanner.FIXED_RATIO;
    initialFitSeen = false;
  }

  private void notePeak() {
    phasePeak = Math.max(phasePeak, fitScope.reservedBytes());
  }

  // ---- numbers --------------------------------------------------------------------------------

  /** Bytes the fit may use now: available in its scope, and below the manager's CRITICAL line. */
  private long headroom() {
    MemoryScope s = fitScope != null && !fitScope.isClosed() ? fitScope : parent;
    long available = s.availableBytes();
    double critical = memory.pressureThresholds()[1];
    long belowCritical = (long) (memory.budgetBytes() * critical) - memory.reservedBytes();
    return Math.max(0, Math.min(available, belowCritical));
  }

  private double margin() {
    return memory.allocator().safetyMargin();
  }

  private long usable(long headroom) {
    return (long) (headroom * (1 - margin()));
  }

  /** The headroom a predicted peak needs, given the safety margin. */
  private long needed(long peak) {
    return (long) Math.ceil(peak / (1 - margin()));
  }

  private InsufficientMemoryException insufficient(long needed, long available, String what) {
    return insufficient(needed, available, what,
        "Give the scope or the manager more memory, use fewer feature-engineering steps (now "
            + config.featureEngineeringSteps() + "), or fit on fewer rows (now " + data.rows()
            + ").");
  }

  private InsufficientMemoryException insufficient(
      long needed, long available, String what, String advice) {
    return new InsufficientMemoryException(fitScope.path(), needed, available, what, advice);
  }

  /** Where the fit is, for stop messages and partial reports. */
  private String where() {
    FitPhase p = pilot ? FitPhase.PLAN : phase;
    if (p == null) {
      return fitScope.path() + " before its first phase";
    }
    int steps = switch (p) {
      case SELECT -> config.featselRuns();
      case MODEL -> 1;
      default -> config.featureEngineeringSteps();
    };
    String unit = p == FitPhase.SELECT ? "run" : "step";
    return String.format(Locale.ROOT, "%s %s %s %d of %d, after batch %d of %d",
        fitScope.path(), p, unit, lastStep, steps, lastBatch, lastBatches);
  }

  private FitReport report(FittedAutoFeat fitted, long peak, long availableAtStart,
      String stoppedAt) {
    long computed = genTried;
    long accepted = genKept;
    int generated = 0;
    int selected = 0;
    List<String> features = List.of();
    if (fitted != null) {
      computed = fitted.report().computed();
      accepted = fitted.report().kept();
      generated = fitted.report().candidates();
      selected = fitted.report().selected();
      features = fitted.featureNames();
    }
    return new FitReport(config.problemType(), data.rows(), data.featureCount(),
        config.featureEngineeringSteps(), config.featselRuns(), config.seed(), plan,
        lightweightReason != null, lightweightReason, decisions, phases, computed, accepted,
        generated, selected, features, batches, peak, availableAtStart, stoppedAt);
  }

  /** Calls the user's listener; a listener that throws is logged once at WARN, then at DEBUG. */
  private static final class Listeners {
    private final FitListener delegate;
    private boolean warned;

    Listeners(FitListener delegate) {
      this.delegate = delegate;
    }

    void progress(FitProgress p) {
      try {
        delegate.onProgress(p);
      } catch (RuntimeException e) {
        failed("onProgress", e);
      }
    }

    void batch(BatchReport b) {
      try {
        delegate.onBatch(b);
      } catch (RuntimeException e) {
        failed("onBatch", e);
      }
    }

    void lightweight(LightweightEvent event) {
      try {
        delegate.onLightweight(event);
      } catch (RuntimeException e) {
        failed("onLightweight", e);
      }
    }

    void finished(FitReport r) {
      try {
        delegate.onFinished(r);
      } catch (RuntimeException e) {
        failed("onFinished", e);
      }
    }

    void failed(FitReport r, RuntimeException failure) {
      try {
        delegate.onFailed(r, failure);
      } catch (RuntimeException e) {
        failed("onFailed", e);
      }
    }

    private void failed(String method, RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn("autofeat: fit listener {}.{} threw; the fit goes on (further listener failures"
            + " are logged at DEBUG)", delegate.getClass().getName(), method, e);
      } else {
        log.debug("autofeat: fit listener {}.{} threw", delegate.getClass().getName(), method, e);
      }
    }
  }
}
