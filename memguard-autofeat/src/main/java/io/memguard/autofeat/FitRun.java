package io.memguard.autofeat;

import io.memguard.autofeat.internal.AutoFeatEngine;
import io.memguard.autofeat.internal.EngineConfig;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.GenerationSurvey;
import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.feateng.Footprint;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.select.FeatureSelector;
import io.memguard.core.AllocationMeter;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *   column-store                          generate and select: the kept columns, metadata and pool
 *   search-rows                           the copy of the search rows, when the plan searches on fewer
 *   plan | generate | select | model      one phase at a time
 *     pilot-store                         (plan) the pilot's columns and expressions
 *     generate-step-s | select-run-r ...  one unit of work: what the engine reserved for it
 * </pre>
 *
 * <p>The engine reserves every allocation that grows with rows, columns or candidates through
 * {@link #reserve} before it allocates it ({@link Lease}); those reservations are what the scopes
 * hold. The sizing hooks ({@link #nextBatchSize}) only decide how much fits, from the headroom, and
 * record the decision. Every reservation is released when the engine drops its memory, and on every
 * failure path before the scopes close, so that a failed fit is not reported as a leak.
 */
final class FitRun implements EngineHooks {

  /** For tests: runs after each batch's reservation is made, before the batch runs. */
  @FunctionalInterface
  interface FaultInjector {
    void beforeBatch(FitPhase phase, int step, int batch);
  }

  private static final Logger log = LoggerFactory.getLogger(AutoFeatProcessor.class);

  /** The pilot is skipped when the worst case fits this many times over in what is usable. */
  static final int PILOT_SKIP_FACTOR = 4;

  private final FitSettings config;
  private final MemoryScope parent;
  private final Grant grant;
  private final Dataset data;
  private final MemoryManager memory;
  private final Ticker ticker;
  private final Listeners listener;

  private MemoryScope fitScope;

  /**
   * The most the fit may hold at once by the heap's measure ({@link HeapLimit}), fixed at start.
   */
  private long heapLimit = Long.MAX_VALUE;

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
  private AllocationMeter phaseMeter;
  private long phasePeak;
  private int phaseBatches;

  /** Open unit scopes by name, with the number of live leases in each. */
  private final Map<String, Unit> units = new HashMap<>();

  private final List<FitLease> leases = new ArrayList<>();
  private Decision decision;

  /** The width decision of each selection run in progress (runs may run at once). */
  private final Map<Integer, Decision> runDecisions = new HashMap<>();

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

  /** A scope holding the leases of one unit of work, closed with its last lease. */
  private static final class Unit {
    final MemoryScope scope;
    int leases;

    Unit(MemoryScope scope) {
      this.scope = scope;
    }
  }

  /** A lease: one reservation in a unit scope. */
  private final class FitLease implements Lease {
    private final String key;
    private final String what;
    private final Reservation reservation;
    private boolean closed;

    FitLease(String key, String what, Reservation reservation) {
      this.key = key;
      this.what = what;
      this.reservation = reservation;
    }

    @Override
    public long bytes() {
      return closed ? 0 : reservation.bytes();
    }

    @Override
    public void resize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
      }
      synchronized (FitRun.this) {
        if (closed) {
          throw new IllegalStateException("lease '" + what + "' is closed");
        }
        long now = reservation.bytes();
        if (bytes > now) {
          try {
            reservation.grow(bytes - now);
          } catch (MemoryBudgetExceededException e) {
            throw overflow(currentPhase(), bytes - now, e.availableBytes(), what, e);
          }
        } else if (bytes < now) {
          reservation.shrink(now - bytes);
        }
        notePeak();
      }
    }

    @Override
    public void close() {
      synchronized (FitRun.this) {
        if (closed) {
          return;
        }
        closed = true;
        reservation.close();
        leases.remove(this);
        releaseUnit(key);
      }
    }
  }

  /** Thrown from a hook to restart the search with the lightweight plan. */
  private static final class SwitchSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final FitPhase phase;

    SwitchSignal(String reason, FitPhase phase) {
      super(reason, null, false, false);
      this.phase = phase;
    }
  }

  FitRun(FitSettings config, MemoryScope parent, Grant grant, Dataset data) {
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

  /**
   * Chooses the plan: pilot, prediction, policy. Throws before the fit allocates its working set.
   */
  private FitPlan plan() {
    startPhase(FitPhase.PLAN);
    long recent = 2 * data.estimatedBytes();
    heapLimit = HeapLimit.limitBytes(recent);
    if (heapLimit < parent.availableBytes() && heapLimit != Long.MAX_VALUE) {
      decide(
          "heap: "
              + MemorySize.format(HeapLimit.maxHeapBytes())
              + " at most, "
              + MemorySize.format(HeapLimit.inUseBytes(recent))
              + " in use before the fit (after the"
              + " last collection, with its data counted twice in case it came since): it plans for at most "
              + MemorySize.format(heapLimit)
              + " ("
              + Math.round(HeapLimit.FREE_HEAP_SHARE * 100)
              + "% of the free heap), less than the "
              + MemorySize.format(parent.availableBytes())
              + " its scope has");
    }
    int n = data.rows();
    int d = data.featureCount();
    long head = headroom();
    long usable = usable(head);
    MemoryPlanner early = new MemoryPlanner(n, d, null, config.problemType());
    if (usable < early.minimalBytes()) {
      throw insufficient(
          early.minimalBytes(),
          head,
          "smallest plan (the final model on the " + d + " input columns, " + n + " rows)");
    }
    GenerationSurvey survey = null;
    if (config.featureEngineeringSteps() > 0) {
      GenerationSurvey bound =
          GenerationSurvey.upperBound(
              d, config.featureEngineeringSteps(), config.transformationList().size());
      long boundPeak =
          new MemoryPlanner(n, d, bound, config.problemType()).peak(8, n, false, 0, true);
      if (boundPeak <= usable / PILOT_SKIP_FACTOR) {
        // even if every proposal were kept the fit would use a small share of what it has: the
        // pilot would only confirm the normal plan
        survey = bound;
        decide(
            "no pilot: with every one of the "
                + bound.proposed()
                + " proposals kept the normal"
                + " plan would need "
                + MemorySize.format(boundPeak)
                + " of "
                + MemorySize.format(usable)
                + " usable");
      } else {
        survey = pilot();
        decide(
            String.format(
                Locale.ROOT,
                "pilot on %d rows in %.3f s: %d expressions, %d columns kept (%d before the last step),"
                    + " %d candidates",
                survey.rows(),
                survey.nanos() / 1e9,
                survey.proposed(),
                survey.kept(),
                survey.keptBeforeLastStep(),
                survey.candidates()));
      }
      lastSurvey = survey;
    }
    head = headroom();
    usable = usable(head);
    MemoryPlanner planner = new MemoryPlanner(n, d, survey, config.problemType());
    FitPlan normal = planner.normal(usable);
    decide(
        "normal plan predicted peak "
            + MemorySize.format(normal.predictedPeakBytes())
            + ", usable "
            + MemorySize.format(usable)
            + " ("
            + MemorySize.format(head)
            + " available below CRITICAL, less the "
            + Math.round(margin() * 100)
            + "% safety margin)");
    LightweightPolicy policy = config.lightweightPolicy();
    FitPlan chosen;
    String reason = null;
    if (policy == LightweightPolicy.ALWAYS) {
      chosen = planner.lightweight(usable);
      reason = "the lightweight policy is ALWAYS";
    } else if (normal.predictedPeakBytes() <= usable) {
      chosen = normal;
    } else if (policy == LightweightPolicy.NEVER) {
      throw insufficient(
          needed(normal.predictedPeakBytes()),
          head,
          "normal plan ("
              + normal.describe()
              + "); the lightweight policy NEVER forbids the cheaper plan",
          "Give the scope or the manager more memory, or allow the lightweight plan"
              + " (LightweightPolicy.AUTO).");
    } else {
      chosen = planner.lightweight(usable);
      reason =
          "the normal plan needs "
              + MemorySize.format(normal.predictedPeakBytes())
              + " but only "
              + MemorySize.format(usable)
              + " is usable";
    }
    if (chosen == null) {
      FitPlan min = planner.minimalLightweight(usable);
      throw insufficient(
          needed(min.predictedPeakBytes()),
          head,
          "cheapest lightweight plan (" + min.describe() + ")");
    }
    decide("plan: " + chosen.describe());
    if (chosen.initialFitAll()) {
      decide("selection: initial L1 fits on all columns (in the predicted peak)");
    } else if (chosen.lightweight()) {
      decide("selection: initial L1 fits on the best-correlated columns (lightweight plan)");
    } else if (!planner.initialFitMayTakeAll()) {
      decide(
          String.format(
              Locale.ROOT,
              "selection: initial L1 fits on the best-correlated columns:"
                  + " about %d columns for %d rows per run, more than %d per row",
              planner.columns(),
              planner.runRows(),
              FeatureSelector.MAX_INITIAL_COLUMNS_PER_ROW));
    } else {
      decide(
          "selection: initial L1 fits on the best-correlated columns: on all columns the plan"
              + " would need "
              + MemorySize.format(planner.peak(8, n, false, 0, true))
              + " of "
              + MemorySize.format(usable)
              + " usable");
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
    EngineConfig cfg =
        engineConfig()
            .precision(StoragePrecision.FLOAT)
            .recomputeLastStep(true)
            .searchMaxRows(searchRows < n ? searchRows : 0)
            .build();
    pilot = true;
    try {
      return AutoFeatEngine.of(cfg).survey(data.names(), data.columnsUnsafe(), this);
    } finally {
      pilot = false;
      closeLeases();
      resetCounts();
    }
  }

  /** Runs the engine; on a switch signal releases what it held and restarts lightweight. */
  private FittedAutoFeat search() {
    for (; ; ) {
      EngineConfig cfg =
          engineConfig()
              .precision(plan.floatStorage() ? StoragePrecision.FLOAT : StoragePrecision.DOUBLE)
              .searchMaxRows(plan.searchRows() < plan.rows() ? plan.searchRows() : 0)
              .recomputeLastStep(plan.recomputeLastStep())
              .selectionMaxChunkWidth(plan.maxChunkWidth())
              .selectionInitialFitAll(plan.initialFitAll())
              .build();
      searchRows = plan.searchRows();
      resetCounts();
      try {
        return AutoFeatEngine.of(cfg)
            .fit(data.names(), data.columnsUnsafe(), data.targetUnsafe(), this);
      } catch (SwitchSignal s) {
        FitPhase at = s.phase;
        closeLeases();
        endPhase();
        long head = headroom();
        MemoryPlanner planner =
            new MemoryPlanner(data.rows(), data.featureCount(), lastSurvey, config.problemType());
        FitPlan light = planner.lightweight(usable(head));
        if (light == null) {
          FitPlan min = planner.minimalLightweight(usable(head));
          throw insufficient(
              needed(min.predictedPeakBytes()),
              head,
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
        .problem(
            config.problemType() == ProblemType.CLASSIFICATION
                ? TargetKind.CLASSIFICATION
                : TargetKind.REGRESSION)
        .featengSteps(config.featureEngineeringSteps())
        .featselRuns(config.featureSelectionRuns())
        .transformations(config.transformationList())
        .seed(config.seed())
        .batchSize(config.maxBatchSize())
        .selectionParallelism(config.parallelism());
  }

  /** Records a plan decision for the report and logs it at DEBUG. */
  private void decide(String decision) {
    decisions.add(decision);
    log.debug("autofeat: {}: {}", fitScope.path(), decision);
  }

  private void announceLightweight(String reason, FitPhase at, FitPlan light) {
    lightweightReason = reason;
    log.warn(
        "autofeat: fit '{}' runs on its lightweight plan because {} ({})",
        fitScope.path(),
        reason,
        light.describe());
    listener.lightweight(new LightweightEvent(reason, at, light));
  }

  // ---- engine hooks ---------------------------------------------------------------------------

  @Override
  public void phaseStarted(String enginePhase, long storeBytes) {
    if (pilot) {
      return;
    }
    switch (enginePhase) {
      case "generate" -> startPhase(FitPhase.GENERATE);
      case "select" -> startPhase(FitPhase.SELECT);
      case "model" -> startPhase(FitPhase.MODEL);
      case "done" -> endPhase();
      default -> {}
    }
  }

  @Override
  public Lease reserve(String what, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, was " + bytes + " for " + what);
    }
    synchronized (this) {
      String key = unitName(what);
      MemoryScope scope = openUnit(key);
      Reservation r;
      try {
        r = scope.reserve(bytes);
      } catch (MemoryBudgetExceededException e) {
        releaseUnit(key);
        throw overflow(currentPhase(), bytes, e.availableBytes(), what, e);
      }
      FitLease lease = new FitLease(key, what, r);
      leases.add(lease);
      notePeak();
      return lease;
    }
  }

  @Override
  public synchronized AutoCloseable threadStarted(String name) {
    MemoryScope scope = phaseScope != null ? phaseScope : fitScope;
    return scope.meterAllocations();
  }

  /** The unit scope a lease described as {@code what} goes to: its text before the first ':'. */
  private String unitName(String what) {
    int colon = what.indexOf(':');
    String head = (colon < 0 ? what : what.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(head.length());
    for (int i = 0; i < head.length(); i++) {
      char c = head.charAt(i);
      boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (word) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '-') {
        sb.append('-');
      }
    }
    String name = sb.toString();
    if (pilot && name.equals("column-store")) {
      return "pilot-store";
    }
    return name.isEmpty() ? "work" : name;
  }

  private MemoryScope openUnit(String key) {
    Unit u = units.get(key);
    if (u == null) {
      boolean fitWide = key.equals("column-store") || key.equals("search-rows");
      MemoryScope parentScope = fitWide || phaseScope == null ? fitScope : phaseScope;
      u = new Unit(parentScope.openChild(key));
      units.put(key, u);
    }
    u.leases++;
    return u.scope;
  }

  private void releaseUnit(String key) {
    Unit u = units.get(key);
    if (u != null && --u.leases == 0) {
      units.remove(key);
      u.scope.close();
    }
  }

  /** Closes every open lease (a failure or a restart: the engine's memory is gone). */
  private synchronized void closeLeases() {
    for (FitLease lease : new ArrayList<>(leases)) {
      lease.close();
    }
    for (Unit u : new ArrayList<>(units.values())) {
      u.scope.close();
    }
    units.clear();
  }

  private FitPhase currentPhase() {
    return pilot ? FitPhase.PLAN : phase;
  }

  @Override
  public synchronized void checkCancelled() {
    if (pending != null) {
      RuntimeException e = pending;
      pending = null;
      throw e;
    }
    String why = stopReason();
    if (why != null) {
      throw new TaskStoppedException(why, where());
    }
    if (!pilot
        && plan != null
        && !plan.lightweight()
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
  public synchronized int nextBatchSize(
      String enginePhase, int step, int suggested, long bytesPerCandidate) {
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
    long scratch = HeapBytes.doubles(searchRows);
    long kept = Math.max(0, bytesPerCandidate - scratch) + Footprint.COLUMN_METADATA_BYTES;
    // every candidate may be kept: the survivors' reservations are taken as they are stored
    long perItem = HeapBytes.doubles(searchRows) + kept + Footprint.EXPRESSION_BYTES + 64;
    boolean floats = pilot || plan.floatStorage();
    long fixed = floats ? 2 * HeapBytes.doubles(searchRows) : 0; // the parents as doubles
    int max = shrinkForPressure(Math.max(1, suggested), 1);
    return decideBatch(fp, step, batchIndex, fixed, perItem, 1, max, "every candidate may be kept");
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
      Decision d = decision;
      decide(
          all
              ? String.format(
                  Locale.ROOT,
                  "select run %d: initial L1 fit on all %d columns (%s planned" + " for the run)",
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
    lastStep = run;
    lastBatch = 0;
    lastBatches = 0;
    long perColumn =
        (long) Math.ceil(MemoryPlanner.SOLVER_FACTOR * bytesPerCandidate * (1 + fixedRatio));
    long fixed = 8 * bytesPerCandidate;
    int min = Math.min(10, Math.max(1, suggested));
    int max = shrinkForPressure(Math.max(1, suggested), min);
    int size = decideBatch(FitPhase.SELECT, run, 0, fixed, perColumn, min, max, note);
    runDecisions.put(run, decision);
    return size;
  }

  /** How many selection runs may run at once: as many as their working memory fits twice over. */
  private int sizeParallel(int threads, long bytesPerRun) {
    long available = headroom();
    int size = (int) Math.max(1, Math.min(threads, available / Math.max(1, 2 * bytesPerRun)));
    decide(
        String.format(
            Locale.ROOT,
            "selection: %d of %d runs at once (%s per run, %s available)",
            size,
            threads,
            MemorySize.format(bytesPerRun),
            MemorySize.format(available)));
    return size;
  }

  /** How many columns a noise filter takes at once (the rest is filtered in stages). */
  private int sizeFilter(int run, int columns, long bytesPerColumn) {
    long available = headroom();
    long fits = bytesPerColumn <= 0 ? columns : available / bytesPerColumn;
    int size = (int) Math.max(1, Math.min(columns, fits));
    if (size < columns) {
      log.debug(
          "autofeat: {} select run {}: noise filter in groups of {} of {} columns ({} per column,"
              + " {} available)",
          fitScope.path(),
          run,
          size,
          columns,
          MemorySize.format(bytesPerColumn),
          MemorySize.format(available));
    }
    return size;
  }

  private int sizeModel(int features, long bytesPerFeature) {
    long fixed = 8L * HeapBytes.doubles(data.rows());
    int size =
        decideBatch(
            FitPhase.MODEL,
            0,
            0,
            fixed,
            bytesPerFeature,
            1,
            Math.max(1, features),
            "all selected features");
    if (size < features) {
      String why =
          "only the "
              + size
              + " best-ranked of the "
              + features
              + " selected features fit the final model's memory ("
              + MemorySize.format(decision.available())
              + " available)";
      decide("final model: " + why);
      if (lightweightReason == null) {
        plan =
            new FitPlan(
                true,
                plan.floatStorage(),
                plan.rows(),
                plan.searchRows(),
                plan.recomputeLastStep(),
                plan.maxChunkWidth(),
                plan.initialFitAll(),
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
   * Decides how many items of {@code perItem} bytes (besides {@code fixed}) fit the headroom now
   * and records the decision; reserves nothing (the engine reserves what it allocates). Throws a
   * switch signal or an InsufficientMemoryException when not even {@code min} items fit.
   */
  private int decideBatch(
      FitPhase fp, int step, int index, long fixed, long perItem, int min, int max, String note) {
    PressureLevel level = memory.pressureLevel();
    String task = fitScope.path() + " " + fp.name().toLowerCase(Locale.ROOT) + " step " + step;
    long available = Math.max(0, headroom() - fixed);
    BatchDecision d =
        grant != null
            ? grant.batchSize(perItem, min, max)
            : memory.allocator().sizeBatch(task, available, perItem, min, max);
    if (!d.fits()) {
      throw overflow(
          fp,
          fixed + (long) min * perItem,
          available + fixed,
          fp.name().toLowerCase(Locale.ROOT) + " step " + step + " batch of " + min,
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
        fitScope.path(),
        fp,
        step,
        d.batchSize(),
        MemorySize.format(perItem),
        MemorySize.format(planned),
        reason);
    FaultInjector injector = config.faultInjector();
    if (injector != null) {
      injector.beforeBatch(fp, step, index);
    }
    return d.batchSize();
  }

  /** The exception for memory that cannot be had: restart lightweight if allowed, else fail. */
  private RuntimeException overflow(
      FitPhase fp, long needed, long available, String what, Throwable cause) {
    boolean canSwitch =
        !pilot
            && plan != null
            && !plan.lightweight()
            && config.lightweightPolicy() == LightweightPolicy.AUTO
            && (fp == FitPhase.GENERATE || fp == FitPhase.SELECT);
    String text =
        fp
            + " ("
            + what
            + ") needs "
            + MemorySize.format(needed)
            + " more but "
            + MemorySize.format(available)
            + " is available";
    if (canSwitch) {
      return new SwitchSignal(text, fp);
    }
    String planText;
    if (pilot) {
      planText =
          "pilot (feature generation on "
              + searchRows
              + " rows that predicts the fit's"
              + " memory; it stopped at step "
              + lastStepOr(fp)
              + " of "
              + config.featureEngineeringSteps()
              + " because "
              + what
              + " needed "
              + MemorySize.format(needed)
              + " more, so every plan needs at least this)";
    } else {
      planText = (plan.lightweight() ? "lightweight plan" : "normal plan") + " (" + text + ")";
    }
    InsufficientMemoryException e =
        insufficient(
            needed(needed + fitScope.reservedBytes()),
            headroom() + fitScope.reservedBytes(),
            planText);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private int lastStepOr(FitPhase fp) {
    return decision != null && decision.phase() == fp ? decision.step() : lastStep;
  }

  @Override
  public synchronized void batchDone(BatchStats stats) {
    Decision dec = stats.phase().equals("select") ? runDecisions.get(stats.step()) : decision;
    if (dec == null) {
      return;
    }
    BatchReport report;
    int tried = stats.tried();
    if (stats.phase().equals("generate")) {
      decision = null;
      long held =
          stats.scratchBytes()
              + stats.retainedBytes()
              + Footprint.EXPRESSION_BYTES * tried
              + Footprint.COLUMN_METADATA_BYTES * stats.accepted();
      long measured = tried == 0 ? -1 : held / tried;
      stepTried += tried;
      stepAccepted += stats.accepted();
      genTried += tried;
      genKept += stats.accepted();
      report =
          new BatchReport(
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
    } else {
      long measured = tried == 0 ? -1 : stats.scratchBytes() / tried;
      if (tried > 0 && 2L * tried >= dec.size()) {
        // the chunk's columns with their share of the initial set, the noise and the solver
        double perChunkColumn = MemoryPlanner.SOLVER_FACTOR * (double) runRowBytes;
        fixedRatio = Math.max(0.1, stats.scratchBytes() / (tried * perChunkColumn) - 1);
      }
      report =
          new BatchReport(
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
    batches.add(report);
    phaseBatches++;
    notePeak();
    listener.batch(report);
  }

  @Override
  public synchronized void progress(
      String enginePhase, int step, int batch, int batchCount, double percent) {
    FitPhase fp =
        pilot
            ? FitPhase.PLAN
            : switch (enginePhase) {
              case "select" -> FitPhase.SELECT;
              case "model" -> FitPhase.MODEL;
              default -> FitPhase.GENERATE;
            };
    int steps =
        switch (fp) {
          case SELECT -> config.featureSelectionRuns();
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
    phaseMeter = phaseScope.meterAllocations();
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
      BatchReport report =
          new BatchReport(
              FitPhase.MODEL,
              0,
              0,
              dec.size(),
              dec.size(),
              dec.size(),
              dec.available(),
              dec.perItem(),
              -1,
              dec.reserved(),
              dec.pressure(),
              dec.reason(),
              -1);
      batches.add(report);
      phaseBatches++;
      listener.batch(report);
    }
    decision = null;
    runDecisions.clear();
    notePeak();
    if (phaseMeter != null) {
      phaseMeter.close();
      phaseMeter = null;
    }
    phases.add(
        new PhaseReport(
            phase,
            Duration.ofNanos(ticker.read() - phaseStart),
            phasePeak,
            phaseBatches,
            Math.max(0, phaseScope.allocatedBytes())));
    MemoryScope s = phaseScope;
    phaseScope = null;
    phase = null;
    if (s != null) {
      s.close();
    }
  }

  private void releaseAll() {
    closeLeases();
    endPhase();
    fitScope.close();
  }

  private void releaseQuietly(Throwable failure) {
    try {
      closeLeases();
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

  private synchronized void notePeak() {
    phasePeak = Math.max(phasePeak, fitScope.reservedBytes());
  }

  // ---- numbers --------------------------------------------------------------------------------

  /**
   * Bytes the fit may use now: available in its scope, below the manager's CRITICAL line, and
   * within what the heap had free when the fit started ({@link HeapLimit}).
   */
  private long headroom() {
    MemoryScope s = fitScope != null && !fitScope.isClosed() ? fitScope : parent;
    long available = s.availableBytes();
    double critical = memory.pressureThresholds()[1];
    long belowCritical = (long) (memory.budgetBytes() * critical) - memory.reservedBytes();
    long heap =
        heapLimit == Long.MAX_VALUE
            ? Long.MAX_VALUE
            : heapLimit - (fitScope != null ? fitScope.reservedBytes() : 0);
    return Math.max(0, Math.min(Math.min(available, belowCritical), heap));
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
    return insufficient(
        needed,
        available,
        what,
        "Give the scope or the manager more memory, use fewer feature-engineering steps (now "
            + config.featureEngineeringSteps()
            + "), or fit on fewer rows (now "
            + data.rows()
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
    int steps =
        switch (p) {
          case SELECT -> config.featureSelectionRuns();
          case MODEL -> 1;
          default -> config.featureEngineeringSteps();
        };
    String unit = p == FitPhase.SELECT ? "run" : "step";
    return String.format(
        Locale.ROOT,
        "%s %s %s %d of %d, after batch %d of %d",
        fitScope.path(),
        p,
        unit,
        lastStep,
        steps,
        lastBatch,
        lastBatches);
  }

  private FitReport report(
      FittedAutoFeat fitted, long peak, long availableAtStart, String stoppedAt) {
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
    return new FitReport(
        config.problemType(),
        data.rows(),
        data.featureCount(),
        config.featureEngineeringSteps(),
        config.featureSelectionRuns(),
        config.seed(),
        plan,
        lightweightReason != null,
        lightweightReason,
        decisions,
        phases,
        computed,
        accepted,
        generated,
        selected,
        features,
        batches,
        peak,
        availableAtStart,
        stoppedAt);
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
        log.warn(
            "autofeat: fit listener {}.{} threw; the fit goes on (further listener failures"
                + " are logged at DEBUG)",
            delegate.getClass().getName(),
            method,
            e);
      } else {
        log.debug("autofeat: fit listener {}.{} threw", delegate.getClass().getName(), method, e);
      }
    }
  }
}
