package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.expr.Expr;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A double {@link ColumnStore} that keeps a column added with {@link #addDerived} as its recipe, a
 * transformation of one stored parent or an operator on two, and computes its values from the
 * parents on every read; other columns are stored. Not thread-safe for writers, safe for concurrent
 * readers.
 *
 * <p>The normal plan uses it for the last generation step, whose columns are never parents and are
 * from half (diabetes with 3 steps: 4,449 of 9,758 columns) to four fifths (the shared synthetic
 * data) of what generation keeps. Unlike {@link RecomputingColumnStore}, which evaluates a closed
 * form from the start features and so can round differently, a read here runs the very kernel that
 * computed the column in generation on the very parent values, so selection sees the same values,
 * bit for bit, as if they were stored.
 *
 * <p>A stored column that a live derived column reads stays in the base store after {@link
 * #release} (it reads as released; {@link #bytesUsed()} still counts it) until the last derived
 * column reading it is released.
 */
final class DerivingColumnStore extends ComputingColumnStore<DoubleColumnStore> {

  private record Recipe(@Nullable Transformation t, @Nullable BinaryOp op, int x, int y) {}

  /** Per base slot: the live derived columns that read it. */
  private int[] readers = new int[16];

  /** Per base slot: released by the caller, kept for its readers. */
  private boolean[] kept = new boolean[16];

  private int derivedLive;
  private int keptForReaders;

  DerivingColumnStore(DoubleColumnStore base) {
    super(base);
  }

  @Override
  public int liveColumns() {
    return base.liveColumns() - keptForReaders + derivedLive;
  }

  /** The base store's slabs, parents kept for their readers included. */
  @Override
  public long bytesUsed() {
    return base.bytesUsed();
  }

  @Override
  public int add(double[] values) {
    int slot = super.add(values);
    int b = (Integer) slots.get(slot);
    if (b >= readers.length) {
      readers = Arrays.copyOf(readers, Math.max(b + 1, readers.length * 2));
      kept = Arrays.copyOf(kept, readers.length);
    }
    return slot;
  }

  @Override
  public int addDerived(
      Expr expr, @Nullable Transformation t, @Nullable BinaryOp op, int x, int y, double[] values) {
    if (values.length < rows()) {
      throw new IllegalArgumentException(
          "column has " + values.length + " values, store needs " + rows());
    }
    if ((t == null) == (op == null)) {
      throw new IllegalArgumentException("a derived column needs a transformation or an operator");
    }
    int bx = storedSlot(x);
    int by = t == null ? storedSlot(y) : -1;
    readers[bx]++;
    if (by >= 0) {
      readers[by]++;
    }
    derivedLive++;
    return slot(new Recipe(t, op, bx, by));
  }

  /** A closed form alone names no parents: such a column is stored. */
  @Override
  public int addRecomputable(Expr expr, double[] values) {
    return add(values);
  }

  private int storedSlot(int slot) {
    if (!(entry(slot) instanceof Integer b)) {
      throw new IllegalArgumentException("parent column " + slot + " is itself derived");
    }
    return b;
  }

  @Override
  void compute(Object entry, double[] out) {
    Recipe r = (Recipe) entry;
    base.derive(r.t(), r.op(), r.x(), r.y(), out);
  }

  /**
   * The parents' values at {@code rows} go through the kernel at those rows only; the same values
   * as the whole column's at those rows, since each value depends on its own row alone.
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
    Recipe r = (Recipe) entry;
    int m = rows.length;
    base.gatherValues(r.x(), rows, dst);
    if (r.t() != null) {
      r.t().apply(dst, 0, dst, m);
    } else {
      base.gatherValues(r.y(), rows, scratch);
      r.op().apply(dst, 0, scratch, 0, dst, m);
    }
    for (int i = 0; i < m; i++) {
      dst[i] = (dst[i] - mean) * scale;
    }
  }

  @Override
  public void release(int slot) {
    Object o = entryOrNull(slot);
    if (o == null) {
      return;
    }
    slots.set(slot, null);
    if (o instanceof Integer b) {
      if (readers[b] > 0) {
        kept[b] = true;
        keptForReaders++;
      } else {
        base.release(b);
      }
      return;
    }
    Recipe r = (Recipe) o;
    derivedLive--;
    unread(r.x());
    if (r.y() >= 0) {
      unread(r.y());
    }
  }

  private void unread(int b) {
    if (--readers[b] == 0 && kept[b]) {
      kept[b] = false;
      keptForReaders--;
      base.release(b);
    }
  }
}
