package io.memguard.autofeat;

import io.memguard.autofeat.internal.AutoFeatEngine;
import io.memguard.autofeat.internal.EngineConfig;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.GenerationSurvey;
import io.memguard.autofeat.internal.TargetCells;
import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.select.FeatureSelector;
import io.memguard.autofeat.internal.units.Dimension;
import io.memguard.autofeat.internal.units.Units;
import io.memguard.core.CancellationToken;
import io.memguard.core.Grant;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Reservation;
import io.memguard.core.Rollout;
import io.memguard.core.TaskStoppedException;
import io.memguard.core.Ticker;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
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

  /** The input columns feature engineering starts from; null for all of them. */
  private final java.util.@Nullable Set<String> engineered;

  /** The dimension of each input column with a unit (autofeat's {@code units}). */
  private final java.util.Map<String, Dimension> dimensions;

  /** How many start features the Pi theorem adds at most (the planner counts them as inputs). */
  private final int piColumns;

  private final MemoryManager memory;
  private final Ticker ticker;
  private final FitListeners listener;
  private final BatchSizer sizer;

  private MemoryScope fitScope;
  private FitLedger ledger;

  /**
   * The most the fit may hold at once by the heap's measure ({@link HeapLimit}), fixed at start.
   */
  private long heapLimit = Long.MAX_VALUE;

  /**
   * The heap the plan was made around ({@link HeapLimit#floorInUseBytes}, or the heap in use now
   * when that left too little for the smallest plan), -1 before the plan.
   */
  private long planInUse = -1;

  /** As {@link #heapLimit}, on the heap's live floor: for the plan and model-shaping sizes. */
  private long planHeapLimit = Long.MAX_VALUE;

  private FitPlan plan;
  private GenerationSurvey lastSurvey;
  private boolean finalModelFromSums;
  private String lightweightReason;
  private boolean pilot;
  private int searchRows;
  private RuntimeException pending;

  /** Where the engine is, for stop messages: its step or run, and its batch. */
  private int lastStep;

  private int lastBatch;
  private int lastBatches;

  /**
   * How many times a lightweight plan that is refused memory it was predicted to have restarts on a
   * smaller one before the fit gives up.
   */
  private static final int MAX_SHRINKS = 3;

  private int shrinks;

  /** Whether this fit recorded the lightweight switch it would have made in shadow mode. */
  private boolean observedSwitch;

  /**
   * Thrown from a hook to restart the search with the lightweight plan, or with a smaller one when
   * the lightweight plan was refused ({@code shrink}): then {@code couldHold} is what the fit could
   * hold at the refusal (its reservations and what was still available) and {@code wanted} what it
   * would have held had the request been granted.
   */
  private static final class SwitchSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final FitPhase phase;
    final boolean shrink;
    final long couldHold;
    final long wanted;

    SwitchSignal(String reason, FitPhase phase) {
      this(reason, phase, false, 0, 0);
    }

    SwitchSignal(String reason, FitPhase phase, boolean shrink, long couldHold, long wanted) {
      super(reason, null, false, false);
      this.phase = phase;
      this.shrink = shrink;
      this.couldHold = couldHold;
      this.wanted = wanted;
    }
  }

  FitRun(FitSettings config, MemoryScope parent, Grant grant, Dataset data) {
    if (!data.targetLabels().isEmpty() && config.problemType() == ProblemType.REGRESSION) {
      throw new IllegalArgumentException(
          "the target '"
              + data.targetName()
              + "' holds text ("
              + textLabels(data.targetLabels())
              + "), so it was read as "
              + data.targetLabels().size()
              + " class labels, not numbers: to classify, fit a classifier"
              + " (AutoFeatProcessor.builder().problemType(ProblemType.CLASSIFICATION)); for a"
              + " regression, fix or drop the rows whose target is text");
    }
    this.config = config;
    this.parent = parent;
    this.grant = grant;
    this.data = data;
    this.engineered = engineeredColumns(config.featureEngineeringColumns(), data);
    this.dimensions = dimensions(config.units(), data.names(), data.categories());
    this.piColumns = config.applyPiTheorem() ? piColumns(dimensions, data.names(), engineered) : 0;
    this.memory = parent.manager();
    this.ticker = memory.ticker();
    this.listener = new FitListeners(config.listener());
    this.sizer =
        new BatchSizer(new SizerView(), memory, grant, data.rows(), config.faultInjector());
  }

  /**
   * The input columns feature engineering starts from: {@code named} resolved against {@code
   * data}'s columns (a categorical column stands for its 0/1 columns), or null for all of them.
   *
   * @throws IllegalArgumentException naming a column the data lacks
   */
  static java.util.@Nullable Set<String> engineeredColumns(List<String> named, Dataset data) {
    return engineeredColumns(named, data.names(), data.categories());
  }

  /**
   * {@code named} resolved against the feature columns {@code names} with their {@code categories},
   * in the order of {@code names}; null for all of them.
   *
   * @throws IllegalArgumentException naming a column the data lacks
   */
  static java.util.@Nullable Set<String> engineeredColumns(
      List<String> named, List<String> names, Categories categories) {
    if (named.isEmpty()) {
      return null;
    }
    java.util.Set<String> wanted = new java.util.HashSet<>();
    for (String c : named) {
      if (names.contains(c)) {
        wanted.add(c);
      } else if (categories.isCategorical(c)) {
        wanted.addAll(categories.encodedNames(c));
      } else {
        throw new IllegalArgumentException(
            "featureEngineeringColumns names '"
                + c
                + "', which the data does not have; its columns are "
                + names
                + (categories.isEmpty() ? "" : " (categorical: " + categories.columns() + ")"));
      }
    }
    if (wanted.size() == names.size()) {
      return null;
    }
    java.util.Set<String> inDataOrder = new java.util.LinkedHashSet<>();
    for (String n : names) {
      if (wanted.contains(n)) {
        inDataOrder.add(n);
      }
    }
    return java.util.Collections.unmodifiableSet(inDataOrder);
  }

  /**
   * The dimensions of the columns named in {@code units}, read against the feature columns {@code
   * names}.
   *
   * @throws IllegalArgumentException naming a column the data lacks, or a categorical column
   */
  static java.util.Map<String, Dimension> dimensions(
      java.util.Map<String, String> units, List<String> names, Categories categories) {
    java.util.Map<String, Dimension> out = new java.util.HashMap<>();
    for (java.util.Map.Entry<String, String> e : units.entrySet()) {
      String c = e.getKey();
      if (categories.isCategorical(c)) {
        throw new IllegalArgumentException(
            "units names the categorical column '"
                + c
                + "', whose 0/1 columns have no dimension; leave it out of units");
      }
      if (!names.contains(c)) {
        throw new IllegalArgumentException(
            "units names '"
                + c
                + "', which the data does not have; its columns are "
                + names
                + (categories.isEmpty() ? "" : " (categorical: " + categories.columns() + ")"));
      }
      out.put(c, Units.parse(e.getValue()));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * How many groups the Pi theorem finds among the engineered columns with a dimension, as the
   * engine will ({@link AutoFeatEngine#piGroupCount}).
   */
  static int piColumns(
      java.util.Map<String, Dimension> dimensions,
      List<String> names,
      java.util.@Nullable Set<String> engineered) {
    if (dimensions.isEmpty()) {
      return 0;
    }
    List<Dimension> dims = new java.util.ArrayList<>();
    boolean[] builds = new boolean[names.size()];
    for (int j = 0; j < names.size(); j++) {
      dims.add(dimensions.getOrDefault(names.get(j), Dimension.NONE));
      builds[j] = engineered == null || engineered.contains(names.get(j));
    }
    return AutoFeatEngine.piGroupCount(dims, builds);
  }

  /** The labels that are not numbers (the text that made the target labels), at most five. */
  private static String textLabels(List<String> labels) {
    List<String> text = new java.util.ArrayList<>();
    int count = 0;
    for (String label : labels) {
      if (!TargetCells.isNumber(label) && count++ < 5) {
        text.add("'" + label + "'");
      }
    }
    return String.join(", ", text) + (count > 5 ? ", ... " + count + " in all" : "");
  }

  // ---- the fit --------------------------------------------------------------------------------

  AutoFeatModel run() {
    long availableAtStart = parent.availableBytes();
    fitScope = parent.openChild(config.name());
    ledger = new FitLedger(this, fitScope, ticker, listener, this::leaseOverflow);
    FittedAutoFeat fitted;
    long peak;
    Reservation own = null;
    try {
      plan = plan();
      own = reserveModel();
      fitted = search();
      peak = fitScope.peakReservedBytes();
      fitModel(own, fitted);
      releaseAll();
    } catch (RuntimeException e) {
      peak = fitScope.peakReservedBytes();
      String at = e instanceof TaskStoppedException stopped ? stopped.where() : where();
      releaseQuietly(e);
      closeQuietly(own, e);
      settleLightweight(Rollout.Outcome.ofFailure(e));
      FitReport partial = report(null, peak, availableAtStart, at);
      listener.failed(partial, e);
      throw e;
    } catch (Throwable e) {
      releaseQuietly(e);
      closeQuietly(own, e);
      settleLightweight(Rollout.Outcome.ofFailure(e));
      throw e;
    }
    FitReport report;
    AutoFeatModel model;
    try {
      settleLightweight(Rollout.Outcome.COMPLETED);
      report = report(fitted, peak, availableAtStart, null);
      model =
          new AutoFeatModel(
              fitted,
              config.problemType(),
              report,
              own,
              AutoFeatModel.labelsOf(fitted.model().classes(), data.targetLabels()),
              data.categories());
    } catch (Throwable e) {
      // the model never took its reservation over: release it now, not when the Cleaner runs
      closeQuietly(own, e);
      throw e;
    }
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
   * Bytes reserved for the fitted model once the plan is chosen, before the search allocates: a
   * model of {@value #MODEL_FEATURES_RESERVED} features of {@value #MODEL_FEATURE_BYTES} bytes each
   * and up to {@value #MODEL_CLASSES_RESERVED} classes, over this data's inputs. Reserved after the
   * fit, the model's few KiB were refused once in a 16 MiB heap by the live-heap line, which still
   * counted the fit's garbage as live.
   */
  private Reservation reserveModel() {
    long bytes = 1024 + 8L * (MODEL_FEATURES_RESERVED + 1) * MODEL_CLASSES_RESERVED;
    bytes += (long) MODEL_FEATURES_RESERVED * MODEL_FEATURE_BYTES;
    for (String name : data.names()) {
      bytes += 48 + 2L * name.length();
    }
    try {
      return parent.reserve(bytes);
    } catch (MemoryBudgetExceededException e) {
      throw overflow(FitPhase.PLAN, bytes, e.availableBytes(), "the fitted model", e);
    }
  }

  static final int MODEL_FEATURES_RESERVED = 64;
  static final int MODEL_FEATURE_BYTES = 1280;
  static final int MODEL_CLASSES_RESERVED = 16;

  /**
   * Sizes the model's reservation to the fitted model: shrinks it (never refused), or, for a model
   * larger than reserved, grows it while the fit still holds its memory.
   */
  private void fitModel(Reservation own, FittedAutoFeat fitted) {
    long bytes = AutoFeatModel.estimateBytes(fitted);
    long held = own.bytes();
    if (bytes < held) {
      own.shrink(held - bytes);
    } else if (bytes > held) {
      try {
        own.grow(bytes - held);
      } catch (MemoryBudgetExceededException e) {
        throw overflow(FitPhase.MODEL, bytes - held, e.availableBytes(), "the fitted model", e);
      }
    }
  }

  private static void closeQuietly(@Nullable Reservation own, Throwable failure) {
    if (own == null) {
      return;
    }
    try {
      own.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Gives the rollout what followed this fit's lightweight decisions, if it made any. */
  private void settleLightweight(Rollout.Outcome outcome) {
    memory.rollout().settle(Protection.AUTOFEAT_LIGHTWEIGHT, fitScope.path(), outcome);
  }

  /**
   * Chooses the plan: pilot, prediction, policy. Throws before the fit allocates its working set.
   */
  private FitPlan plan() {
    startPhase(FitPhase.PLAN);
    long recent = 2 * data.estimatedBytes();
    heapLimit = HeapLimit.limitBytes(HeapLimit.inUseBytes(recent));
    long inUse = HeapLimit.floorInUseBytes(recent);
    planInUse = inUse;
    planHeapLimit = HeapLimit.limitBytes(inUse);
    if (planHeapLimit < parent.availableBytes() && planHeapLimit != Long.MAX_VALUE) {
      decide(
          "heap: "
              + MemorySize.format(HeapLimit.maxHeapBytes())
              + " at most, "
              + MemorySize.format(inUse)
              + " in use before the fit (the lowest after a collection, with its data counted"
              + " twice): it plans for at most "
              + MemorySize.format(planHeapLimit)
              + " ("
              + Math.round(HeapLimit.FREE_HEAP_SHARE * 100)
              + "% of the free heap), less than the "
              + MemorySize.format(parent.availableBytes())
              + " its scope has");
    }
    int n = data.rows();
    int d = data.featureCount();
    long head = planningHeadroom();
    long usable = usable(head);
    MemoryPlanner early = new MemoryPlanner(n, d + piColumns, null, config.problemType());
    MemoryPlanner earlySums = early.withSumsModel();
    long smallestBytes =
        earlySums == null
            ? early.minimalBytes()
            : Math.min(early.minimalBytes(), earlySums.minimalBytes());
    if (usable < smallestBytes) {
      long inUseNow = HeapLimit.inUseBytes(recent);
      if (inUseNow < planInUse) {
        // The floor plus twice the data counts the data again when the floor's collection came
        // after it was loaded; the heap in use now (garbage included) bounds what is live too. A
        // last resort: above this line plans stay on the floor, independent of garbage.
        decide(
            "heap: the live floor with the data counted twice ("
                + MemorySize.format(planInUse)
                + ") leaves too little for the smallest plan; planned on the heap in use now, "
                + MemorySize.format(inUseNow));
        planInUse = inUseNow;
        planHeapLimit = HeapLimit.limitBytes(inUseNow);
        head = planningHeadroom();
        usable = usable(head);
      }
    }
    if (usable < early.minimalBytes()) {
      if (earlySums == null || usable < earlySums.minimalBytes()) {
        MemoryPlanner smallest = earlySums == null ? early : earlySums;
        throw insufficient(
            needed(smallest.minimalBytes()),
            head,
            "smallest plan (the final model on the "
                + d
                + " input columns, "
                + n
                + " rows"
                + (earlySums == null ? "" : ", " + earlySums.finalModelWording())
                + ")");
      }
      useSumsModel(early, usable);
    }
    GenerationSurvey survey = null;
    if (config.featureEngineeringSteps() > 0) {
      if (engineered != null) {
        decide(
            "feature engineering starts from "
                + engineered.size()
                + " of the "
                + d
                + " input columns (featureEngineeringColumns); the other "
                + (d - engineered.size())
                + " compete in selection as they are");
      }
      GenerationSurvey bound =
          GenerationSurvey.upperBound(
              engineered == null ? d : engineered.size(),
              config.featureEngineeringSteps(),
              config.transformationList().size());
      long boundPeak =
          new MemoryPlanner(n, d + piColumns, bound, config.problemType())
              .peak(8, n, false, 0, true);
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
    head = planningHeadroom();
    usable = usable(head);
    MemoryPlanner planner = planner(survey);
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
      chosen = null; // only the normal plan with the final model from sums is left to try
    } else {
      chosen = planner.lightweight(usable);
      reason =
          "the normal plan needs "
              + MemorySize.format(normal.predictedPeakBytes())
              + " but only "
              + MemorySize.format(usable)
              + " is usable";
    }
    // the last resort before refusing: a final model whose heap does not grow with the rows
    MemoryPlanner sums = chosen == null && !finalModelFromSums ? planner.withSumsModel() : null;
    if (sums != null) {
      FitPlan sumsNormal = sums.normal(usable);
      if (policy != LightweightPolicy.ALWAYS && sumsNormal.predictedPeakBytes() <= usable) {
        chosen = sumsNormal;
        reason = null;
      } else if (policy != LightweightPolicy.NEVER) {
        chosen = sums.lightweight(usable);
      }
      if (chosen != null) {
        useSumsModel(planner, usable);
      }
      planner = sums; // and if nothing fits, its cheapest plan is the one to name
    }
    if (chosen == null && policy == LightweightPolicy.NEVER) {
      FitPlan cheapest = planner.normal(usable);
      throw insufficient(
          needed(cheapest.predictedPeakBytes()),
          head,
          "normal plan ("
              + cheapest.describe()
              + (planner.sumsModel() ? ", the final model " + planner.finalModelWording() : "")
              + "); the lightweight policy NEVER forbids the cheaper plan",
          "Give the scope or the manager more memory, or allow the lightweight plan"
              + " (LightweightPolicy.AUTO).");
    }
    if (chosen == null) {
      FitPlan min = planner.minimalLightweight(usable);
      throw refuseCheapest(
          needed(min.predictedPeakBytes()),
          head,
          "cheapest lightweight plan (" + min.describe() + ")",
          planner,
          min);
    }
    decide("plan: " + chosen.describe());
    if (chosen.initialFitAll() && survey != null && survey.isUpperBound()) {
      decide(
          "selection: initial L1 fits on all columns where there are at most "
              + FeatureSelector.MAX_INITIAL_COLUMNS_PER_ROW
              + " per run row (in the predicted peak; no pilot counted them)");
    } else if (chosen.initialFitAll()) {
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
      sizer.reset();
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
      sizer.reset();
      try {
        return AutoFeatEngine.of(cfg)
            .fit(data.names(), data.columnsUnsafe(), data.targetUnsafe(), this);
      } catch (SwitchSignal s) {
        FitPhase at = s.phase;
        closeLeases();
        endPhase();
        long head = headroom();
        MemoryPlanner planner = planner(lastSurvey);
        long usable = usable(head);
        if (s.shrink) {
          usable = Math.min(usable, shrunkUsable(s));
        }
        FitPlan light = planner.lightweight(usable);
        MemoryPlanner sums = finalModelFromSums ? null : planner.withSumsModel();
        if (sums != null && !smaller(light, s.shrink)) {
          FitPlan fromSums = sums.lightweight(usable);
          if (smaller(fromSums, s.shrink)) {
            useSumsModel(planner, usable);
            planner = sums;
            light = fromSums;
          } else {
            planner = sums; // for the message: the cheapest plan there is
          }
        }
        if (!smaller(light, s.shrink)) {
          FitPlan min = planner.minimalLightweight(usable);
          long minNeeded = needed(min.predictedPeakBytes());
          throw refuseCheapest(
              s.shrink ? Math.max(minNeeded, needed(s.wanted)) : minNeeded,
              s.shrink ? Math.min(head, s.couldHold) : head,
              (s.shrink ? "lightweight plan, after " : "cheapest lightweight plan after: ")
                  + s.getMessage(),
              planner,
              min);
        }
        String was = plan.describe();
        plan = light;
        String reason =
            s.shrink
                ? s.getMessage() + ", so the plan (" + was + ") made room for less than it needs"
                : s.getMessage();
        decide(
            (s.shrink ? "shrink at " : "switch at ")
                + at
                + ": "
                + reason
                + "; plan: "
                + light.describe());
        announceLightweight(reason, at, light);
      }
    }
  }

  /** Whether {@code light} is a plan to restart on: any plan, or after a shrink a smaller one. */
  private boolean smaller(@Nullable FitPlan light, boolean shrink) {
    return light != null && (!shrink || light.predictedPeakBytes() < plan.predictedPeakBytes());
  }

  /** The planner for this fit's data and {@code survey}, with the final model it uses. */
  private MemoryPlanner planner(GenerationSurvey survey) {
    MemoryPlanner planner =
        new MemoryPlanner(
            data.rows(), data.featureCount() + piColumns, survey, config.problemType());
    return finalModelFromSums ? planner.withSumsModel() : planner;
  }

  /**
   * From now on the final model is one whose heap does not grow with the rows ({@link
   * MemoryPlanner#withSumsModel}): no plan fits with it in memory.
   */
  private void useSumsModel(MemoryPlanner inMemory, long usable) {
    finalModelFromSums = true;
    decide(
        "final model: "
            + inMemory.withSumsModel().finalModelWording()
            + ", since no plan fits "
            + MemorySize.format(usable)
            + " with the features' values on all "
            + data.rows()
            + " rows (at least "
            + MemorySize.format(inMemory.minimalBytes())
            + " on the input columns alone)");
  }

  private EngineConfig.Builder engineConfig() {
    return EngineConfig.builder()
        .finalModelFromSums(finalModelFromSums)
        .problem(
            config.problemType() == ProblemType.CLASSIFICATION
                ? TargetKind.CLASSIFICATION
                : TargetKind.REGRESSION)
        .featengSteps(config.featureEngineeringSteps())
        .featselRuns(config.featureSelectionRuns())
        .transformations(config.transformationList())
        .seed(config.seed())
        .batchSize(config.maxBatchSize())
        .featengColumns(engineered)
        .dimensions(dimensions)
        .piTheorem(config.applyPiTheorem())
        .selectionParallelism(config.parallelism());
  }

  @Override
  public void decided(String decision) {
    decide(decision);
  }

  /** Records a plan decision for the report and logs it at DEBUG. */
  private void decide(String decision) {
    ledger.decide(decision);
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
      return ledger.reserve(what, bytes, pilot);
    }
  }

  @Override
  public AutoCloseable threadStarted(String name) {
    return ledger.meterThread();
  }

  private synchronized RuntimeException leaseOverflow(
      long needed, long available, String what, Throwable cause) {
    return overflow(currentPhase(), needed, available, what, cause);
  }

  private void closeLeases() {
    ledger.closeLeases();
  }

  private FitPhase currentPhase() {
    return pilot ? FitPhase.PLAN : ledger.phase();
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
        && (ledger.phase() == FitPhase.GENERATE || ledger.phase() == FitPhase.SELECT)) {
      PressureLevel level = memory.pressureLevel();
      if (level.isAtLeast(PressureLevel.CRITICAL)) {
        String pressure = "the pressure level reached " + level + " at " + where();
        ProtectionMode mode =
            memory.rollout().modeFor(Protection.AUTOFEAT_LIGHTWEIGHT, fitScope.path());
        if (mode == ProtectionMode.ENFORCE || (mode == ProtectionMode.OBSERVE && !observedSwitch)) {
          observedSwitch = true; // in shadow mode, recorded once per fit
          memory
              .rollout()
              .record(
                  Protection.AUTOFEAT_LIGHTWEIGHT,
                  mode,
                  fitScope.path(),
                  "switch to the lightweight plan: " + pressure);
        }
        if (mode == ProtectionMode.ENFORCE) {
          throw new SwitchSignal(pressure, ledger.phase());
        }
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
    return sizer.size(enginePhase, step, suggested, bytesPerCandidate);
  }

  /** What the batch sizer sees of this fit; called under the fit's lock. */
  private final class SizerView implements BatchSizer.Fit {
    @Override
    public boolean inPilot() {
      return pilot;
    }

    @Override
    public FitPlan currentPlan() {
      return plan;
    }

    @Override
    public int searchRows() {
      return searchRows;
    }

    @Override
    public long headroom() {
      return FitRun.this.headroom();
    }

    @Override
    public long planningHeadroom() {
      return FitRun.this.planningHeadroom();
    }

    @Override
    public long reservableNow() {
      return FitRun.this.reservableNow();
    }

    @Override
    public String scopePath() {
      return fitScope.path();
    }

    @Override
    public RuntimeException overflow(
        FitPhase phase, long needed, long available, String what, Throwable cause) {
      return FitRun.this.overflow(phase, needed, available, what, cause);
    }

    @Override
    public void decide(String decision) {
      FitRun.this.decide(decision);
    }

    @Override
    public void modelTruncated(String why) {
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

    @Override
    public void enteredStep(int step) {
      lastStep = step;
      lastBatch = 0;
      lastBatches = 0;
    }
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
    boolean canShrink =
        !pilot
            && plan != null
            && plan.lightweight()
            && config.lightweightPolicy() != LightweightPolicy.NEVER
            && (fp == FitPhase.GENERATE || fp == FitPhase.SELECT)
            && shrinks < MAX_SHRINKS;
    if (canShrink) {
      shrinks++;
      long held = fitScope.reservedBytes();
      return new SwitchSignal(text, fp, true, held + Math.max(0, available), held + needed);
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
    // the pilot's rows and a search on the floor's rows do not shrink with the data's rows
    boolean rowsMayHelp =
        !pilot && (fp == FitPhase.MODEL || MemoryPlanner.searchesAboveFloor(plan));
    InsufficientMemoryException e =
        insufficient(
            needed(needed + fitScope.reservedBytes()),
            Math.min(headroom(), Math.max(0, available)) + fitScope.reservedBytes(),
            planText,
            shrinkAdvice(rowsMayHelp, fp != FitPhase.MODEL));
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private int lastStepOr(FitPhase fp) {
    return sizer.stepOr(fp, lastStep);
  }

  @Override
  public synchronized void batchDone(BatchStats stats) {
    BatchReport report = sizer.batchDone(stats);
    if (report != null) {
      ledger.addBatch(report);
    }
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
    ledger.startPhase(next);
    lastStep = 0;
    lastBatch = 0;
    lastBatches = 0;
  }

  private void endPhase() {
    ledger.endPhase(sizer.endPhase());
  }

  private void releaseAll() {
    closeLeases();
    endPhase();
    fitScope.close();
  }

  private void releaseQuietly(Throwable failure) {
    try {
      closeLeases();
      sizer.dropDecisions();
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

  // ---- numbers --------------------------------------------------------------------------------

  /**
   * Bytes the fit may use now: available in its scope, below the manager's CRITICAL line, within
   * the heap's free share when the fit started ({@link HeapLimit#inUseBytes}), and below the
   * manager's live-heap and process-memory lines (the checks every reservation passes, so a batch
   * is not sized on memory that reservation would then refuse).
   */
  private long headroom() {
    long line = memory.liveHeapLineBytes();
    long live = line == Long.MAX_VALUE ? Long.MAX_VALUE : line - memory.liveHeapEstimateBytes();
    long beside = Math.min(headroomBesideLiveHeap(heapLimit), live);
    return Math.max(0, Math.min(beside, memory.processMemoryRoomBytes()));
  }

  /**
   * The headroom a plan (and every size that shapes the model) is chosen for: as {@link
   * #headroom()}, but the heap's share and the live-heap line's room are taken from the heap the
   * plan was made around (the heap's live floor and the fit's data, {@link
   * HeapLimit#floorInUseBytes}) and the manager's reservations, not from the last collection's
   * reading, which counts the garbage a young collection left behind. Two fits of the same data in
   * one JVM so plan alike however much garbage lies in the heap, except where the floor leaves too
   * little for the smallest plan: then, rather than refuse, the plan is made on the heap in use
   * now, garbage included, and depends on it.
   */
  private long planningHeadroom() {
    long line = memory.liveHeapLineBytes();
    long live =
        line == Long.MAX_VALUE || planInUse < 0
            ? Long.MAX_VALUE
            : line - memory.reservedBytes() - planInUse;
    return Math.max(0, Math.min(headroomBesideLiveHeap(planHeapLimit), live));
  }

  /**
   * Bytes the fit's reservations could take now: its scope's, the live-heap line's and the
   * process-memory line's room.
   */
  private long reservableNow() {
    long lines = Math.min(memory.liveHeapRoomBytes(), memory.processMemoryRoomBytes());
    return Math.max(0, Math.min(sizingScope().availableBytes(), lines));
  }

  /** The scope the fit reserves in: its own while open, else its parent (before and after it). */
  private MemoryScope sizingScope() {
    return fitScope != null && !fitScope.isClosed() ? fitScope : parent;
  }

  /** The headroom the scope, the CRITICAL threshold and a heap limit leave. */
  private long headroomBesideLiveHeap(long limit) {
    long available = sizingScope().availableBytes();
    double critical = memory.pressureThresholds()[1];
    long belowCritical = (long) (memory.budgetBytes() * critical) - memory.reservedBytes();
    long heap =
        limit == Long.MAX_VALUE
            ? Long.MAX_VALUE
            : limit - (fitScope != null ? fitScope.reservedBytes() : 0);
    return Math.min(Math.min(available, belowCritical), heap);
  }

  private double margin() {
    return memory.allocator().safetyMargin();
  }

  private long usable(long headroom) {
    return (long) (headroom * (1 - margin()));
  }

  /**
   * The usable memory for the plan after a refused lightweight one: what the fit could hold at the
   * refusal, less the safety margin, and scaled down by as much as the refused plan's prediction
   * fell short of what it asked for.
   */
  private long shrunkUsable(SwitchSignal s) {
    double shortfall = Math.min(1, plan.predictedPeakBytes() / (double) Math.max(1, s.wanted));
    return (long) (usable(s.couldHold) * shortfall);
  }

  /** The headroom a predicted peak needs, given the safety margin. */
  private long needed(long peak) {
    return (long) Math.ceil(peak / (1 - margin()));
  }

  private InsufficientMemoryException insufficient(long needed, long available, String what) {
    return insufficient(needed, available, what, shrinkAdvice(true, false));
  }

  /** A refusal of {@code cheapest}, the least any plan of {@code planner} needs. */
  private InsufficientMemoryException refuseCheapest(
      long needed, long available, String what, MemoryPlanner planner, FitPlan cheapest) {
    return insufficient(
        needed, available, what, shrinkAdvice(planner.fewerRowsWouldHelp(cheapest), true));
  }

  /**
   * What the user can change: memory, steps and input columns (the candidates grow with both); rows
   * only above the search's floor, since with fewer rows every plan searches on all of them and the
   * memory goes to the candidates, and only if {@code rowsMayHelp} (the refused plan's memory grows
   * with the rows); fewer columns to engineer from only if {@code generationMayHelp} (the refusal
   * is not of the final model alone).
   */
  private String shrinkAdvice(boolean rowsMayHelp, boolean generationMayHelp) {
    StringBuilder sb =
        new StringBuilder(
                "Give the scope or the manager more memory, use fewer feature-engineering")
            .append(" steps (now ")
            .append(config.featureEngineeringSteps())
            .append(")");
    boolean rows = rowsMayHelp && data.rows() > MemoryPlanner.MIN_SEARCH_ROWS;
    sb.append(rows ? ", " : " or ")
        .append("fewer input columns (now ")
        .append(data.featureCount())
        .append(")");
    if (rows) {
      sb.append(", or fit on fewer rows (now ").append(data.rows()).append(")");
    }
    sb.append('.');
    int from = engineered == null ? data.featureCount() : engineered.size();
    if (generationMayHelp && config.featureEngineeringSteps() > 0 && from > 1) {
      sb.append(" Or start feature engineering from fewer columns (featureEngineeringColumns, now ")
          .append(from)
          .append(" of ")
          .append(data.featureCount())
          .append("): the others still compete in selection as they are.");
    }
    return sb.toString();
  }

  private InsufficientMemoryException insufficient(
      long needed, long available, String what, String advice) {
    return new InsufficientMemoryException(fitScope.path(), needed, available, what, advice);
  }

  /** Where the fit is, for stop messages and partial reports. */
  private String where() {
    FitPhase p = currentPhase();
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
    long computed = sizer.candidatesTried();
    long accepted = sizer.candidatesKept();
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
        ledger.decisions(),
        ledger.phases(),
        computed,
        accepted,
        generated,
        selected,
        features,
        ledger.batches(),
        peak,
        availableAtStart,
        stoppedAt);
  }
}
