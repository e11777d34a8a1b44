package io.memguard.autofeat.internal.select;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.GuardedHooks;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.FeatureColumn;
import io.memguard.autofeat.internal.linear.HelperThread;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.SolverWork;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.math.Rng;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selects features from the columns of a {@link ColumnStore} following autofeat's procedure, one
 * chunk of columns at a time; not thread-safe (one instance per fit).
 *
 * <p>Each run {@code r} draws {@code m = max(10, int(0.85 n))} rows (at most {@link
 * SelectionOptions#maxRunRows()}) with a seed derived from the configured seed and {@code r}. Its
 * initial L1 fit runs, as autofeat's, on all P columns when {@link
 * SelectionOptions#initialFitAll()} allows it, P is at most {@link #MAX_INITIAL_COLUMNS_PER_ROW}
 * times m, P x m is within {@link SelectionOptions#maxFitCells()}, and the hooks grant the P x m
 * block ({@link EngineHooks#nextBatchSize} for phase {@code "select-initial"} answers at least P);
 * otherwise every column is scored by its absolute correlation with the target on the run's rows
 * (one streaming pass, O(1) memory per column) and the L1 fit runs on the best-scored chunk of
 * {@code max(10, int(0.5 m))} columns. The fit's top {@code m // 5} columns form the initial set.
 * The rest follows autofeat: noise filter of the initial set, the remaining columns in seeded
 * random order in chunks of {@code max(10, int(0.5 m - |initial|))}, each fitted with the initial
 * set and its noise columns, columns beating the largest noise weight kept, and a last noise
 * filter. Votes over the runs rank the columns (ties: shorter printed expression, then higher
 * |corr| with the target, then lower column index); a column is dropped if its |corr| with a column
 * kept above it is at least 0.9; a final noise filter on all rows gives the result.
 *
 * <p>Bounds: every width (initial fit, chunks) is capped by {@link
 * SelectionOptions#maxChunkWidth()}, by {@link SelectionOptions#maxFitCells()} divided by the rows
 * (and, for k > 2 classes, by the k one-vs-rest models a fit makes; a chunk by a quarter of it,
 * {@link #CHUNK_SHARE}, less the initial set and noise riding along, but never narrower than those
 * while the whole fit stays within the bound) and by {@link EngineHooks#nextBatchSize}. A noise
 * filter with more columns than a chunk fit holds runs in stages: the columns in groups of at most
 * that many, each group filtered against its own noise columns, until the survivors fit one filter
 * (autofeat filters all at once, which on weak-signal data with thousands of surviving candidates
 * is what makes its memory and time explode).
 *
 * <p>Memory: every array that grows with the rows or the columns is reserved with {@link
 * EngineHooks#reserve} before it is allocated and released when it is dropped: the run's rows and
 * scores, each fit's standardised columns, its noise columns and the L1 solver's work ({@link
 * L1Models#weightsWorkBytes}), the correlation filter's kept columns.
 */
public final class FeatureSelector {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureSelector.class);

  /** Columns whose |corr| with a better-ranked kept column reaches this are dropped. */
  public static final double MAX_CORRELATION = 0.9;

  /**
   * The initial L1 fit takes all columns only while they are at most this many times the run's
   * rows; wider sets are screened first (see {@link #initialFitMayTakeAll}).
   */
  public static final int MAX_INITIAL_COLUMNS_PER_ROW = 10;

  /**
   * Chunk fits (and the screened initial fit) take at most this share of the bound on a fit's
   * values: a run makes many of them and their cost grows with the square of their width (the
   * entering columns grow with it), while the one initial fit on all columns may take the whole
   * bound. Measured with the bound at 2^22: randhie with 3 steps selects in 3.4 s instead of 7.0 s
   * (test R^2 0.0807 against 0.0817), synthetic 20,000 with 3 steps in 1.2 s instead of 2.0 s (same
   * features), star98 with 3 steps in 5.7 s instead of 7.2 s (same features); a sixteenth lost 0.04
   * of R^2 on star98.
   */
  static final int CHUNK_SHARE = 4;

  /**
   * A stage of a staged noise filter that keeps more than this share of its columns ends the
   * staging.
   */
  static final double STAGE_STALL = 0.8;

  /** A noise filter refused its memory splits its columns in halves down to this many. */
  private static final int MIN_FILTER_GROUP = 10;

  /**
   * Whether a run's initial L1 fit on {@code m} rows may take all {@code columns}. Beyond {@link
   * #MAX_INITIAL_COLUMNS_PER_ROW} columns per row a Lasso on all of them picks up columns whose
   * correlation with the target is spurious, and the initial set conditions every chunk of the run;
   * sure-independence screening (Fan and Lv 2008) is the remedy for that regime. Measured on
   * diabetes subsets (docs/autofeat.md, section 4): all columns won at up to 6 columns per row,
   * screening at 17 and more.
   */
  public static boolean initialFitMayTakeAll(long columns, int m) {
    return columns <= (long) MAX_INITIAL_COLUMNS_PER_ROW * m;
  }

  /**
   * The rows one selection run draws from {@code rows}: {@code max(10, int(0.85 rows))}, at most
   * all of them.
   */
  public static int runRows(int rows) {
    return Math.min(rows, Math.max(10, (int) (0.85 * rows)));
  }

  /**
   * The rows one selection run draws from {@code rows} when runs take at most {@code maxRunRows}
   * (0: no cap).
   */
  public static int runRows(int rows, int maxRunRows) {
    int m = runRows(rows);
    return maxRunRows > 0 ? Math.min(m, Math.max(10, maxRunRows)) : m;
  }

  /**
   * The widest L1 fit a run on {@code m} rows may make under {@code maxFitCells} (0: no bound), at
   * least 10 columns.
   */
  public static int maxFitColumns(int m, long maxFitCells) {
    if (maxFitCells <= 0) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.max(10, Math.min(Integer.MAX_VALUE, maxFitCells / Math.max(1, m)));
  }

  /**
   * Heap bytes of one L1 fit of selection on {@code columns} standardised columns of {@code m}
   * rows: the columns, the array holding them and the solver's work.
   */
  public static long fitBytes(TargetKind problem, int columns, int m, PathOptions path) {
    return HeapBytes.doubles(columns, m) + L1Models.weightsWorkBytes(problem, columns, m, path);
  }

  /** The number of noise columns autofeat adds to {@code d} columns on {@code m} rows. */
  static int noiseColumns(int d, int m) {
    return (m > 50 && d > 1 ? d : 0) + Math.max(3, d / 2);
  }

  /**
   * Heap bytes of a noise filter of {@code d} columns on {@code m} rows: the columns, their noise
   * and the fit.
   */
  public static long noiseFilterBytes(TargetKind problem, int d, int m, PathOptions path) {
    int all = d + noiseColumns(d, m);
    return fitBytes(problem, all, m, path) + HeapBytes.refs(d);
  }

  private final SelectionOptions options;
  private final ColumnStore store;
  private final List<FeatureColumn> columns;
  private final double[] y;
  private final GuardedHooks hooks;
  private int[] baseRows;
  private double[] target;

  /** The binary models one L1 fit makes: 1 for regression and two classes, else one per class. */
  private int models = 1;

  /** The read buffer of the thread running a run (the store may convert values into it). */
  private final ThreadLocalBuffer buffers = new ThreadLocalBuffer();

  /**
   * Where parallel runs post their chunk fits for threads with no run left to start; null when runs
   * are not parallel. Set before the selection threads start, cleared after they end.
   */
  private @Nullable HelpBoard<RunChunks> helpBoard;

  /** The columns each selection thread keeps from one run for its next. */
  private final java.util.Map<Thread, RunCarry> carries =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Prepares a selection.
   *
   * @param options the settings
   * @param store the store holding the columns' values
   * @param columns the columns to select from (start features and candidates)
   * @param y the target, one value per store row (class labels for classification)
   * @param hooks hooks for chunk sizing, memory, progress and cancellation
   */
  private java.util.function.@org.jspecify.annotations.Nullable IntConsumer readTrace;

  /** For measurements: told the slot of every column read, in order. */
  public FeatureSelector traceReads(
      java.util.function.@org.jspecify.annotations.Nullable IntConsumer trace) {
    this.readTrace = trace;
    return this;
  }

  public FeatureSelector(
      SelectionOptions options,
      ColumnStore store,
      List<FeatureColumn> columns,
      double[] y,
      EngineHooks hooks) {
    this.options = Objects.requireNonNull(options, "options");
    this.store = Objects.requireNonNull(store, "store");
    this.columns = List.copyOf(columns);
    this.hooks = GuardedHooks.of(hooks);
    this.y = Objects.requireNonNull(y, "y");
    if (y.length != store.rows()) {
      throw new IllegalArgumentException(
          "target has " + y.length + " values, store has " + store.rows() + " rows");
    }
  }

  /** Runs the selection. */
  public SelectionResult select() {
    int p = columns.size();
    int n = store.rows();
    int nBase =
        options.maxRows() > 0 && options.maxRows() < n ? Math.max(10, options.maxRows()) : n;
    if (options.runs() <= 0 || p == 0) {
      List<Integer> ones = new ArrayList<>();
      columns.forEach(c -> ones.add(0));
      return new SelectionResult(columns, ones, p, p, nBase);
    }
    long own = HeapBytes.ints(n) + 3 * HeapBytes.doubles(n) + HeapBytes.ints(p);
    // one read buffer per thread that runs selection (the store may convert values into it)
    try (Lease base =
        hooks.reserve("select: target, row index and read buffer (" + n + " rows)", own)) {
      prepare(n);
      return aggregate(votes(p));
    } finally {
      buffers.clear();
      target = null;
      baseRows = null;
    }
  }

  private void prepare(int n) {
    int[] base = IntStream.range(0, n).toArray();
    if (options.maxRows() > 0 && options.maxRows() < n) {
      int[] perm = Rng.permutation(n, new SplittableRandom(Rng.derive(options.seed(), -1)));
      base = Arrays.copyOf(perm, Math.max(10, options.maxRows()));
      Arrays.sort(base);
    }
    baseRows = base;
    buffers.set(new double[n]);
    if (options.problem() == TargetKind.REGRESSION) {
      double mean = Vectors.mean(y);
      double std = Vectors.std(y, mean);
      double inv = std > 0 ? 1 / std : 1;
      target = new double[n];
      for (int i = 0; i < n; i++) {
        target[i] = (y[i] - mean) * inv;
      }
    } else {
      target = y.clone();
      int classes = L1Models.classes(y, n).length;
      models = classes > 2 ? classes : 1;
    }
  }

  /**
   * The bound on the values one fit may take: {@link SelectionOptions#maxFitCells()} shared by the
   * binary models a fit makes (a one-vs-rest fit of k classes goes over its matrix k times).
   */
  private long fitCells() {
    return options.maxFitCells() <= 0 ? 0 : Math.max(1, options.maxFitCells() / models);
  }

  private int[] votes(int p) {
    int[] votes = new int[p];
    int runs = options.runs();
    int threads = Math.min(options.parallelism(), runs);
    if (threads > 1) {
      int m = runRows(baseRows.length, options.maxRunRows());
      long runBytes = runBytes(m, p);
      threads =
          Math.min(
              threads, Math.max(1, hooks.nextBatchSize("select-parallel", 0, threads, runBytes)));
    }
    List<List<Integer>> picks = threads > 1 ? parallelRuns(threads) : null;
    // runs one at a time (memory holds one, or there is one): a processor left idle helps the
    // solver
    try (HelperThread helper =
            picks == null
                    && options.parallelism() > 1
                    && Runtime.getRuntime().availableProcessors() > 1
                ? solverHelper()
                : null;
        RunCarry carry = picks == null ? startCarry() : null;
        RunWork work = picks == null ? new RunWork("select") : null) {
      if (work != null) {
        work.solver.helpedBy(helper);
      }
      for (int r = 0; r < runs; r++) {
        List<Integer> picked;
        if (picks != null) {
          picked = picks.get(r);
        } else {
          hooks.checkCancelled();
          picked = run(r, work);
        }
        for (int j : picked) {
          votes[j]++;
        }
      }
    }
    return votes;
  }

  /**
   * An upper bound of what one run holds at once: its rows and scores, and its largest fit (all
   * columns up to the bound on a fit's values, with their noise and the solver).
   */
  private long runBytes(int m, int p) {
    int widest = Math.min(p, maxFitColumns(m, fitCells()));
    // the widest fit with its noise, and the columns the thread may keep for its next run
    return HeapBytes.doubles(store.rows())
        + 2 * HeapBytes.doubles(p)
        + 3 * HeapBytes.doubles(m)
        + fitBytes(options.problem(), widest, m, options.path())
        + HeapBytes.doubles(widest / 2 + 3, m)
        + HeapBytes.doubles(widest, m);
  }

  /**
   * Runs the selection runs on {@code threads} threads of their own (each run is seeded by its
   * index, so the result does not depend on which thread runs it or when); the first failure stops
   * the others and is rethrown.
   */
  private List<List<Integer>> parallelRuns(int threads) {
    int runs = options.runs();
    int rows = store.rows();
    AtomicInteger next = new AtomicInteger();
    List<List<Integer>> results =
        new ArrayList<>(java.util.Collections.nCopies(runs, (List<Integer>) null));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    HelpBoard<RunChunks> board = new HelpBoard<>(runs);
    helpBoard = board;
    Thread caller = Thread.currentThread();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try (AutoCloseable meter = hooks.threadStarted(Thread.currentThread().getName());
                    Lease buffer =
                        hooks.reserve(
                            "select: read buffer of a selection thread", HeapBytes.doubles(rows));
                    RunCarry carry = startCarry();
                    RunWork work = new RunWork("select")) {
                  buffers.set(new double[rows]);
                  for (int r = next.getAndIncrement();
                      r < runs && failure.get() == null;
                      r = next.getAndIncrement()) {
                    List<Integer> picked;
                    try {
                      hooks.checkCancelled();
                      picked = run(r, work);
                    } finally {
                      board.runEnded();
                    }
                    synchronized (results) {
                      results.set(r, picked);
                    }
                  }
                  // no run left: what the thread kept for its next run is of no use now
                  carry.close();
                  helpOtherRuns(board, work, () -> failure.get() != null);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                  board.wake();
                } finally {
                  buffers.clear();
                }
              },
              "memguard-autofeat-select-" + (t + 1) + " (" + caller.getName() + ")");
      worker.setDaemon(true);
      workers.add(worker);
    }
    boolean interrupted = false;
    try {
      workers.forEach(Thread::start);
      for (Thread worker : workers) {
        while (true) {
          try {
            worker.join();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
            failure.compareAndSet(null, e);
            board.wake();
          }
        }
      }
    } finally {
      helpBoard = null;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException re) {
      throw re;
    }
    if (e instanceof Error err) {
      throw err;
    }
    if (e != null) {
      throw new IllegalStateException("feature selection was interrupted", e);
    }
    synchronized (results) {
      return new ArrayList<>(results);
    }
  }

  /** Ranks the voted columns, filters them by correlation and by noise on all selection rows. */
  private SelectionResult aggregate(int[] votes) {
    int p = columns.size();
    int voted = 0;
    for (int v : votes) {
      if (v > 0) {
        voted++;
      }
    }
    Comparator<Integer> byVotes =
        Comparator.<Integer>comparingInt(j -> -votes[j])
            .thenComparingInt(j -> columns.get(j).name().length());
    int[] rows = baseRows;
    long rowBytes = HeapBytes.doubles(rows.length);
    List<Integer> kept;
    // in the correlation filter, ties of votes and printed length go to the column closer to the
    // target
    // (autofeat falls back to column order); the survivors then go on in autofeat's order
    try (Lease ranking =
        hooks.reserve(
            "select: ranking of " + voted + " voted columns",
            HeapBytes.doubles(p)
                + 3 * rowBytes
                + 3 * HeapBytes.refs(voted)
                + 16L * voted
                + HeapBytes.ints(voted))) {
      // reserved first: the boxed ranking grows with the voted columns (its array beside the
      // stream's buffer of up to twice as many, or the sort's, the boxes, and the screened columns'
      // indices); it dies with the lease
      Integer[] ranked =
          IntStream.range(0, p).filter(j -> votes[j] > 0).boxed().toArray(Integer[]::new);
      double[] yRows = gather(target, rows);
      double[] affinity =
          screen(Arrays.stream(ranked).mapToInt(Integer::intValue).toArray(), rows, yRows);
      Arrays.sort(ranked, byVotes.thenComparingDouble(j -> -affinity[j]).thenComparingInt(j -> j));
      hooks.checkCancelled();
      kept = correlationFilter(ranked);
    }
    kept.sort(byVotes.thenComparingInt(j -> j));
    List<Integer> finalCols;
    try (Lease rowsLease =
        hooks.reserve("select: target on the " + rows.length + " selection rows", rowBytes)) {
      double[] yRows = gather(target, rows);
      int group = filterGroup(0, kept.size(), rows.length);
      finalCols =
          stagedNoiseFilter(
              kept,
              rows,
              yRows,
              new SplittableRandom(Rng.derive(options.seed(), 1_000_003)),
              group,
              "final noise filter",
              null);
    }
    List<FeatureColumn> selected = new ArrayList<>();
    List<Integer> v = new ArrayList<>();
    for (int j : kept) {
      if (finalCols.contains(j)) {
        selected.add(columns.get(j));
        v.add(votes[j]);
      }
    }
    hooks.progress("select", 0, 1, 1, 100.0);
    LOG.debug(
        "selection: {} columns voted, {} after correlation filter, {} selected",
        voted,
        kept.size(),
        selected.size());
    return new SelectionResult(selected, v, voted, kept.size(), rows.length);
  }

  /**
   * The most columns a noise filter of {@code d} columns on {@code rows} rows takes at once: all of
   * them when the bound on a fit's values ({@link SelectionOptions#maxFitCells()}, the filter
   * fitting about 2.5 columns per column) and the memory the hooks grant ({@code "select-filter"})
   * allow, else fewer, filtered in stages.
   */
  private int filterGroup(int step, int d, int rows) {
    if (d <= 10) {
      return Math.max(1, d);
    }
    long cap = (long) (maxFitColumns(rows, fitCells()) / 2.5);
    if (options.maxChunkWidth() > 0) {
      cap = Math.min(cap, options.maxChunkWidth());
    }
    int wanted = (int) Math.max(10, Math.min(d, cap));
    long perColumn =
        (noiseFilterBytes(options.problem(), wanted, rows, options.path()) + wanted - 1) / wanted;
    int granted = Math.max(1, hooks.nextBatchSize("select-filter", step, wanted, perColumn));
    return Math.max(Math.min(10, d), Math.min(wanted, granted));
  }

  /** One selection run; returns the indices (into {@code columns}) it selects. */
  private List<Integer> run(int r, RunWork work) {
    SplittableRandom rnd = new SplittableRandom(Rng.derive(options.seed(), r));
    int step = r + 1;
    int nBase = baseRows.length;
    int m = runRows(nBase, options.maxRunRows());
    int p = columns.size();
    String name = "select run " + step;
    long runBytes =
        HeapBytes.ints(nBase)
            + HeapBytes.ints(m)
            + 2 * HeapBytes.doubles(m)
            + 2 * HeapBytes.doubles(p)
            + HeapBytes.ints(p)
            + HeapBytes.booleans(p) * 2;
    try (Lease runLease =
        hooks.reserve(
            name + ": rows, target and scores (" + m + " rows, " + p + " columns)", runBytes)) {
      int[] perm = Rng.permutation(nBase, rnd);
      int[] rows = new int[m];
      for (int i = 0; i < m; i++) {
        rows[i] = baseRows[perm[i]];
      }
      perm = null;
      double[] yr = gather(target, rows);
      return run(step, rnd, rows, yr, name, work);
    }
  }

  private List<Integer> run(
      int step, SplittableRandom rnd, int[] rows, double[] yr, String name, RunWork work) {
    int m = rows.length;
    int p = columns.size();
    // 1. the initial fit's columns: all of them (autofeat) if there are few enough per row, the fit
    // is within
    // the bound on its values and the hooks grant the p x m block, else the chunk width of the
    // columns that
    // correlate best with the target
    int fitCap = maxFitColumns(m, fitCells());
    int chunkCap = maxFitColumns(m, fitCells() / CHUNK_SHARE);
    int width = Math.max(10, (int) (0.5 * m));
    if (options.maxChunkWidth() > 0) {
      width = Math.min(width, options.maxChunkWidth());
    }
    width = Math.min(Math.min(width, chunkCap), p);
    long columnBytes = (long) m * Double.BYTES;
    int asked = -1;
    if (width < p
        && options.initialFitAll()
        && options.maxChunkWidth() == 0
        && initialFitMayTakeAll(p, m)
        && p <= fitCap) {
      asked = Math.max(1, hooks.nextBatchSize("select-initial", step, p, columnBytes));
    }
    boolean granted = asked >= p;
    if (!granted && (asked < 0 || asked > width)) {
      // one answer per run caps the initial fit and every chunk (each a width x m block of doubles)
      asked = Math.max(1, hooks.nextBatchSize("select", step, width, columnBytes));
    }
    width = granted ? p : Math.min(width, asked);
    int[] screened =
        width == p ? IntStream.range(0, p).toArray() : topByCorrelation(rows, yr, width);

    // 2. initial L1 fit; keep at most m // 5 columns
    double[] w;
    double[][] spare;
    List<Integer> initial;
    // this fit's lease holds the columns kept from the thread's last run before they leave the
    // carry's, so no moment holds them unreserved; the solver's lease, which may still hold a wider
    // fit's bound, shrinks first, so only those columns are counted twice
    long solverBytes = L1Models.weightsWorkBytes(options.problem(), width, m, options.path());
    if (solverBytes < work.reservedBytes()) {
      work.forFit(solverBytes);
    }
    Lease spareLease = hooks.reserve(name + ": initial L1 fit (" + width + " columns)", 0);
    try {
      long spareBytes = HeapBytes.doubles(width, m);
      if (!spareLease.tryResize(spareBytes)) {
        dropCarry();
        spareLease.resize(spareBytes);
      }
      java.util.ArrayDeque<double[]> handed = handOver(width, m);
      SolverWork initialSolver = work.forFit(solverBytes);
      double[][] xScreened = new double[screened.length][];
      for (int k = 0; k < screened.length; k++) {
        double[] c = handed.poll();
        xScreened[k] = c != null ? c : new double[m];
        loadInto(screened[k], rows, xScreened[k]);
      }
      w =
          L1Models.absoluteWeights(
              options.problem(), xScreened, m, yr, options.path(), initialSolver);
      // the fit's columns become the chunks' columns: the lease keeps as many as a chunk can use
      int keep = Math.min(Math.min(width, Math.max(10, (int) (0.5 * m))), asked);
      if (options.maxChunkWidth() > 0) {
        keep = Math.min(keep, options.maxChunkWidth());
      }
      keep = Math.min(keep, Math.max(1, chunkCap));
      spare = Arrays.copyOf(xScreened, keep);
      spareLease.resize(keep * HeapBytes.doubles(m));
      initial = topWeights(screened, w, m / 5);
    } catch (Throwable e) {
      spareLease.close();
      throw e;
    }
    int screenedCount = screened.length;
    // the run's lease counts one index array of its columns: the screened ones go before the
    // columns outside the initial set are listed
    screened = null;
    w = null;
    try {
      return runChunks(
          step,
          rnd,
          rows,
          yr,
          name,
          screenedCount,
          initial,
          spare,
          spareLease,
          asked,
          chunkCap,
          work);
    } finally {
      spareLease.close();
    }
  }

  private List<Integer> runChunks(
      int step,
      SplittableRandom rnd,
      int[] rows,
      double[] yr,
      String name,
      int screenedCount,
      List<Integer> initial,
      double[][] spare,
      Lease spareLease,
      int asked,
      int chunkCap,
      RunWork work) {
    int m = rows.length;
    int p = columns.size();
    boolean[] picked = new boolean[p];
    int splits;
    initial =
        stagedNoiseFilter(
            initial,
            rows,
            yr,
            rnd,
            filterGroup(step, initial.size(), m),
            name + ": initial noise filter",
            work);

    // 3. the initial set plus its noise columns accompany every chunk
    int d = initial.size();
    int fixed = d + noiseColumns(d, m);
    int chunk = Math.max(10, (int) (0.5 * m - initial.size()));
    if (options.maxChunkWidth() > 0) {
      chunk = Math.min(chunk, options.maxChunkWidth());
    }
    // a chunk is never narrower than what accompanies it while the whole fit stays within the bound
    // on one fit: where the initial set and its noise take most of the chunks' share (many classes,
    // each a one-vs-rest model over the fit), narrower chunks would only mean more fits of the same
    // width, each judging a few new columns
    int room = Math.max(chunkCap - fixed, Math.min(fixed, maxFitColumns(m, fitCells()) - fixed));
    chunk = Math.max(1, Math.min(Math.min(chunk, asked), Math.max(1, room)));
    int othersCount = p - d;
    splits = othersCount == 0 ? 0 : (othersCount + chunk - 1) / chunk;
    int size = splits == 0 ? 0 : (othersCount + splits - 1) / splits;
    // the thread's solver work is sized for the chunks before their columns are reserved, so the
    // last fit's larger bound is not held beside them
    SolverWork chunkSolver =
        work.forFit(
            splits == 0
                ? 0
                : L1Models.weightsWorkBytes(options.problem(), size + fixed, m, options.path()));
    try (Lease fixedLease =
        hooks.reserve(
            name + ": initial set and its noise (" + fixed + " columns)",
            HeapBytes.doubles(fixed, m) + 2 * HeapBytes.refs(fixed))) {
      double[][] xInit = load(toArray(initial), rows);
      double[][] noise = noise(xInit, m, rnd);
      boolean[] inInitial = new boolean[p];
      initial.forEach(j -> inInitial[j] = true);
      int[] others = outside(inInitial);
      Rng.shuffle(others, rnd);
      initial.forEach(j -> picked[j] = true);
      int reused = Math.min(spare.length, size);
      spareLease.resize(reused * HeapBytes.doubles(m));
      long chunkBytes =
          HeapBytes.refs(size + fixed)
              + (size - reused) * HeapBytes.doubles(m)
              + HeapBytes.refs(size)
              + HeapBytes.ints(size);
      // one lease and one column block for all chunks (and the thread's solver work): each chunk
      // reuses them
      try (Lease chunkLease =
          hooks.reserve(
              name + ": chunks (" + splits + " of up to " + size + " + " + fixed + " columns)",
              splits == 0 ? 0 : chunkBytes)) {
        long leased =
            chunkLease.bytes() + fixedLease.bytes() + spareLease.bytes() + work.reservedBytes();
        double[][] chunkColumns = Arrays.copyOf(spare, size);
        RunChunks chunks =
            new RunChunks(
                step, name, rows, yr, initial, others, size, fixed, xInit, noise, picked, splits);
        fitOwnChunks(chunks, chunkColumns, chunkSolver, leased);
        keepForNextRun(step, chunkColumns, m);
      }
    }
    List<Integer> cands = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      if (picked[j]) {
        cands.add(j);
      }
    }
    List<Integer> out =
        stagedNoiseFilter(
            cands,
            rows,
            yr,
            rnd,
            filterGroup(step, cands.size(), m),
            name + ": noise filter",
            work);
    LOG.debug(
        "selection run {}: m={}, initial fit on {} of {} columns, initial={}, chunks={}, candidates={},"
            + " selected={}",
        step,
        m,
        screenedCount,
        p,
        initial.size(),
        splits,
        cands.size(),
        out.size());
    return out;
  }

  /**
   * Fits a run's chunks on its own thread, with threads that have no run left helping when runs are
   * parallel; returns once every chunk is fitted (or the first failure, rethrown).
   */
  private void fitOwnChunks(RunChunks chunks, double[][] block, SolverWork solver, long leased) {
    HelpBoard<RunChunks> board = helpBoard;
    if (board != null && chunks.count() > 1) {
      board.post(chunks);
    }
    Throwable helperFailure;
    try {
      for (int c = chunks.claim(); c >= 0; c = chunks.claim()) {
        fitAndFinish(chunks, c, block, solver, leased);
      }
    } finally {
      if (board != null) {
        board.withdraw(chunks);
      }
      helperFailure = chunks.closeAndAwait();
    }
    if (helperFailure != null) {
      throw unchecked(helperFailure);
    }
  }

  private static RuntimeException unchecked(Throwable e) {
    if (e instanceof RuntimeException re) {
      return re;
    }
    if (e instanceof Error err) {
      throw err;
    }
    return new IllegalStateException("a chunk fit of feature selection failed", e);
  }

  /**
   * Helps other runs with their chunks until no run is left (or {@code stop}); each run's chunks
   * with a column block and solver work reserved for them, stopping where they are refused.
   */
  private void helpOtherRuns(HelpBoard<RunChunks> board, RunWork work, BooleanSupplier stop)
      throws InterruptedException {
    while (true) {
      // nothing is held while waiting: the solver's arrays are sized again for the next run helped
      work.forFit(0);
      RunChunks chunks = board.await(stop);
      if (chunks == null) {
        return;
      }
      int m = chunks.rows.length;
      if (!work.tryForFit(
          L1Models.weightsWorkBytes(
              options.problem(), chunks.size + chunks.fixed, m, options.path()))) {
        return;
      }
      try (Lease lease =
          hooks.reserve(
              chunks.name + ": chunks fitted on " + Thread.currentThread().getName(), 0)) {
        if (!lease.tryResize(
            HeapBytes.refs(chunks.size + chunks.fixed)
                + chunks.size * HeapBytes.doubles(m)
                + HeapBytes.refs(chunks.size)
                + HeapBytes.ints(chunks.size))) {
          return;
        }
        double[][] block = new double[chunks.size][];
        long leased = lease.bytes() + work.reservedBytes();
        for (int c = chunks.claim(); c >= 0 && !stop.getAsBoolean(); c = chunks.claim()) {
          if (!fitAndFinish(chunks, c, block, work.solver, leased)) {
            return;
          }
        }
      }
    }
  }

  /**
   * Fits chunk {@code c} and marks it finished: false when it failed (the failure goes to the run's
   * own thread, which rethrows it); rethrows on the run's own thread.
   */
  private boolean fitAndFinish(
      RunChunks chunks, int c, double[][] block, SolverWork solver, long leased) {
    try {
      fitChunk(chunks, c, block, solver, leased);
    } catch (Throwable e) {
      // any throwable, checked ones from hooks included: a claimed chunk must always finish, or
      // the run's thread would wait for it for ever
      chunks.finished(e);
      if (chunks.owner == Thread.currentThread()) {
        throw unchecked(e);
      }
      return false;
    }
    int done = chunks.finished(null);
    // chunks finish on several threads: progress is reported in order, each count at most once
    synchronized (chunks.progressLock) {
      if (done > chunks.reported) {
        chunks.reported = done;
        hooks.progress("select", chunks.step, done, chunks.count(), 100.0 * done / chunks.count());
      }
    }
    return true;
  }

  /** Fits one chunk of a run: its columns, the run's initial set and its noise. */
  private void fitChunk(RunChunks chunks, int c, double[][] block, SolverWork solver, long leased) {
    hooks.checkCancelled();
    long t0 = System.nanoTime();
    int m = chunks.rows.length;
    int from = c * chunks.size;
    int to = Math.min(chunks.others.length, from + chunks.size);
    int[] part = Arrays.copyOfRange(chunks.others, from, to);
    double[][] xInit = chunks.xInit;
    double[][] all = new double[part.length + chunks.fixed][];
    for (int k = 0; k < part.length; k++) {
      if (block[k] == null) {
        block[k] = carried(m);
      }
      loadInto(part[k], chunks.rows, block[k]);
      all[k] = block[k];
    }
    System.arraycopy(xInit, 0, all, part.length, xInit.length);
    System.arraycopy(chunks.noise, 0, all, part.length + xInit.length, chunks.noise.length);
    double[] wc =
        L1Models.absoluteWeights(options.problem(), all, m, chunks.yr, options.path(), solver);
    double noiseMax = 0;
    for (int k = part.length + xInit.length; k < all.length; k++) {
      noiseMax = Math.max(noiseMax, wc[k]);
    }
    int accepted = chunks.pick(part, wc, noiseMax);
    hooks.batchDone(
        new BatchStats(
            "select",
            chunks.step,
            c,
            part.length,
            accepted,
            accepted,
            0,
            leased,
            0,
            store.bytesUsed(),
            System.nanoTime() - t0));
  }

  /**
   * A run's chunks: the shuffled columns outside its initial set, cut into chunks of {@code size},
   * each fitted with the initial set and its noise; what beats the noise is picked. Read-only but
   * for the picks, which are synchronized.
   */
  private static final class RunChunks extends SharedChunks {
    final int step;
    final String name;
    final int[] rows;
    final double[] yr;
    final List<Integer> initial;
    final int[] others;
    final int size;
    final int fixed;
    final double[][] xInit;
    final double[][] noise;
    final Thread owner = Thread.currentThread();
    final Object progressLock = new Object();

    /** Chunks finished as last reported to the hooks; guarded by {@link #progressLock}. */
    int reported;

    private final boolean[] picked;

    RunChunks(
        int step,
        String name,
        int[] rows,
        double[] yr,
        List<Integer> initial,
        int[] others,
        int size,
        int fixed,
        double[][] xInit,
        double[][] noise,
        boolean[] picked,
        int count) {
      super(count);
      this.step = step;
      this.name = name;
      this.rows = rows;
      this.yr = yr;
      this.initial = initial;
      this.others = others;
      this.size = size;
      this.fixed = fixed;
      this.xInit = xInit;
      this.noise = noise;
      this.picked = picked;
    }

    /** Picks the chunk's columns, and the initial set's, whose weights beat the noise. */
    synchronized int pick(int[] part, double[] w, double noiseMax) {
      int accepted = 0;
      for (int k = 0; k < part.length; k++) {
        if (w[k] > noiseMax) {
          picked[part[k]] = true;
          accepted++;
        }
      }
      for (int k = 0; k < xInit.length; k++) {
        if (w[part.length + k] > noiseMax) {
          picked[initial.get(k)] = true;
        }
      }
      return accepted;
    }
  }

  /**
   * The indices of the {@code width} columns that correlate best with the target on {@code rows},
   * sorted.
   */
  private int[] topByCorrelation(int[] rows, double[] yr, int width) {
    double[] score;
    // screening's two row vectors (the column and the centred target, or the column and each
    // row's class), for the moment they live: the run's lease has the target and the scores
    try (Lease vectors =
        hooks.reserve(
            "select: screening's row vectors (" + rows.length + " rows)",
            2 * HeapBytes.doubles(rows.length))) {
      score = screen(null, rows, yr);
    }
    double[] sorted = score.clone();
    Arrays.sort(sorted);
    // the width-th best score; ties at it go to the lower column indices
    double threshold = sorted[sorted.length - width];
    int above = 0;
    for (double s : score) {
      if (s > threshold) {
        above++;
      }
    }
    int ties = width - above;
    int[] out = new int[width];
    int k = 0;
    for (int j = 0; j < score.length; j++) {
      if (score[j] > threshold || (score[j] == threshold && ties-- > 0)) {
        out[k++] = j;
      }
    }
    return out;
  }

  /**
   * The columns whose weight is strictly above the weight at rank {@code keep} (autofeat's initial
   * set).
   */
  private static List<Integer> topWeights(int[] cols, double[] w, int keep) {
    double[] sorted = w.clone();
    Arrays.sort(sorted);
    double thr = sorted[sorted.length - 1 - Math.min(sorted.length - 1, keep)];
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < cols.length; k++) {
      if (w[k] > thr) {
        out.add(cols[k]);
      }
    }
    return out;
  }

  /**
   * |corr| with the target on {@code rows} (max over classes for classification) of the columns
   * {@code only} (null: every column); the result is indexed by column, 0 for columns not scored.
   * The caller reserves the result and the two row vectors.
   */
  private double[] screen(int[] only, int[] rows, double[] yr) {
    int p = columns.size();
    int m = rows.length;
    double[] score = new double[p];
    double[] v = new double[m];
    if (options.problem() == TargetKind.REGRESSION) {
      double ym = Vectors.mean(yr);
      double[] yc = new double[m];
      double yss = 0;
      for (int i = 0; i < m; i++) {
        yc[i] = yr[i] - ym;
        yss += yc[i] * yc[i];
      }
      int count = only != null ? only.length : p;
      for (int k = 0; k < count; k++) {
        int j = only != null ? only[k] : k;
        loadInto(j, rows, v);
        double vm = Vectors.mean(v);
        double vss = 0;
        for (int i = 0; i < m; i++) {
          double dv = v[i] - vm;
          vss += dv * dv;
        }
        double cov = Vectors.dot(v, yc, 0, m);
        score[j] = vss > 0 && yss > 0 ? Math.abs(cov) / Math.sqrt(vss * yss) : 0;
      }
      return score;
    }
    double[] classes = L1Models.classes(yr, m);
    int[] cls = new int[m];
    int[] count = new int[classes.length];
    for (int i = 0; i < m; i++) {
      cls[i] = Arrays.binarySearch(classes, yr[i]);
      count[cls[i]]++;
    }
    double[] sums = new double[classes.length];
    int total = only != null ? only.length : p;
    for (int k0 = 0; k0 < total; k0++) {
      int j = only != null ? only[k0] : k0;
      loadInto(j, rows, v);
      double vm = Vectors.mean(v);
      double vss = 0;
      Arrays.fill(sums, 0);
      for (int i = 0; i < m; i++) {
        double dv = v[i] - vm;
        vss += dv * dv;
        sums[cls[i]] += dv;
      }
      double best = 0;
      for (int k = 0; k < classes.length; k++) {
        double pk = count[k] / (double) m;
        double denom = Math.sqrt(vss * m * pk * (1 - pk));
        if (denom > 0) {
          best = Math.max(best, Math.abs(sums[k]) / denom);
        }
      }
      score[j] = best;
    }
    return score;
  }

  /**
   * autofeat's noise filter of {@code cols}, in stages when they are more than {@code group}: the
   * columns in groups of at most {@code group} (in order), each filtered on its own, then the
   * survivors again, until they fit one filter or a stage keeps more than {@link #STAGE_STALL} of
   * its columns (then its survivors are the result: the groups no longer thin each other out, and
   * more stages would only cost time).
   */
  private List<Integer> stagedNoiseFilter(
      List<Integer> cols,
      int[] rows,
      double[] yr,
      SplittableRandom rnd,
      int group,
      String what,
      @Nullable RunWork work) {
    List<Integer> current = cols;
    int stage = 0;
    while (current.size() > group) {
      stage++;
      int groups = (current.size() + group - 1) / group;
      int size = (current.size() + groups - 1) / groups;
      List<Integer> next = new ArrayList<>();
      for (int from = 0; from < current.size(); from += size) {
        hooks.checkCancelled();
        next.addAll(
            noiseFilter(
                current.subList(from, Math.min(current.size(), from + size)),
                rows,
                yr,
                rnd,
                what + " stage " + stage,
                work));
      }
      LOG.debug(
          "{} stage {}: {} columns in {} groups, {} kept",
          what,
          stage,
          current.size(),
          groups,
          next.size());
      if (next.size() > current.size() * STAGE_STALL) {
        // the groups no longer thin each other out: what beat the noise in its group is the result
        return next;
      }
      current = next;
    }
    return noiseFilter(current, rows, yr, rnd, what, work);
  }

  /**
   * Keeps the columns whose L1 weight beats every noise column's (autofeat's noise filter). When
   * the memory for more than {@link #MIN_FILTER_GROUP} columns is refused, filters them in two
   * halves instead and the survivors again, as a staged filter does (so a prediction that fell
   * short costs time, not the fit).
   */
  private List<Integer> noiseFilter(
      List<Integer> cols,
      int[] rows,
      double[] yr,
      SplittableRandom rnd,
      String what,
      @Nullable RunWork work) {
    if (cols.isEmpty()) {
      return List.of();
    }
    int m = rows.length;
    int d = cols.size();
    long bytes = noiseFilterBytes(options.problem(), d, m, options.path());
    // in a run, the solver's part is the run's work, kept from fit to fit
    long solverBytes =
        work == null
            ? 0
            : L1Models.weightsWorkBytes(
                options.problem(), d + noiseColumns(d, m), m, noiseFilterPath());
    String name = what + " (" + d + " columns, " + m + " rows)";
    if (d > MIN_FILTER_GROUP) {
      try (Lease lease = hooks.reserve(name, 0)) {
        if ((work == null || work.tryForFit(solverBytes))
            && lease.tryResize(Math.max(0, bytes - solverBytes))) {
          return reservedNoiseFilter(cols, rows, yr, rnd, solver(work));
        }
      }
      LOG.debug("{}: refused {} bytes, filtering in halves", name, bytes);
      int half = (d + 1) / 2;
      List<Integer> next =
          new ArrayList<>(noiseFilter(cols.subList(0, half), rows, yr, rnd, what, work));
      next.addAll(noiseFilter(cols.subList(half, d), rows, yr, rnd, what, work));
      if (next.isEmpty() || next.size() > d * STAGE_STALL) {
        return next;
      }
      return noiseFilter(next, rows, yr, rnd, what, work);
    }
    SolverWork solver = work == null ? new SolverWork() : work.forFit(solverBytes);
    try (Lease lease = hooks.reserve(name, Math.max(0, bytes - solverBytes))) {
      return reservedNoiseFilter(cols, rows, yr, rnd, solver);
    }
  }

  /** The noise filter of {@code cols}, its memory reserved by the caller. */
  private List<Integer> reservedNoiseFilter(
      List<Integer> cols, int[] rows, double[] yr, SplittableRandom rnd, SolverWork solver) {
    int m = rows.length;
    double[][] x = load(toArray(cols), rows);
    double[][] noise = noise(x, m, rnd);
    double[][] all = new double[x.length + noise.length][];
    System.arraycopy(x, 0, all, 0, x.length);
    System.arraycopy(noise, 0, all, x.length, noise.length);
    double[] w = L1Models.absoluteWeights(options.problem(), all, m, yr, noiseFilterPath(), solver);
    double noiseMax = 0;
    for (int k = x.length; k < all.length; k++) {
      noiseMax = Math.max(noiseMax, w[k]);
    }
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < x.length; k++) {
      if (w[k] > noiseMax) {
        out.add(cols.get(k));
      }
    }
    return out;
  }

  /**
   * Noise columns for {@code x} (d columns of m rows): if m > 50 and d > 1 a copy with all m*d
   * values pooled, shuffled and standardised per column; always {@code max(3, d / 2)} standard
   * normal columns. The pooled shuffle runs in place over the copies (the same draws as shuffling
   * one pooled array), so no pool is allocated.
   */
  static double[][] noise(double[][] x, int m, SplittableRandom rnd) {
    int d = x.length;
    boolean pooled = m > 50 && d > 1;
    int gaussians = Math.max(3, d / 2);
    double[][] out = new double[(pooled ? d : 0) + gaussians][];
    int k = 0;
    if (pooled) {
      for (int j = 0; j < d; j++) {
        out[j] = Arrays.copyOf(x[j], m);
      }
      for (long i = (long) m * d - 1; i > 0; i--) {
        long j = rnd.nextInt((int) (i + 1));
        double[] ci = out[(int) (i / m)];
        double[] cj = out[(int) (j / m)];
        int ri = (int) (i % m);
        int rj = (int) (j % m);
        double t = ci[ri];
        ci[ri] = cj[rj];
        cj[rj] = t;
      }
      for (int j = 0; j < d; j++) {
        standardise(out[j]);
      }
      k = d;
    }
    for (int j = 0; j < gaussians; j++) {
      double[] c = new double[m];
      for (int i = 0; i < m; i++) {
        c[i] = rnd.nextGaussian();
      }
      out[k++] = c;
    }
    return out;
  }

  private static void standardise(double[] c) {
    double mean = Vectors.mean(c);
    double std = Vectors.std(c, mean);
    double inv = std > 0 ? 1 / std : 0;
    for (int i = 0; i < c.length; i++) {
      c[i] = (c[i] - mean) * inv;
    }
  }

  /**
   * Ranked columns in order; each is kept unless its |corr| with a column kept before it reaches
   * 0.9 (only kept columns are compared, see quirk Q4 in docs/autofeat.md). Each kept column's
   * normalised values are reserved before they are kept.
   */
  private List<Integer> correlationFilter(Integer[] ranked) {
    List<Integer> kept = new ArrayList<>();
    List<double[]> keptValues = new ArrayList<>();
    int n = baseRows.length;
    long columnBytes = HeapBytes.doubles(n);
    try (Lease lease =
        hooks.reserve(
            "select: correlation filter of " + ranked.length + " columns",
            columnBytes + HeapBytes.refs(ranked.length))) {
      for (int j : ranked) {
        double[] v = new double[n];
        loadInto(j, baseRows, v);
        double mean = Vectors.mean(v);
        double norm = 0;
        for (int i = 0; i < n; i++) {
          v[i] -= mean;
          norm += v[i] * v[i];
        }
        if (!(norm > 0)) {
          continue;
        }
        double inv = 1 / Math.sqrt(norm);
        for (int i = 0; i < n; i++) {
          v[i] *= inv;
        }
        boolean ok = true;
        for (double[] k : keptValues) {
          if (Math.abs(Vectors.dot(v, k, 0, n)) >= MAX_CORRELATION) {
            ok = false;
            break;
          }
        }
        if (ok) {
          lease.grow(columnBytes);
          kept.add(j);
          keptValues.add(v);
        }
      }
    }
    return kept;
  }

  /**
   * The path of the noise-filter fits: for regression without glmnet's explained-deviance stop. On
   * nearly noise-free targets that stop ends the path while a small but real term (the {@code
   * 15*x1} of the synthetic set next to its large non-linear terms) still has coefficient 0, so the
   * term cannot beat the noise columns. Noise-filter fits have few columns, so the longer path is
   * cheap.
   */
  private PathOptions noiseFilterPath() {
    PathOptions path = options.path();
    return options.problem() == TargetKind.REGRESSION
        ? path.withDevianceStops(1.0, path.minDevianceChange())
        : path;
  }

  private double[][] load(int[] cols, int[] rows) {
    double[][] out = new double[cols.length][rows.length];
    for (int k = 0; k < cols.length; k++) {
      loadInto(cols[k], rows, out[k]);
    }
    return out;
  }

  /** The standardised values (global mean and std of the column) of column j at {@code rows}. */
  private void loadInto(int j, int[] rows, double[] dst) {
    FeatureColumn f = columns.get(j);
    java.util.function.IntConsumer trace = readTrace;
    if (trace != null) {
      trace.accept(f.slot());
    }
    double std = f.stats().std();
    store.gather(f.slot(), rows, f.stats().mean(), std > 0 ? 1 / std : 0, dst, buffers.get());
  }

  private static double[] gather(double[] v, int[] rows) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = v[rows[i]];
    }
    return out;
  }

  /** The indices whose flag is false, in order, in an array of exactly their number. */
  private static int[] outside(boolean[] in) {
    int count = 0;
    for (boolean b : in) {
      if (!b) {
        count++;
      }
    }
    int[] out = new int[count];
    int k = 0;
    for (int j = 0; j < in.length; j++) {
      if (!in[j]) {
        out[k++] = j;
      }
    }
    return out;
  }

  private static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Starts the calling thread's carry; closing it releases what it keeps. */
  private RunCarry startCarry() {
    RunCarry carry =
        new RunCarry(
            hooks.reserve(
                "select: run columns kept for the next run on " + Thread.currentThread().getName(),
                0),
            () -> carries.remove(Thread.currentThread()));
    carries.put(Thread.currentThread(), carry);
    return carry;
  }

  /** Lets go of the columns the thread kept from its last run, where both cannot be reserved. */
  private void dropCarry() {
    RunCarry carry = carries.get(Thread.currentThread());
    if (carry != null) {
      carry.drop();
    }
  }

  /** A column of m values: one the thread kept from its last run, else a new one. */
  private double[] carried(int m) {
    RunCarry carry = carries.get(Thread.currentThread());
    double[] c = carry == null ? null : carry.take(m);
    return c != null ? c : new double[m];
  }

  /**
   * Up to {@code count} columns of m values the thread kept from its last run, out of the carry's
   * lease: the caller has reserved them already, with what it allocates besides.
   */
  private java.util.ArrayDeque<double[]> handOver(int count, int m) {
    java.util.ArrayDeque<double[]> out = new java.util.ArrayDeque<>();
    RunCarry carry = carries.get(Thread.currentThread());
    while (carry != null && out.size() < count) {
      double[] c = carry.take(m);
      if (c == null) {
        break;
      }
      out.add(c);
    }
    return out;
  }

  /**
   * Keeps the run's chunk columns for the thread's next run (which loads as many rows), as many as
   * the hooks allow ({@code "select-carry"}), reserved before the run's own leases let them go.
   */
  private void keepForNextRun(int step, double[][] chunkColumns, int m) {
    RunCarry carry = carries.get(Thread.currentThread());
    if (carry == null || step >= options.runs()) {
      return;
    }
    int count = 0;
    while (count < chunkColumns.length && chunkColumns[count] != null) {
      count++;
    }
    if (count == 0) {
      return;
    }
    int keep =
        Math.min(count, hooks.nextBatchSize("select-carry", step, count, HeapBytes.doubles(m)));
    carry.keep(chunkColumns, keep, m);
  }

  private static SolverWork solver(@Nullable RunWork work) {
    return work == null ? new SolverWork() : work.solver;
  }

  /**
   * A thread that helps the solver of the runs on the calling thread ({@link SolverWork#helpedBy});
   * it allocates nothing of the fit's, and its allocations are metered as a selection thread's.
   */
  private HelperThread solverHelper() {
    String name = "memguard-autofeat-select-helper (" + Thread.currentThread().getName() + ")";
    return new HelperThread(
        loop -> {
          Thread t =
              new Thread(
                  () -> {
                    try (AutoCloseable meter = hooks.threadStarted(name)) {
                      loop.run();
                    } catch (Exception e) {
                      // the meter's close; the help itself never throws (HelpedLoop)
                    }
                  },
                  name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * A selection thread's solver arrays (the LARS caches, factors and vectors), kept from one fit to
   * the next, across its runs, in a lease of their own that each fit resizes to its solver's bound
   * (so a thread holds no more than when every fit had its own). Runs repeat the same widths of
   * fits, so most fits reuse an earlier one's arrays. Used by its thread only.
   */
  private final class RunWork implements AutoCloseable {
    private final Lease lease;
    private final SolverWork solver = new SolverWork(0);

    RunWork(String what) {
      lease =
          hooks.reserve(
              what + ": solver work kept between fits on " + Thread.currentThread().getName(), 0);
    }

    /** The work for a fit whose solver needs at most {@code bytes}, reserved first. */
    SolverWork forFit(long bytes) {
      lease.resize(bytes);
      solver.startFit(bytes);
      return solver;
    }

    /** Like {@link #forFit}, false (nothing changed) when the reservation is refused. */
    boolean tryForFit(long bytes) {
      if (!lease.tryResize(bytes)) {
        return false;
      }
      solver.startFit(bytes);
      return true;
    }

    long reservedBytes() {
      return lease.bytes();
    }

    @Override
    public void close() {
      solver.startFit(0);
      lease.close();
    }
  }

  /**
   * Columns of m values a selection thread keeps from one run for its next (every run loads the
   * same number of rows), reserved in a lease of their own; used by its thread only.
   */
  private static final class RunCarry implements AutoCloseable {
    private final java.util.ArrayDeque<double[]> columns = new java.util.ArrayDeque<>();
    private final Lease lease;
    private final Runnable onClose;

    RunCarry(Lease lease, Runnable onClose) {
      this.lease = lease;
      this.onClose = onClose;
    }

    /** A kept column of exactly {@code m} values, or null. */
    double[] take(int m) {
      double[] c = columns.poll();
      if (c == null) {
        return null;
      }
      lease.resize(columns.size() * HeapBytes.doubles(c.length));
      return c.length == m ? c : null;
    }

    /**
     * Keeps the first {@code count} of {@code cols} if their reservation is granted (else none:
     * they are only worth keeping when the memory is free).
     */
    void keep(double[][] cols, int count, int m) {
      if (lease.tryResize((columns.size() + (long) count) * HeapBytes.doubles(m))) {
        for (int k = 0; k < count; k++) {
          columns.add(cols[k]);
        }
      }
    }

    /** Lets go of every kept column and its reservation. */
    void drop() {
      columns.clear();
      lease.resize(0);
    }

    @Override
    public void close() {
      columns.clear();
      lease.close();
      onClose.run();
    }
  }

  /** One read buffer per thread that runs selection, set and cleared by that thread. */
  private static final class ThreadLocalBuffer {
    private final java.util.Map<Thread, double[]> byThread =
        new java.util.concurrent.ConcurrentHashMap<>();

    void set(double[] buffer) {
      byThread.put(Thread.currentThread(), buffer);
    }

    double[] get() {
      return byThread.get(Thread.currentThread());
    }

    void clear() {
      byThread.remove(Thread.currentThread());
    }
  }
}
