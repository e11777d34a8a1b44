package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.expr.Expr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A double {@link ColumnStore} that keeps a column added with {@link #addDerived} as its recipe, a
 * transformation of one stored parent or an operator on two, and computes its values from the
 * parents on every read; other columns are stored. Not thread-safe for writers, safe for concurrent
 * readers.
 *
 * <p>The normal plan uses it for the last generation step, whose columns are never parents and are
 * most of what a fit keeps (on diabetes with 3 steps, 5,066 of 5,900 columns). Unlike {@link
 * RecomputingColumnStore}, which evaluates a closed form from the start features and so can round
 * differently, a read here runs the very kernel that computed the column in generation on the very
 * parent values, so selection sees the same values, bit for bit, as if they were stored.
 *
 * <p>A stored column that a live derived column reads stays in the base store after {@link
 * #release} (it reads as released; {@link #bytesUsed()} still counts it) until the last derived
 * column reading it is released.
 */
final class DerivingColumnStore implements ColumnStore {

  private record Recipe(@Nullable Transformation t, @Nullable BinaryOp op, int x, int y) {}

  private final DoubleColumnStore base;

  /** Per slot: an Integer (base slot), a Recipe (parents as base slots), or null once released. */
  private final List<Object> slots = new ArrayList<>();

  /** Per base slot: the live derived columns that read it. */
  private int[] readers = new int[16];

  /** Per base slot: released by the caller, kept for its readers. */
  private boolean[] kept = new boolean[16];

  private int derivedLive;
  private int keptForReaders;

  DerivingColumnStore(DoubleColumnStore base) {
    this.base = base;
  }

  @Override
  public StoragePrecision precision() {
    return StoragePrecision.DOUBLE;
  }

  @Override
  public int rows() {
    return base.rows();
  }

  @Override
  public int slots() {
    return slots.size();
  }

  @Override
  public int liveColumns() {
    return base.liveColumns() - keptForReaders + derivedLive;
  }

  @Override
  public long bytesPerColumn() {
    return base.bytesPerColumn();
  }

  @Override
  public long bytesPerRecomputableColumn() {
    return 0;
  }

  /** The base store's slabs, parents kept for their readers included. */
  @Override
  public long bytesUsed() {
    return base.bytesUsed();
  }

  @Override
  public void quantize(double[] values, int n) {}

  @Override
  public int add(double[] values) {
    int b = base.add(values);
    if (b >= readers.length) {
      readers = Arrays.copyOf(readers, Math.max(b + 1, readers.length * 2));
      kept = Arrays.copyOf(kept, readers.length);
    }
    slots.add(b);
    return slots.size() - 1;
  }

  @Override
  public long bytesToAdd(boolean recomputable) {
    return recomputable ? 0 : base.bytesToAdd(false);
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
    slots.add(new Recipe(t, op, bx, by));
    derivedLive++;
    return slots.size() - 1;
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
  public double[] read(int slot, double[] scratch) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      return base.read(b, scratch);
    }
    Recipe r = (Recipe) o;
    int n = rows();
    double[] out = scratch != null && scratch.length >= n ? scratch : new double[n];
    base.derive(r.t(), r.op(), r.x(), r.y(), out);
    return out;
  }

  /**
   * The parents' values at {@code rows} go through the kernel at those rows only; the same values
   * as the whole column's at those rows, since each value depends on its own row alone.
   */
  @Override
  public void gather(
      int slot, int[] rows, double mean, double scale, double[] dst, double[] scratch) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      base.gather(b, rows, mean, scale, dst, scratch);
      return;
    }
    Recipe r = (Recipe) o;
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
  public void compact() {
    base.compact();
  }

  @Override
  public double get(int slot, int row) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      return base.get(b, row);
    }
    double[] one = new double[1];
    gather(slot, new int[] {row}, 0.0, 1.0, one, new double[1]);
    return one[0];
  }

  @Override
  public void release(int slot) {
    Object o = slot >= 0 && slot < slots.size() ? slots.get(slot) : null;
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

  @Override
  public boolean isLive(int slot) {
    return slot >= 0 && slot < slots.size() && slots.get(slot) != null;
  }

  private Object entry(int slot) {
    Object o = slot >= 0 && slot < slots.size() ? slots.get(slot) : null;
    if (o == null) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    return o;
  }
}
