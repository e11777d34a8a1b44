package io.memguard.autofeat.internal;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.GuardedHooks;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.expr.Rational;
import io.memguard.autofeat.internal.feateng.ColumnStats;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.FeatureColumn;
import io.memguard.autofeat.internal.feateng.FeatureGenerator;
import io.memguard.autofeat.internal.feateng.Footprint;
import io.memguard.autofeat.internal.feateng.GeneratedFeatures;
import io.memguard.autofeat.internal.feateng.GenerationOptions;
import io.memguard.autofeat.internal.feateng.GenerationStep;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.math.Rng;
import io.memguard.autofeat.internal.math.Vectors;
import io.memguard.autofeat.internal.select.FeatureSelector;
import io.memguard.autofeat.internal.select.SelectionOptions;
import io.memguard.autofeat.internal.select.SelectionResult;
import io.memguard.autofeat.internal.units.Dimension;
import io.memguard.autofeat.internal.units.ExprDimensions;
import io.memguard.autofeat.internal.units.PiTheorem;
import io.memguard.core.MemorySize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs autofeat end to end: feature generation, feature selection, final model; stateless apart
 * from its configuration and thread-safe (each {@link #fit} call works on its own data).
 *
 * <p>Pure computation: memory is not reserved anywhere here. A caller that manages memory does it
 * through {@link EngineHooks}: it sizes each generation batch and each selection chunk, sees what
 * every batch used and retained, and can cancel between batches.
 */
public final class AutoFeatEngine {

  private static final Logger LOG = LoggerFactory.getLogger(AutoFeatEngine.class);

  private final EngineConfig config;

  private AutoFeatEngine(EngineConfig config) {
    this.config = config;
  }

  /** An engine with the given configuration. */
  public static AutoFeatEngine of(EngineConfig config) {
    return new AutoFeatEngine(Objects.requireNonNull(config, "config"));
  }

  /** The configuration. */
  public EngineConfig config() {
    return config;
  }

  /** Fits without hooks; see {@link #fit(List, double[][], double[], EngineHooks)}. */
  public FittedAutoFeat fit(List<String> names, double[][] columns, double[] y) {
    return fit(names, columns, y, EngineHooks.NONE);
  }

  /**
   * Fits the engine.
   *
   * @param names one name per input column (used for printing; need not be identifiers)
   * @param columns the training values, column-major: {@code columns[j][i]} is column j of row i;
   *     all finite
   * @param y the target: finite values (regression) or class labels (classification, at least two
   *     classes)
   * @param hooks batch sizing, progress and cancellation
   * @return the fitted model
   * @throws IllegalArgumentException if shapes disagree or a value is not finite
   * @throws RuntimeException whatever {@link EngineHooks#checkCancelled()} or {@link
   *     EngineHooks#nextBatchSize} throw
   */
  public FittedAutoFeat fit(List<String> names, double[][] columns, double[] y, EngineHooks hooks) {
    return fitGuarded(names, columns, y, GuardedHooks.of(hooks));
  }

  private FittedAutoFeat fitGuarded(
      List<String> names, double[][] columns, double[] y, GuardedHooks hooks) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(y, "y");
    int n = validate(names, columns, y);
    List<Expr> symbols = symbols(names);

    long t0 = System.nanoTime();
    int d = columns.length;
    // the search for features (generation and selection) may run on a seeded subset of the rows
    int searchMax = config.searchMaxRows();
    int rows = searchMax <= 0 || searchMax >= n ? n : searchMax;
    Lease searchLease =
        hooks.reserve(
            "search rows: a copy of " + rows + " of " + n + " rows",
            rows == n
                ? 0
                : HeapBytes.ints(n) + HeapBytes.doubles(d, rows) + HeapBytes.doubles(rows));
    GenerationCounts counts;
    List<Expr> startFeatures = new ArrayList<>();
    SelectionResult selection;
    int steps;
    long peak;
    long t1;
    try {
      int[] search = searchRows(n);
      double[][] searchColumns = search == null ? columns : gather(columns, search);
      double[] searchY = search == null ? y : gather(y, search);
      search = null;

      hooks.phaseStarted("generate", 0);
      ColumnStore store = ColumnStore.forPlan(config.precision(), rows, config.recomputeLastStep());
      GenerationOptions go =
          new GenerationOptions(
              config.featengSteps(),
              config.transformations(),
              config.precision(),
              config.batchSize());
      try (Lease storeLease =
          hooks.reserve("column store: kept columns, metadata and expressions", 0)) {
        FeatureGenerator gen =
            generator(go, store, names, symbols, searchColumns, storeLease, hooks, true);
        peak = runGeneration(gen, hooks);
        hooks.checkCancelled();
        GeneratedFeatures generated;
        try (Lease filter =
            hooks.reserve(
                "generate: final filter (start features as doubles)", gen.finishBytes())) {
          generated = gen.finish();
        }
        steps = gen.stepsStarted();
        gen = null; // drops the pool of proposed expressions before selection
        // each candidate keeps its metadata and its expression through selection
        storeLease.resize(
            store.bytesUsed()
                + (long) generated.columns().size()
                    * (Footprint.COLUMN_METADATA_BYTES + Footprint.EXPRESSION_BYTES));
        hooks.progress("filter", steps, 1, 1, 100.0);
        t1 = System.nanoTime();

        hooks.phaseStarted("select", store.bytesUsed());
        SelectionOptions so =
            new SelectionOptions(
                config.problem(),
                config.featselRuns(),
                config.seed(),
                config.selectionMaxRows(),
                config.selectionMaxChunkWidth(),
                config.selectionInitialFitAll(),
                config.selectionPath(),
                config.selectionMaxRunRows(),
                config.selectionMaxFitCells(),
                config.selectionParallelism());
        selection =
            new FeatureSelector(so, store, generated.columns(), searchY, hooks)
                .traceReads(config.selectionReadTrace())
                .select();
        for (FeatureColumn f : generated.columns()) {
          store.release(f.slot());
        }
        counts = new GenerationCounts(generated);
        for (FeatureColumn f : generated.start()) {
          startFeatures.add(f.expr());
        }
        generated = null;
        store = null;
        searchColumns = null;
        searchY = null;
      }
    } finally {
      searchLease.close();
    }
    List<Expr> chosen = new ArrayList<>();
    for (FeatureColumn f : selection.selected()) {
      chosen.add(f.expr());
    }
    if (chosen.isEmpty()) {
      // as autofeat: every input column, and the Pi theorem's groups, which are input columns there
      LOG.info(
          "feature selection kept nothing; the final model uses all {} start features",
          startFeatures.size());
      chosen.addAll(startFeatures);
    }
    long t2 = System.nanoTime();

    hooks.phaseStarted("model", 0);
    hooks.checkCancelled();
    List<Expr> usable = new ArrayList<>();
    LinearModel model;
    // the labels counted once for the phase's byte counts (1 for a regression)
    int classes = config.problem() == TargetKind.CLASSIFICATION ? L1Models.classes(y, n).length : 1;
    boolean sumsPossible =
        config.problem() == TargetKind.REGRESSION
            ? SumsFinalModel.possible(n, config.finalPath())
            : PassesFinalModel.possible(n, config.finalPath())
                && passesCheaper(chosen, columns.length, n, classes);
    Lease inMemory = null;
    String whySums = null;
    if (!sumsPossible) {
      long perFeature = (modelBytes(chosen, n, classes) + chosen.size() - 1) / chosen.size();
      chosen = capModel(chosen, hooks.nextBatchSize("model", 0, chosen.size(), perFeature));
      inMemory =
          hooks.reserve(
              "model: " + chosen.size() + " features on " + n + " rows",
              modelBytes(chosen, n, classes));
    } else if (!config.finalModelFromSums()) {
      // every selected feature: in memory if their values on all rows fit and can be reserved, else
      // from the sums
      long bytes = modelBytes(chosen, n, classes);
      int cap =
          hooks.nextBatchSize(
              "model-in-memory", 0, chosen.size(), (bytes + chosen.size() - 1) / chosen.size());
      if (cap < chosen.size()) {
        whySums =
            "the values of only " + Math.max(0, cap) + " of its " + chosen.size() + " features fit";
      } else {
        inMemory = hooks.reserve("model: " + chosen.size() + " features on " + n + " rows", 0);
        if (!inMemory.tryResize(bytes)) {
          inMemory.close();
          inMemory = null;
          whySums =
              "the reservation of its "
                  + chosen.size()
                  + " features' values ("
                  + MemorySize.format(bytes)
                  + ") was refused";
        }
      }
    }
    if (inMemory == null) {
      if (whySums != null) {
        hooks.decided(
            "final model: "
                + (config.problem() == TargetKind.REGRESSION
                    ? SumsFinalModel.DESCRIPTION
                    : PassesFinalModel.DESCRIPTION)
                + ", since on all "
                + n
                + " rows "
                + whySums);
      }
      model =
          config.problem() == TargetKind.REGRESSION
              ? sumsModel(chosen, columns, n, y, hooks, usable)
              : passesModel(chosen, columns, n, y, classes, hooks, usable);
    } else {
      try (Lease modelLease = inMemory) {
        model = inMemoryModel(chosen, columns, n, y, usable);
      }
    }
    hooks.progress("model", 0, 1, 1, 100.0);
    long t3 = System.nanoTime();

    EngineReport report =
        new EngineReport(
            n,
            symbols.size(),
            steps,
            counts.proposed,
            counts.computed,
            counts.kept,
            counts.eligible,
            counts.candidates,
            selection.voted(),
            usable.size(),
            peak,
            t1 - t0,
            t2 - t1,
            t3 - t2,
            rows);
    LOG.debug("fit done: {}", report);
    hooks.phaseStarted("done", 0);
    return new FittedAutoFeat(names, usable, model, report);
  }

  /** The first {@code cap} of {@code chosen}, the best-ranked (the sizer reports a truncation). */
  private static List<Expr> capModel(List<Expr> chosen, int cap) {
    if (cap >= chosen.size()) {
      return chosen;
    }
    LOG.debug(
        "the final model keeps the {} best-ranked of {} selected features", cap, chosen.size());
    return new ArrayList<>(chosen.subList(0, Math.max(0, cap)));
  }

  /**
   * The final model from per-fold sums over blocks of rows ({@link SumsFinalModel}), on the
   * best-ranked of {@code chosen} whose sums fit, within a reservation of its own (its fixed part
   * first, then the features at their marginal cost); adds the features it used (those finite on
   * every row) to {@code usable}.
   */
  private LinearModel sumsModel(
      List<Expr> chosen,
      double[][] columns,
      int n,
      double[] y,
      GuardedHooks hooks,
      List<Expr> usable) {
    PathOptions options = config.finalPath();
    long all = SumsFinalModel.bytes(chosen, n, options);
    long perFeature =
        SumsFinalModel.bytes(chosen.size(), n, options) - SumsFinalModel.bytes(0, n, options);
    long fixed = all - perFeature;
    perFeature = (perFeature + chosen.size() - 1) / chosen.size();
    try (Lease modelLease =
        hooks.reserve("model: its fixed part on " + n + " rows, from per-fold sums", fixed)) {
      // the bytes grow faster than linearly with the features, so the first cap features cost at
      // most cap times the average
      List<Expr> fitted =
          capModel(chosen, hooks.nextBatchSize("model-sums", 0, chosen.size(), perFeature));
      modelLease.resize(SumsFinalModel.bytes(fitted, n, options));
      SumsFinalModel.Fitted sums = SumsFinalModel.fit(fitted, columns, n, y, options);
      usable.addAll(sums.features());
      warnDropped(fitted.size(), sums.features().size());
      return sums.model();
    }
  }

  /**
   * A classifier's final model from Newton passes over blocks of rows ({@link PassesFinalModel}):
   * its fixed part (the smallest sample's inputs, labels and fit, one block) reserved first, then
   * the best-ranked of {@code chosen} that fit at their marginal cost, then as many more sample
   * rows as the sizer grants; adds the features it used (those finite on every row) to {@code
   * usable}.
   */
  private LinearModel passesModel(
      List<Expr> chosen,
      double[][] columns,
      int n,
      double[] y,
      int classes,
      GuardedHooks hooks,
      List<Expr> usable) {
    PathOptions options = config.finalPath();
    int inputs = columns.length;
    int smallest = PassesFinalModel.sampleRows(n, 0);
    long all = PassesFinalModel.bytes(chosen, inputs, n, smallest, classes, options);
    long perFeature =
        PassesFinalModel.bytes(chosen.size(), inputs, n, smallest, classes, options)
            - PassesFinalModel.bytes(0, inputs, n, smallest, classes, options);
    long fixed = all - perFeature; // with the evaluation's temporaries
    perFeature = (perFeature + chosen.size() - 1) / chosen.size();
    try (Lease modelLease =
        hooks.reserve("model: its fixed part on " + n + " rows, from Newton passes", fixed)) {
      // the bytes grow faster than linearly with the features, so the first cap features cost at
      // most cap times the average
      List<Expr> fitted =
          capModel(chosen, hooks.nextBatchSize("model-sums", 0, chosen.size(), perFeature));
      modelLease.resize(PassesFinalModel.bytes(fitted, inputs, n, smallest, classes, options));
      int sample = smallest;
      if (n > smallest) {
        long reserved = modelLease.bytes();
        long perRow =
            (PassesFinalModel.bytes(fitted, inputs, n, 2 * smallest, classes, options)
                    - reserved
                    + smallest
                    - 1)
                / smallest;
        int more = hooks.nextBatchSize("model-sample", 0, n - smallest, perRow);
        // hooks answer at least 1: that one row is not worth a larger sample
        int wanted = more > 1 ? smallest + Math.min(more, n - smallest) : smallest;
        if (wanted > smallest
            && modelLease.tryResize(
                PassesFinalModel.bytes(fitted, inputs, n, wanted, classes, options))) {
          sample = wanted;
        }
      }
      hooks.checkCancelled();
      PassesFinalModel.Fitted passes =
          PassesFinalModel.fit(fitted, columns, n, y, sample, options, hooks::checkCancelled);
      usable.addAll(passes.features());
      warnDropped(fitted.size(), passes.features().size());
      hooks.decided(
          String.format(
              Locale.ROOT,
              "final model: penalties from cross-validation on a sample of %d of the %d rows, then"
                  + " %d Newton passes over all of them (%s)",
              passes.sampleRows(),
              n,
              passes.passes(),
              passes.converged() ? "converged" : "stopped at the passes' limit"));
      return passes.model();
    }
  }

  private static void warnDropped(int features, int used) {
    if (used < features) {
      LOG.warn(
          "dropping {} of {} features: their closed form is not finite on every training row",
          features - used,
          features);
    }
  }

  /**
   * Whether a classifier's model from Newton passes, with its smallest sample, needs fewer bytes
   * than the in-memory model: not on a few thousand rows, where the sample is most of them.
   */
  private boolean passesCheaper(List<Expr> chosen, int inputs, int n, int classes) {
    return PassesFinalModel.bytes(
            chosen, inputs, n, PassesFinalModel.sampleRows(n, 0), classes, config.finalPath())
        < modelBytes(chosen, n, classes);
  }

  /**
   * The final model from the features' values on every row (the solver standardises them in place),
   * within the caller's reservation of {@link #modelBytes}; adds the features it used (those finite
   * on every row) to {@code usable}.
   */
  private LinearModel inMemoryModel(
      List<Expr> chosen, double[][] columns, int n, double[] y, List<Expr> usable) {
    List<double[]> values = new ArrayList<>();
    for (Expr e : chosen) {
      double[] v = ExprEvaluator.evaluate(e, columns, n);
      if (Vectors.allFinite(v, 0, v.length)) {
        usable.add(e);
        values.add(v);
      } else {
        LOG.warn("dropping feature {}: its closed form is not finite on every training row", e);
      }
    }
    return L1Models.fitFinalInPlace(
        config.problem(), values.toArray(new double[0][]), n, y, config.finalPath());
  }

  /**
   * Heap bytes of the final model's fit on {@code features} over {@code n} rows and {@code classes}
   * labels (1 for a regression): their values, evaluation temporaries and the solver's work.
   */
  private long modelBytes(List<Expr> features, int n, int classes) {
    long evaluation = 0;
    for (Expr e : features) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(e, n));
    }
    int k = features.size();
    return HeapBytes.doubles(k, n)
        + HeapBytes.refs(k)
        + evaluation
        + L1Models.finalWorkBytes(config.problem(), k, n, classes, config.finalPath(), true);
  }

  /** Runs every generation step in hook-sized batches; returns the peak bytes of the store. */
  private static long runGeneration(FeatureGenerator gen, GuardedHooks hooks) {
    ColumnStore store = gen.store();
    long peak = store.bytesUsed();
    while (gen.hasNextStep()) {
      GenerationStep step = gen.nextStep();
      try (Lease stepLease =
          hooks.reserve("generate step " + step.number() + ": batch of candidates", 0)) {
        while (step.hasMore()) {
          hooks.checkCancelled();
          // never suggest more than the raw proposals left in this step (an upper bound on the
          // batch)
          int suggested =
              (int)
                  Math.max(
                      1,
                      Math.min(
                          gen.options().suggestedBatchSize(),
                          step.proposalsTotal() - step.proposalsEnumerated()));
          int size =
              hooks.nextBatchSize("generate", step.number(), suggested, step.bytesPerCandidate());
          stepLease.resize(Math.max(stepLease.bytes(), step.batchBytes(size)));
          BatchStats stats = step.runBatch(size);
          gen.accountPool();
          peak = Math.max(peak, store.bytesUsed());
          hooks.batchDone(stats);
          hooks.progress(
              "generate",
              step.number(),
              step.batchesDone(),
              step.estimatedBatchCount(size),
              step.percentDone());
        }
      }
      LOG.debug(
          "step {} ({}): kept {} features, store {} bytes",
          step.number(),
          step.kind(),
          step.outputs().size(),
          store.bytesUsed());
    }
    return peak;
  }

  /**
   * Runs feature generation only, to learn how many columns it keeps: a cheap pilot on a few rows
   * from which a caller predicts the memory a full fit needs. Uses this engine's steps,
   * transformations, precision, {@link EngineConfig#recomputeLastStep()} and {@link
   * EngineConfig#searchMaxRows()} (the pilot's rows).
   *
   * @param names one name per input column
   * @param columns the training values, column-major, all finite
   * @param hooks batch sizing and cancellation (phase {@code "generate"})
   * @return the counts, per step and in total
   * @throws IllegalArgumentException if shapes disagree or a value is not finite
   */
  public GenerationSurvey survey(List<String> names, double[][] columns, EngineHooks hooks) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(columns, "columns");
    GuardedHooks guarded = GuardedHooks.of(hooks);
    if (columns.length == 0) {
      throw new IllegalArgumentException("need at least one input column");
    }
    int n = columns[0] == null ? 0 : columns[0].length;
    validateColumns(names, columns, n);
    long t0 = System.nanoTime();
    int searchMax = config.searchMaxRows();
    int rows = searchMax <= 0 || searchMax >= n ? n : searchMax;
    try (Lease searchLease =
        guarded.reserve(
            "search rows: a copy of " + rows + " of " + n + " rows",
            rows == n ? 0 : HeapBytes.ints(n) + HeapBytes.doubles(columns.length, rows))) {
      int[] search = searchRows(n);
      double[][] searchColumns = search == null ? columns : gather(columns, search);
      search = null;
      guarded.phaseStarted("generate", 0);
      ColumnStore store = ColumnStore.forPlan(config.precision(), rows, config.recomputeLastStep());
      GenerationOptions go =
          new GenerationOptions(
              config.featengSteps(),
              config.transformations(),
              config.precision(),
              config.batchSize());
      try (Lease storeLease =
          guarded.reserve("column store: kept columns, metadata and expressions", 0)) {
        FeatureGenerator gen =
            generator(go, store, names, symbols(names), searchColumns, storeLease, guarded, false);
        long peak = runGeneration(gen, guarded);
        guarded.checkCancelled();
        GeneratedFeatures generated;
        try (Lease filter =
            guarded.reserve(
                "generate: final filter (start features as doubles)", gen.finishBytes())) {
          generated = gen.finish();
        }
        int steps = gen.stepsStarted();
        long[] keptPerStep = gen.acceptedPerStep(steps);
        long[] candidatesPerStep = new long[steps + 1];
        for (FeatureColumn f : generated.candidates()) {
          candidatesPerStep[f.step()]++;
        }
        guarded.phaseStarted("done", store.bytesUsed());
        return new GenerationSurvey(
            rows,
            gen.engineeredCount(),
            steps,
            generated.proposed(),
            generated.computed(),
            generated.kept(),
            generated.candidates().size(),
            keptPerStep,
            candidatesPerStep,
            peak,
            System.nanoTime() - t0);
      }
    }
  }

  /** The sorted rows of the search subset, or null to search on all {@code n} rows. */
  private int[] searchRows(int n) {
    int max = config.searchMaxRows();
    if (max <= 0 || max >= n) {
      return null;
    }
    int[] perm = Rng.permutation(n, new SplittableRandom(Rng.derive(config.seed(), -2)));
    int[] rows = Arrays.copyOf(perm, max);
    Arrays.sort(rows);
    return rows;
  }

  private static double[][] gather(double[][] columns, int[] rows) {
    double[][] out = new double[columns.length][];
    for (int j = 0; j < columns.length; j++) {
      out[j] = gather(columns[j], rows);
    }
    return out;
  }

  private static double[] gather(double[] v, int[] rows) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = v[rows[i]];
    }
    return out;
  }

  /** The counts of a generation, kept after its features are dropped. */
  private static final class GenerationCounts {
    final long proposed;
    final long computed;
    final long kept;
    final long eligible;
    final int candidates;

    GenerationCounts(GeneratedFeatures g) {
      proposed = g.proposed();
      computed = g.computed();
      kept = g.kept();
      eligible = g.eligible();
      candidates = g.candidates().size();
    }
  }

  private int validate(List<String> names, double[][] columns, double[] y) {
    int n = y.length;
    validateColumns(names, columns, n);
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(y[i])) {
        throw new IllegalArgumentException(
            "target row " + i + " is " + y[i] + "; fit needs finite values");
      }
    }
    if (config.problem() == TargetKind.CLASSIFICATION && L1Models.classes(y, n).length < 2) {
      throw new IllegalArgumentException("classification needs at least 2 classes in the target");
    }
    return n;
  }

  private static void validateColumns(List<String> names, double[][] columns, int n) {
    if (names.size() != columns.length) {
      throw new IllegalArgumentException(
          names.size() + " names for " + columns.length + " columns");
    }
    if (columns.length == 0) {
      throw new IllegalArgumentException("need at least one input column");
    }
    if (n < 10) {
      throw new IllegalArgumentException("need at least 10 rows, got " + n);
    }
    for (int j = 0; j < columns.length; j++) {
      double[] c = Objects.requireNonNull(columns[j], "columns[" + j + "]");
      if (c.length != n) {
        throw new IllegalArgumentException(
            "column " + j + " (" + names.get(j) + ") has " + c.length + " rows, target has " + n);
      }
      for (int i = 0; i < n; i++) {
        if (!Double.isFinite(c[i])) {
          throw new IllegalArgumentException(
              "column "
                  + j
                  + " ("
                  + names.get(j)
                  + ") row "
                  + i
                  + " is "
                  + c[i]
                  + "; fit needs finite values");
        }
      }
    }
  }

  /**
   * The generator over the input columns and, with units and the Pi theorem on, one more start
   * feature per dimensionless group of the engineered columns that have a dimension (autofeat's
   * {@code PT} columns: they build nothing, but filter candidates and compete in selection); their
   * values are reserved while the generator copies them. With {@code decide}, the groups are told
   * to the hooks as a decision (a fit's; a pilot's survey keeps quiet).
   */
  private FeatureGenerator generator(
      GenerationOptions go,
      ColumnStore store,
      List<String> names,
      List<Expr> symbols,
      double[][] columns,
      Lease storeLease,
      GuardedHooks hooks,
      boolean decide) {
    boolean[] engineered = engineered(names);
    List<Dimension> dims = new ArrayList<>();
    for (String name : names) {
      dims.add(config.dimensions().getOrDefault(name, Dimension.NONE));
    }
    List<Expr> groups;
    try (Lease work =
        hooks.reserve("Pi theorem: exact row reduction", piWorkBytes(dims, engineered))) {
      groups = config.piTheorem() ? piGroups(symbols, dims, engineered) : List.of();
    }
    int rows = columns.length == 0 ? 0 : columns[0].length;
    long evaluation = 0;
    for (Expr g : groups) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(g, rows));
    }
    try (Lease piLease =
        hooks.reserve(
            "Pi theorem: " + groups.size() + " dimensionless columns",
            groups.size() * HeapBytes.doubles(rows) + evaluation)) {
      List<Expr> startSymbols = new ArrayList<>(symbols);
      List<double[]> startColumns = new ArrayList<>(Arrays.asList(columns));
      List<String> dropped = new ArrayList<>();
      for (Expr g : groups) {
        double[] v = ExprEvaluator.evaluate(g, columns, rows);
        // as the store will keep it: a product of huge columns can overflow a float store
        store.quantize(v);
        if (finiteAndVarying(v)) {
          startSymbols.add(g);
          startColumns.add(v);
        } else {
          dropped.add(g.toString());
        }
      }
      if (decide && !groups.isEmpty()) {
        hooks.decided(
            "Pi theorem: "
                + (groups.size() - dropped.size())
                + " dimensionless start features "
                + startSymbols.subList(symbols.size(), startSymbols.size())
                + (dropped.isEmpty()
                    ? ""
                    : "; left out, not finite or constant on the search rows: " + dropped));
      }
      boolean[] builds = engineered;
      if (startSymbols.size() > symbols.size()) {
        builds = new boolean[startSymbols.size()];
        for (int j = 0; j < symbols.size(); j++) {
          builds[j] = engineered == null || engineered[j];
        }
      }
      return new FeatureGenerator(
              go, store, startSymbols, builds, startColumns.toArray(new double[0][]), storeLease)
          .checkDimensions(new ExprDimensions(dims));
    }
  }

  /**
   * The start features the Pi theorem takes: those the steps build from that have a dimension, by
   * index.
   */
  private static List<Integer> piQuantities(List<Dimension> dims, boolean @Nullable [] engineered) {
    List<Integer> out = new ArrayList<>();
    for (int j = 0; j < dims.size(); j++) {
      if ((engineered == null || engineered[j]) && !dims.get(j).isNone()) {
        out.add(j);
      }
    }
    return out;
  }

  /**
   * The Pi theorem's groups of {@link #piQuantities}, each as a product of powers of their symbols.
   */
  private static List<Expr> piGroups(
      List<Expr> symbols, List<Dimension> dims, boolean @Nullable [] engineered) {
    List<Integer> quantities = piQuantities(dims, engineered);
    if (quantities.size() < 2) {
      return List.of();
    }
    List<long[]> groups;
    try {
      groups = PiTheorem.groups(dimensionsOf(quantities, dims));
    } catch (ArithmeticException overflow) {
      throw piOverflow(overflow);
    }
    List<Expr> out = new ArrayList<>();
    for (long[] exponents : groups) {
      List<Expr> factors = new ArrayList<>();
      for (int k = 0; k < exponents.length; k++) {
        if (exponents[k] != 0) {
          factors.add(Exprs.pow(symbols.get(quantities.get(k)), Rational.of(exponents[k])));
        }
      }
      out.add(Exprs.mulAll(factors));
    }
    return out;
  }

  /**
   * How many groups the Pi theorem finds among the start features the steps build from that have a
   * dimension: the dimensionless start features a fit adds, which its planner counts as inputs.
   *
   * @param dims one dimension per start feature ({@link Dimension#NONE} for none)
   * @param engineered which start features the steps build from, or null for all
   * @throws IllegalArgumentException if their exponents outgrow exact arithmetic
   */
  public static int piGroupCount(List<Dimension> dims, boolean @Nullable [] engineered) {
    List<Integer> quantities = piQuantities(dims, engineered);
    if (quantities.size() < 2) {
      return 0;
    }
    try {
      return PiTheorem.count(dimensionsOf(quantities, dims));
    } catch (ArithmeticException overflow) {
      throw piOverflow(overflow);
    }
  }

  private static List<Dimension> dimensionsOf(List<Integer> quantities, List<Dimension> dims) {
    List<Dimension> out = new ArrayList<>();
    for (int j : quantities) {
      out.add(dims.get(j));
    }
    return out;
  }

  private static IllegalArgumentException piOverflow(ArithmeticException overflow) {
    return new IllegalArgumentException(
        "units: the Pi theorem cannot reduce these units exactly, their exponents' fractions are"
            + " too fine; write them as simpler fractions (such as (1/3)), or turn the Pi theorem"
            + " off with applyPiTheorem(false)",
        overflow);
  }

  /** What {@link #piGroups} allocates at most for these start features. */
  private long piWorkBytes(List<Dimension> dims, boolean @Nullable [] engineered) {
    List<Integer> quantities = config.piTheorem() ? piQuantities(dims, engineered) : List.of();
    Set<String> bases = new HashSet<>();
    for (int j : quantities) {
      bases.addAll(dims.get(j).exponents().keySet());
    }
    return quantities.size() < 2 ? 0 : PiTheorem.workBytes(quantities.size(), bases.size());
  }

  /** Whether {@code v} is finite and not constant (a new column's own tests). */
  private static boolean finiteAndVarying(double[] v) {
    try {
      double std = ColumnStats.of(v, v.length).std();
      return std * std > FeatureGenerator.MIN_VARIANCE;
    } catch (IllegalArgumentException notFiniteOrEmpty) {
      return false;
    }
  }

  /**
   * Which of {@code names} feature engineering starts from ({@link EngineConfig#featengColumns}),
   * or null for all of them.
   *
   * @throws IllegalArgumentException if a configured column is not among {@code names}
   */
  private boolean @Nullable [] engineered(List<String> names) {
    java.util.Set<String> wanted = config.featengColumns();
    if (wanted == null) {
      return null;
    }
    boolean[] out = new boolean[names.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = wanted.contains(names.get(j));
    }
    for (String w : wanted) {
      if (!names.contains(w)) {
        throw new IllegalArgumentException(
            "feature engineering columns name '" + w + "', which is not an input: " + names);
      }
    }
    return out;
  }

  /**
   * Symbols named like autofeat's {@code colnames2symbols}: non-word characters removed, an {@code
   * x} in front of a leading digit, {@code x000}-style names for empty results; repeated names get
   * a {@code _<index>}.
   */
  public static List<Expr> symbols(List<String> names) {
    List<Expr> out = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String s = Objects.requireNonNull(names.get(i), "name").replaceAll("\\W+", "");
      if (s.isEmpty()) {
        s = String.format("x%03d", i);
      } else if (Character.isDigit(s.charAt(0))) {
        s = "x" + s;
      }
      if (!used.add(s)) {
        s = s + "_" + i;
        used.add(s);
      }
      out.add(Exprs.sym(i, s));
    }
    return out;
  }
}
