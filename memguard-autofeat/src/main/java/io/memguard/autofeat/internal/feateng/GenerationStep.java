package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import java.util.ArrayList;
import java.util.List;

/**
 * One feature-engineering step: a lazy enumeration of proposals evaluated in batches; not
 * thread-safe.
 *
 * <p>{@link #runBatch(int)} takes the next proposals that are new (not in the pool) and allowed
 * (domain rules, at most 2 distinct values), up to the requested number, computes their values in
 * double precision from the stored parent columns, one at a time into one reusable scratch column,
 * tests each (finite, variance above 1e-10, |corr| with its parents below 1, below 0.95 to be
 * eligible) and stores each survivor at once. When the last proposal has been processed the step
 * commits its outputs to the generator's schedule and frees its scratch.
 */
public final class GenerationStep {

  /** What a step does. */
  public enum Kind {
    /** Unary transformations of each input feature. */
    TRANSFORM,
    /** Binary combinations of all unordered pairs of one list. */
    PAIRS,
    /** Binary combinations of every pair of the cartesian product of two lists. */
    CROSS
  }

  private record Proposal(
      Expr expr, Transformation t, BinaryOp op, FeatureColumn x, FeatureColumn y) {}

  private final FeatureGenerator gen;
  private final int number;
  private final Kind kind;
  private final List<FeatureColumn> a;
  private final List<FeatureColumn> b;
  private final List<Transformation> transforms;
  private final List<BinaryOp> ops;
  private final long totalRaw;
  private final List<FeatureColumn> outputs = new ArrayList<>();

  private long enumerated;
  private int ci;
  private int cj;
  private int ck;
  private boolean complete;
  private int batches;
  private long skipped;
  private double[] scratch;
  private double[] parentA;
  private double[] parentB;

  /** Scratch of {@link #evaluate}: a new column's scan and moments. */
  private final double[] moments = new double[5];

  private GenerationStep(
      FeatureGenerator gen,
      int number,
      Kind kind,
      List<FeatureColumn> a,
      List<FeatureColumn> b,
      List<Transformation> transforms,
      List<BinaryOp> ops) {
    this.gen = gen;
    this.number = number;
    this.kind = kind;
    this.a = a;
    this.b = b;
    this.transforms = transforms;
    this.ops = ops;
    long n = a.size();
    this.totalRaw =
        switch (kind) {
          case TRANSFORM -> n * transforms.size();
          case PAIRS -> n * (n - 1) / 2 * ops.size();
          case CROSS -> n * b.size() * ops.size();
        };
    if (kind == Kind.PAIRS) {
      cj = 1;
    }
  }

  static GenerationStep transform(
      FeatureGenerator g, int number, List<FeatureColumn> in, List<Transformation> ts) {
    return new GenerationStep(g, number, Kind.TRANSFORM, in, List.of(), ts, List.of());
  }

  static GenerationStep pairs(
      FeatureGenerator g, int number, List<FeatureColumn> in, List<BinaryOp> ops) {
    return new GenerationStep(g, number, Kind.PAIRS, in, List.of(), List.of(), ops);
  }

  static GenerationStep cross(
      FeatureGenerator g,
      int number,
      List<FeatureColumn> x,
      List<FeatureColumn> y,
      List<BinaryOp> ops) {
    return new GenerationStep(g, number, Kind.CROSS, x, y, List.of(), ops);
  }

  /** The 1-based step number. */
  public int number() {
    return number;
  }

  /** What this step does. */
  public Kind kind() {
    return kind;
  }

  /** Raw proposals (input x operation) in this step, before deduplication and domain rules. */
  public long proposalsTotal() {
    return totalRaw;
  }

  /** Raw proposals enumerated so far. */
  public long proposalsEnumerated() {
    return enumerated;
  }

  /** Progress, 0..100. */
  public double percentDone() {
    return totalRaw == 0 ? 100.0 : 100.0 * enumerated / totalRaw;
  }

  /** Batches run so far. */
  public int batchesDone() {
    return batches;
  }

  /**
   * An estimate of the number of batches this step needs in all if the rest runs with {@code
   * batchSize}.
   */
  public int estimatedBatchCount(int batchSize) {
    long rest = totalRaw - enumerated;
    return (int)
        Math.min(
            Integer.MAX_VALUE,
            batches + (rest + Math.max(1, batchSize) - 1) / Math.max(1, batchSize));
  }

  /** Whether proposals remain. */
  public boolean hasMore() {
    return !complete;
  }

  /** Features this step kept so far. */
  public List<FeatureColumn> outputs() {
    return List.copyOf(outputs);
  }

  /**
   * Heap bytes one more candidate in a batch costs: its storage if it is kept, its bookkeeping and
   * its expression.
   */
  public long bytesPerCandidate() {
    return bytesPerKept() + HeapBytes.refs(1) * 3 + 1 + Footprint.EXPRESSION_BYTES + 64;
  }

  /**
   * Heap bytes a batch of {@code size} candidates allocates besides what it keeps (which the
   * store's lease takes as each survivor is stored): the scratch column, the parents' values copied
   * out of the store, per-candidate bookkeeping and the expressions it proposes ({@link
   * Footprint#EXPRESSION_BYTES} each, moved into the store's lease by {@link
   * FeatureGenerator#accountPool()}).
   */
  public long batchBytes(int size) {
    int rows = gen.rows();
    long parents = 2 * HeapBytes.doubles(rows);
    return HeapBytes.doubles(rows)
        + parents
        + HeapBytes.refs(size) * 3
        + HeapBytes.booleans(size)
        + (long) size * (Footprint.EXPRESSION_BYTES + 64);
  }

  /**
   * Whether this is the last step: its features are never parents of other features, so they are
   * stored with {@link ColumnStore#addDerived} (a deriving store keeps only their recipes, a
   * recomputing store only their expressions).
   */
  public boolean isLast() {
    return number == gen.options().steps();
  }

  private long bytesPerKept() {
    return isLast() ? gen.store().bytesPerRecomputableColumn() : gen.store().bytesPerColumn();
  }

  void completeIfExhausted() {
    if (!complete && enumerated >= totalRaw) {
      complete = true;
      scratch = null;
      parentA = null;
      parentB = null;
      gen.commit(this, outputs);
    }
  }

  /**
   * Runs one batch of at most {@code maxCandidates} computed candidates.
   *
   * @param maxCandidates the batch size; values below 1 count as 1
   * @return what the batch did
   * @throws IllegalStateException if the step has no proposals left
   */
  public BatchStats runBatch(int maxCandidates) {
    if (complete) {
      throw new IllegalStateException("step " + number + " has no proposals left");
    }
    long t0 = System.nanoTime();
    int size = Math.max(1, maxCandidates);
    long skippedBefore = skipped;
    List<Proposal> batch = new ArrayList<>(Math.min(size, 4096));
    while (batch.size() < size && enumerated < totalRaw) {
      Proposal p = nextRaw();
      if (p != null) {
        batch.add(p);
      }
    }
    int rows = gen.rows();
    ensureScratch(rows);
    ColumnStore store = gen.store();
    boolean[] eligible = new boolean[1];
    int accepted = 0;
    int stored = 0;
    int elig = 0;
    // each candidate is computed into the one scratch column and stored at once if it is kept
    for (int k = 0; k < batch.size(); k++) {
      ColumnStats stats = evaluate(batch.get(k), scratch, rows, eligible);
      if (stats != null
          && isLast()
          && !gen.storeLastStepCandidate(
              batch.get(k).expr(), eligible[0], scratch, stats, number)) {
        accepted++;
        if (eligible[0]) {
          elig++;
        }
      } else if (stats != null) {
        gen.reserveColumn(store.bytesToAdd(isLast()));
        Proposal p = batch.get(k);
        int slot =
            isLast()
                ? store.addDerived(
                    p.expr(),
                    p.t(),
                    p.op(),
                    p.x().slot(),
                    p.y() == null ? -1 : p.y().slot(),
                    scratch)
                : store.add(scratch);
        FeatureColumn f = new FeatureColumn(p.expr(), slot, stats, eligible[0], number);
        outputs.add(f);
        gen.kept(f);
        accepted++;
        stored++;
        if (eligible[0]) {
          elig++;
        }
      }
    }
    gen.computed(batch.size());
    long scratchBytes = 3L * rows * Double.BYTES;
    BatchStats s =
        new BatchStats(
            "generate",
            number,
            batches++,
            batch.size(),
            accepted,
            elig,
            skipped - skippedBefore,
            scratchBytes,
            stored * bytesPerKept(),
            store.bytesUsed(),
            System.nanoTime() - t0);
    completeIfExhausted();
    return s;
  }

  private void ensureScratch(int rows) {
    if (scratch == null) {
      scratch = new double[rows];
      parentA = new double[rows];
      parentB = new double[rows];
    }
  }

  /** Advances the cursor by one raw proposal; returns it if it is new and allowed, else null. */
  private Proposal nextRaw() {
    enumerated++;
    Transformation t = null;
    BinaryOp op = null;
    FeatureColumn x;
    FeatureColumn y = null;
    switch (kind) {
      case TRANSFORM -> {
        x = a.get(ci);
        t = transforms.get(ck);
        if (++ck == transforms.size()) {
          ck = 0;
          ci++;
        }
        if (x.stats().fewDistinct() || !t.applicable(x.stats())) {
          skipped++;
          return null;
        }
      }
      case PAIRS -> {
        x = a.get(ci);
        y = a.get(cj);
        op = ops.get(ck);
        if (++ck == ops.size()) {
          ck = 0;
          if (++cj == a.size()) {
            ci++;
            cj = ci + 1;
          }
        }
      }
      default -> {
        x = a.get(ci);
        y = b.get(cj);
        op = ops.get(ck);
        if (++ck == ops.size()) {
          ck = 0;
          if (++cj == b.size()) {
            cj = 0;
            ci++;
          }
        }
      }
    }
    Expr e;
    try {
      e = t != null ? t.apply(x.expr()) : op.apply(x.expr(), y.expr());
    } catch (ArithmeticException overflow) {
      skipped++;
      return null;
    }
    if (!gen.propose(e) || e.isConstant()) {
      // duplicates are skipped; a constant is recorded in the pool and can never pass the variance
      // test
      skipped++;
      return null;
    }
    if (!gen.dimensionsAllow(e)) {
      // mixes dimensions (log of a length, a length plus a time); recorded in the pool like a
      // duplicate, since the same expression proposed again mixes them too
      skipped++;
      return null;
    }
    return new Proposal(e, t, op, x, y);
  }

  /**
   * Computes and tests one proposal into {@code out}; returns its statistics if it is kept (and
   * sets {@code eligible[0]}), else null.
   */
  private ColumnStats evaluate(Proposal p, double[] out, int n, boolean[] eligible) {
    ColumnStore store = gen.store();
    double[] xv = store.read(p.x().slot(), parentA);
    double[] yv = null;
    if (p.t() != null) {
      p.t().apply(xv, out, n);
    } else {
      yv = store.read(p.y().slot(), parentB);
      p.op().apply(xv, yv, out, n);
    }
    store.quantize(out);
    double[] acc = moments;
    if (!scan(out, n, acc)) {
      return null; // NaN or infinite
    }
    double sum = acc[0];
    double min = acc[1];
    double max = acc[2];
    boolean zero = acc[3] != 0;
    boolean third = acc[4] != 0;
    double mean = sum / n;
    ColumnStats xs = p.x().stats();
    double mx = xs.mean();
    if (yv == null) {
      crossMoments(out, mean, xv, mx, n, acc);
    } else {
      crossMoments(out, mean, xv, mx, yv, p.y().stats().mean(), n, acc);
    }
    double sxx = acc[0];
    double sxa = acc[1];
    double sxb = acc[2];
    double var = sxx / n;
    if (!(var > FeatureGenerator.MIN_VARIANCE)) {
      return null;
    }
    double std = Math.sqrt(var);
    double corr = xs.std() > 0 ? Math.abs(sxa / (n * std * xs.std())) : 0.0;
    if (yv != null && p.y().stats().std() > 0) {
      corr = Math.max(corr, Math.abs(sxb / (n * std * p.y().stats().std())));
    }
    if (!(corr < gen.keepMaxCorrelation())) {
      return null;
    }
    eligible[0] = corr < FeatureGenerator.ELIGIBLE_MAX_CORRELATION;
    return new ColumnStats(mean, std, min, max, zero, !third);
  }

  /*
   * The loops over a column's rows are small static methods: a cold JVM compiles them to optimised
   * code soon after they turn hot, where a loop inside a larger method runs with profiling until
   * the whole method is. Same arithmetic, same order.
   */

  /**
   * Scans a new column: false if a value is not finite; else acc holds its sum, min, max, whether
   * it has a zero (1 or 0) and whether it has a third distinct value (1 or 0).
   */
  private static boolean scan(double[] out, int n, double[] acc) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean zero = false;
    double v0 = out[0];
    double v1 = Double.NaN;
    boolean third = false;
    for (int i = 0; i < n; i++) {
      double v = out[i];
      if (v - v != 0.0) {
        return false;
      }
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      zero |= v == 0.0;
      if (!third && v != v0) {
        if (v1 != v1) {
          v1 = v;
        } else if (v != v1) {
          third = true;
        }
      }
    }
    acc[0] = sum;
    acc[1] = min;
    acc[2] = max;
    acc[3] = zero ? 1 : 0;
    acc[4] = third ? 1 : 0;
    return true;
  }

  /** acc[0..2] = the centred sums of out squared and of out times the parent (acc[2] = 0). */
  private static void crossMoments(
      double[] out, double mean, double[] xv, double mx, int n, double[] acc) {
    double sxx = 0;
    double sxa = 0;
    for (int i = 0; i < n; i++) {
      double d = out[i] - mean;
      sxx += d * d;
      sxa += d * (xv[i] - mx);
    }
    acc[0] = sxx;
    acc[1] = sxa;
    acc[2] = 0;
  }

  /** acc[0..2] = the centred sums of out squared, of out times each of its two parents. */
  private static void crossMoments(
      double[] out,
      double mean,
      double[] xv,
      double mx,
      double[] yv,
      double my,
      int n,
      double[] acc) {
    double sxx = 0;
    double sxa = 0;
    double sxb = 0;
    for (int i = 0; i < n; i++) {
      double d = out[i] - mean;
      sxx += d * d;
      sxa += d * (xv[i] - mx);
      sxb += d * (yv[i] - my);
    }
    acc[0] = sxx;
    acc[1] = sxa;
    acc[2] = sxb;
  }
}
