package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.math.Vectors;
import io.memguard.autofeat.internal.units.ExprDimensions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Generates autofeat's candidate features step by step; not thread-safe (one fit drives one
 * generator).
 *
 * <p>Usage: while {@link #hasNextStep()}, take {@link #nextStep()} and call {@link
 * GenerationStep#runBatch(int)} until {@link GenerationStep#hasMore()} is false; then {@link
 * #finish()} applies the final filter. Only the values of the current batch exist besides the
 * survivors kept in the {@link ColumnStore}; proposals are enumerated lazily from the step's input
 * lists.
 *
 * <p>Step schedule (autofeat 2.1.3): step 1 transforms the start features, {@code O := start + T1};
 * step 2 combines all unordered pairs of {@code O} into {@code N}; then repeatedly: transform
 * {@code N} (appending to {@code N}), combine {@code O x N} into {@code NN}, combine pairs within
 * {@code N} (appending to {@code NN}), {@code O := O + N}, {@code N := NN}. The last step builds
 * products only.
 */
public final class FeatureGenerator {

  /** A new column must have a population variance above this. */
  public static final double MIN_VARIANCE = 1e-10;

  /** A new column with |corr| to a parent below this may appear in the output. */
  public static final double ELIGIBLE_MAX_CORRELATION = 0.95;

  /** The final filter drops candidates whose |corr| with some start feature reaches this. */
  public static final double FINAL_MAX_CORRELATION = 0.9;

  private final GenerationOptions options;
  private final ColumnStore store;
  private final int rows;
  private final List<FeatureColumn> start;
  private final List<FeatureColumn> engineered;
  private final List<FeatureColumn> generated = new ArrayList<>();
  private final Set<Expr> pool = new HashSet<>();
  private final double keepMaxCorrelation;
  private final Lease storeLease;
  private long poolAccounted;
  private @Nullable ExprDimensions dimensions;

  /** The start features in the pool (those the steps build from). */
  private final int pooledStart;

  private List<FeatureColumn> old = new ArrayList<>();
  private List<FeatureColumn> current = new ArrayList<>();
  private List<FeatureColumn> next = new ArrayList<>();
  private int stepsStarted;
  private GenerationStep running;
  private boolean finished;
  private long computed;

  /** Candidates accepted per step, stored or dropped at once by the final filter. */
  private long[] acceptedPerStep = new long[1];

  private long droppedAtOnce;
  private long droppedAtOnceEligible;

  /** The start features' values, held (and reserved in the store's lease) from the last step on. */
  private double[][] startValues;

  /**
   * Creates a generator and stores the start features.
   *
   * @param options the settings
   * @param store an empty store with as many rows as the columns
   * @param symbols one symbol per start feature (usually {@code Exprs.sym(i, name)})
   * @param columns the start features' values, one array per feature
   * @throws IllegalArgumentException if sizes disagree, a value is not finite or the store is not
   *     empty
   */
  public FeatureGenerator(
      GenerationOptions options, ColumnStore store, List<Expr> symbols, double[][] columns) {
    this(options, store, symbols, null, columns, Lease.NONE);
  }

  /**
   * Creates a generator that reserves what it keeps in {@code storeLease} before it allocates it:
   * each stored column with its metadata ({@link Footprint#COLUMN_METADATA_BYTES}) and, through
   * {@link #accountPool()}, the pool of proposed expressions ({@link Footprint#EXPRESSION_BYTES}
   * each).
   *
   * @param engineered which start features the steps transform and combine (autofeat's {@code
   *     feateng_cols}), or null for all; the others are stored, filter candidates and are
   *     candidates themselves, but build nothing
   * @param storeLease the lease that holds the store's bytes; the generator grows it, the caller
   *     closes it
   * @throws IllegalArgumentException if sizes disagree, a value is not finite or the store is not
   *     empty
   */
  public FeatureGenerator(
      GenerationOptions options,
      ColumnStore store,
      List<Expr> symbols,
      boolean @Nullable [] engineered,
      double[][] columns,
      Lease storeLease) {
    this.storeLease = Objects.requireNonNull(storeLease, "storeLease");
    this.options = Objects.requireNonNull(options, "options");
    this.store = Objects.requireNonNull(store, "store");
    Objects.requireNonNull(symbols, "symbols");
    Objects.requireNonNull(columns, "columns");
    if (symbols.size() != columns.length) {
      throw new IllegalArgumentException(
          symbols.size() + " symbols for " + columns.length + " columns");
    }
    if (store.slots() != 0) {
      throw new IllegalArgumentException("store must be empty, has " + store.slots() + " slots");
    }
    this.rows = store.rows();
    this.keepMaxCorrelation = store.precision() == StoragePrecision.FLOAT ? 1.0 - 1e-6 : 1.0 - 1e-9;
    List<FeatureColumn> s = new ArrayList<>();
    for (int j = 0; j < columns.length; j++) {
      double[] c = Objects.requireNonNull(columns[j], "column");
      if (c.length != rows) {
        throw new IllegalArgumentException(
            "column " + j + " has " + c.length + " rows, expected " + rows);
      }
      long copyBytes = HeapBytes.doubles(rows);
      storeLease.grow(copyBytes + store.bytesToAdd(false) + Footprint.COLUMN_METADATA_BYTES);
      double[] copy = c.clone();
      store.quantize(copy);
      ColumnStats stats;
      try {
        stats = ColumnStats.of(copy, rows);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "column " + j + " (" + symbols.get(j) + "): " + e.getMessage(), e);
      }
      int slot = store.add(copy);
      storeLease.resize(storeLease.bytes() - copyBytes);
      s.add(new FeatureColumn(symbols.get(j), slot, stats, true, 0));
    }
    this.start = List.copyOf(s);
    if (engineered != null && engineered.length != columns.length) {
      throw new IllegalArgumentException(
          engineered.length + " engineering flags for " + columns.length + " columns");
    }
    // as autofeat's feature pool: only the columns the steps build from; a start feature that
    // builds nothing (a Pi theorem group) must not stop the steps from building the same expression
    for (int j = 0; j < symbols.size(); j++) {
      if (engineered == null || engineered[j]) {
        pool.add(symbols.get(j));
      }
    }
    pooledStart = pool.size();
    List<FeatureColumn> e = new ArrayList<>();
    for (int j = 0; j < s.size(); j++) {
      if (engineered == null || engineered[j]) {
        e.add(s.get(j));
      }
    }
    this.engineered = List.copyOf(e);
    long before = store.bytesUsed();
    storeLease.grow((long) columns.length * HeapBytes.doubles(rows));
    store.prepareRecomputation(columns.length);
    storeLease.resize(
        storeLease.bytes()
            - (long) columns.length * HeapBytes.doubles(rows)
            + (store.bytesUsed() - before));
    poolAccounted = pool.size();
  }

  /**
   * From now on, skips every proposal whose expression mixes dimensions (autofeat's unit check);
   * call before the first step.
   *
   * @param dimensions the start features' dimensions, or null for no check
   * @return this
   */
  public FeatureGenerator checkDimensions(@Nullable ExprDimensions dimensions) {
    this.dimensions = dimensions == null || !dimensions.any() ? null : dimensions;
    return this;
  }

  /** Whether {@code e} passes the unit check (always true without units). */
  boolean dimensionsAllow(Expr e) {
    return dimensions == null || dimensions.allows(e);
  }

  /** Grows the store's lease for one more kept column of {@code valueBytes} before it is stored. */
  void reserveColumn(long valueBytes) {
    storeLease.grow(valueBytes + Footprint.COLUMN_METADATA_BYTES);
  }

  /**
   * Moves the expressions proposed since the last call into the store's lease (the caller reserved
   * them for the batch that proposed them, at {@link Footprint#EXPRESSION_BYTES} each).
   */
  public void accountPool() {
    long added = pool.size() - poolAccounted;
    if (added > 0) {
      storeLease.grow(added * Footprint.EXPRESSION_BYTES);
      poolAccounted = pool.size();
    }
  }

  /** The settings. */
  public GenerationOptions options() {
    return options;
  }

  /** The store holding start features and kept candidates. */
  public ColumnStore store() {
    return store;
  }

  /** The start features. */
  public List<FeatureColumn> startFeatures() {
    return start;
  }

  /** How many start features the steps build from (all, unless some were left out). */
  public int engineeredCount() {
    return engineered.size();
  }

  /** Whether another step is to run. */
  public boolean hasNextStep() {
    return !finished && stepsStarted < options.steps() && (running == null || !running.hasMore());
  }

  /** The number of steps started so far. */
  public int stepsStarted() {
    return stepsStarted;
  }

  /**
   * Starts the next step.
   *
   * @throws IllegalStateException if the previous step still has proposals, or no step is left
   */
  public GenerationStep nextStep() {
    if (finished) {
      throw new IllegalStateException("generation already finished");
    }
    if (running != null && running.hasMore()) {
      throw new IllegalStateException("step " + running.number() + " still has proposals");
    }
    if (stepsStarted >= options.steps()) {
      throw new IllegalStateException("all " + options.steps() + " steps done");
    }
    int number = ++stepsStarted;
    List<BinaryOp> ops = number == options.steps() ? BinaryOp.PRODUCT_ONLY : BinaryOp.ALL;
    List<Transformation> ts = options.transformations();
    GenerationStep step;
    if (number == 1) {
      step = GenerationStep.transform(this, number, engineered, ts);
    } else if (number == 2) {
      step = GenerationStep.pairs(this, number, old, ops);
    } else {
      switch ((number - 3) % 3) {
        case 0 -> step = GenerationStep.transform(this, number, List.copyOf(current), ts);
        case 1 ->
            step = GenerationStep.cross(this, number, List.copyOf(old), List.copyOf(current), ops);
        default -> step = GenerationStep.pairs(this, number, List.copyOf(current), ops);
      }
    }
    running = step;
    if (number == options.steps()) {
      holdStartValues();
    }
    if (!step.hasMore()) {
      step.completeIfExhausted();
    }
    return step;
  }

  /** Called by a step once all its proposals were processed. */
  void commit(GenerationStep step, List<FeatureColumn> out) {
    int number = step.number();
    if (number == 1) {
      old = new ArrayList<>(engineered);
      old.addAll(out);
    } else if (number == 2) {
      current = new ArrayList<>(out);
    } else {
      switch ((number - 3) % 3) {
        case 0 -> current.addAll(out);
        case 1 -> next = new ArrayList<>(out);
        default -> {
          next.addAll(out);
          old.addAll(current);
          current = next;
          next = new ArrayList<>();
        }
      }
    }
  }

  /** Adds {@code e} to the pool of proposed expressions; false if it was proposed before. */
  boolean propose(Expr e) {
    return pool.add(e);
  }

  int rows() {
    return rows;
  }

  double keepMaxCorrelation() {
    return keepMaxCorrelation;
  }

  void kept(FeatureColumn f) {
    generated.add(f);
    accepted(f.step());
  }

  private void accepted(int step) {
    if (acceptedPerStep.length <= step) {
      acceptedPerStep = Arrays.copyOf(acceptedPerStep, step + 1);
    }
    acceptedPerStep[step]++;
  }

  /**
   * Copies the start features' values for the final filter, reserved in the store's lease: the last
   * step filters each candidate as it is computed, so that one the final filter would drop is never
   * stored (on diabetes with 3 steps four in five of the last step's candidates).
   */
  private void holdStartValues() {
    if (startValues != null) {
      return;
    }
    storeLease.grow(HeapBytes.doubles(start.size(), rows));
    startValues = readStartValues();
  }

  private double[][] readStartValues() {
    double[][] values = new double[start.size()][];
    for (int j = 0; j < start.size(); j++) {
      values[j] = store.read(start.get(j).slot(), new double[rows]);
    }
    return values;
  }

  /**
   * Whether the final filter keeps a candidate: eligible, not a sum at the top level, |corr| with
   * every start feature below {@link #FINAL_MAX_CORRELATION}.
   */
  private boolean finalFilterKeeps(Expr expr, boolean eligible, double[] v, ColumnStats stats) {
    return mayPassFinalFilter(expr, eligible) && uncorrelatedWithStart(v, stats);
  }

  private static boolean mayPassFinalFilter(Expr expr, boolean eligible) {
    return eligible && !expr.isAdd();
  }

  private boolean uncorrelatedWithStart(double[] v, ColumnStats stats) {
    double max = 0;
    for (int j = 0; j < start.size() && max < FINAL_MAX_CORRELATION; j++) {
      ColumnStats s = start.get(j).stats();
      double c =
          Math.abs(
              Vectors.correlation(v, stats.mean(), stats.std(), startValues[j], s.mean(), s.std()));
      max = Math.max(max, c);
    }
    return max < FINAL_MAX_CORRELATION;
  }

  /**
   * For the last step: whether a computed candidate ({@code values}, its statistics) is to be
   * stored; one the final filter drops is counted as accepted and not stored.
   */
  boolean storeLastStepCandidate(
      Expr expr, boolean eligible, double[] values, ColumnStats stats, int step) {
    if (finalFilterKeeps(expr, eligible, values, stats)) {
      return true;
    }
    accepted(step);
    droppedAtOnce++;
    if (eligible) {
      droppedAtOnceEligible++;
    }
    return false;
  }

  /**
   * Candidates accepted per step (index 0 unused): stored as building blocks or, in the last step,
   * dropped at once by the final filter.
   */
  public long[] acceptedPerStep(int steps) {
    return Arrays.copyOf(acceptedPerStep, steps + 1);
  }

  void computed(int n) {
    computed += n;
  }

  /** Features kept as building blocks so far (excluding start features), in generation order. */
  public List<FeatureColumn> generated() {
    return List.copyOf(generated);
  }

  /**
   * Bytes {@link #finish()} allocates beyond what this generator holds reserved: the start
   * features' values, unless the last step holds them already, and one scratch column.
   */
  public long finishBytes() {
    int columns = startValues == null ? start.size() + 1 : 1;
    return HeapBytes.doubles(columns, rows);
  }

  /**
   * Applies autofeat's final filter and releases every stored column that is not part of the
   * result: keeps new features that are eligible, are not a sum at the top level and whose |corr|
   * with every start feature is below 0.9.
   *
   * @throws IllegalStateException if a step is still running or finish was called before
   */
  public GeneratedFeatures finish() {
    if (finished) {
      throw new IllegalStateException("generation already finished");
    }
    if (running != null && running.hasMore()) {
      throw new IllegalStateException("step " + running.number() + " still has proposals");
    }
    finished = true;
    // the caller reserves what finishBytes() says around finish()
    boolean held = startValues != null;
    if (!held) {
      startValues = readStartValues();
    }
    double[] scratch = new double[rows];
    List<FeatureColumn> candidates = new ArrayList<>();
    long eligible = droppedAtOnceEligible;
    int last = options.steps();
    for (FeatureColumn f : generated) {
      if (f.eligible()) {
        eligible++;
      }
      // the last step stored only what passed; other columns are read only if they may pass
      boolean keep =
          f.step() == last
              || (mayPassFinalFilter(f.expr(), f.eligible())
                  && uncorrelatedWithStart(store.read(f.slot(), scratch), f.stats()));
      if (keep) {
        candidates.add(f);
      } else {
        store.release(f.slot());
      }
    }
    startValues = null;
    if (held) {
      storeLease.resize(storeLease.bytes() - HeapBytes.doubles(start.size(), rows));
    }
    store.compact();
    long kept = (long) (start.size() + candidates.size()) * Footprint.COLUMN_METADATA_BYTES;
    storeLease.resize(store.bytesUsed() + kept + pool.size() * Footprint.EXPRESSION_BYTES);
    return new GeneratedFeatures(
        store,
        start,
        List.copyOf(candidates),
        pool.size() - pooledStart,
        computed,
        generated.size() + droppedAtOnce,
        eligible);
  }
}
