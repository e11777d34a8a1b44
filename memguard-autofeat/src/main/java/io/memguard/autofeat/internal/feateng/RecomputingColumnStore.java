package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ColumnStore} that keeps columns added with {@link #addRecomputable} as expressions and
 * recomputes their values from the start features on every read; other columns go to a plain store.
 * Not thread-safe.
 *
 * <p>The lightweight plan uses it for the last generation step, whose features are never parents of
 * other features: the store then holds only the building blocks of earlier steps (about a fifth of
 * all kept columns on the shared data), and feature selection pays one closed-form evaluation per
 * read instead. The start features must be the first columns added, in symbol order (as {@link
 * FeatureGenerator} does), because symbol {@code i} is read from slot {@code i}.
 *
 * <p>Values are computed in double from the stored (possibly float-rounded) start features, then
 * rounded like the base store would round them. A closed form can differ from the step-by-step
 * values by rounding; a value that is not finite in closed form (possible only at the edge of a
 * domain) is replaced by the mean of the finite values of that read, so that no NaN reaches the L1
 * fits.
 */
final class RecomputingColumnStore extends ComputingColumnStore<ColumnStore> {

  private int recomputedLive;
  private double[][] symbolColumns = new double[0][];
  private long symbolBytes;

  /**
   * Evaluation temporaries kept between reads, one set per thread reading at once (selection runs
   * read from several threads): a few blocks of 8 KiB each.
   */
  private final ConcurrentLinkedQueue<ExprEvaluator.Work> works = new ConcurrentLinkedQueue<>();

  RecomputingColumnStore(ColumnStore base) {
    super(base);
  }

  @Override
  public int liveColumns() {
    return base.liveColumns() + recomputedLive;
  }

  /**
   * The stored columns' bytes plus the double copies of the start features used for recomputation.
   */
  @Override
  public long bytesUsed() {
    return base.bytesUsed() + symbolBytes;
  }

  @Override
  public int addRecomputable(Expr expr, double[] values) {
    if (values.length < rows()) {
      throw new IllegalArgumentException(
          "column has " + values.length + " values, store needs " + rows());
    }
    recomputedLive++;
    return slot(expr);
  }

  @Override
  void compute(Object entry, double[] out) {
    evaluate((Expr) entry, null, out);
    base.quantize(out);
    sanitise(out, rows());
  }

  /**
   * Evaluates a recomputed column at the asked rows only (a selection run reads a few thousand of
   * many more). Where one of them is not finite, the whole column is read as {@link #read} does, so
   * that its replacement is the mean of every row's finite values there too.
   */
  @Override
  void gatherComputed(
      Object entry,
      int slot,
      int[] rows,
      double mean,
      double scale,
      double[] dst,
      double[] scratch) {
    evaluate((Expr) entry, rows, dst);
    int m = rows.length;
    base.quantize(dst, m);
    for (int i = 0; i < m; i++) {
      double v = dst[i];
      if (!(v - v == 0.0)) {
        gatherByReading(slot, rows, mean, scale, dst, scratch);
        return;
      }
      dst[i] = (v - mean) * scale;
    }
  }

  /**
   * Evaluates {@code e} on every row into {@code out}, or with {@code rows} at those rows into its
   * first {@code rows.length} values, with temporaries kept in {@link #works} between reads.
   */
  private void evaluate(Expr e, int @Nullable [] rows, double[] out) {
    ExprEvaluator.Work polled = works.poll();
    ExprEvaluator.Work work = polled != null ? polled : new ExprEvaluator.Work();
    try {
      if (rows == null) {
        ExprEvaluator.evaluateInto(e, symbolColumns(e), rows(), out, work);
      } else {
        ExprEvaluator.evaluateRows(e, symbolColumns(e), rows, out, work);
      }
    } finally {
      works.offer(work);
    }
  }

  @Override
  public void prepareRecomputation(int symbols) {
    if (symbolColumns.length < symbols) {
      symbolColumns = Arrays.copyOf(symbolColumns, symbols);
    }
    for (int s = 0; s < symbols; s++) {
      symbolColumn(s);
    }
  }

  @Override
  public void release(int slot) {
    Object o = entryOrNull(slot);
    if (o == null) {
      return;
    }
    if (o instanceof Integer b) {
      base.release(b);
    } else {
      recomputedLive--;
    }
    slots.set(slot, null);
  }

  /**
   * The start features that {@code e} uses, as doubles indexed by symbol: the base store's arrays,
   * or converted copies (kept for later reads) when the base store holds floats.
   */
  private double[][] symbolColumns(Expr e) {
    int[] used = e.symbolArray();
    int need = used.length == 0 ? 0 : used[used.length - 1] + 1;
    if (symbolColumns.length < need) {
      symbolColumns = Arrays.copyOf(symbolColumns, need);
    }
    for (int s : used) {
      symbolColumn(s);
    }
    return symbolColumns;
  }

  private void symbolColumn(int s) {
    if (symbolColumns[s] == null) {
      if (!(slots.get(s) instanceof Integer b)) {
        throw new IllegalStateException("slot " + s + " is not the stored start feature " + s);
      }
      double[] scratch = new double[rows()];
      double[] v = base.read(b, scratch);
      symbolColumns[s] = v;
      if (v == scratch) {
        symbolBytes += HeapBytes.doubles(rows());
      }
    }
  }

  private static void sanitise(double[] v, int n) {
    double sum = 0;
    int finite = 0;
    for (int i = 0; i < n; i++) {
      if (v[i] - v[i] == 0.0) {
        sum += v[i];
        finite++;
      }
    }
    if (finite == n) {
      return;
    }
    double fill = finite == 0 ? 0.0 : sum / finite;
    for (int i = 0; i < n; i++) {
      if (!(v[i] - v[i] == 0.0)) {
        v[i] = fill;
      }
    }
  }
}
