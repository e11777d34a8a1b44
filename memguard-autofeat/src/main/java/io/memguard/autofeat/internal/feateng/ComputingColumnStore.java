package io.memguard.autofeat.internal.feateng;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ColumnStore} over a base store, with slots of its own: each slot is a column of the base
 * store or a column the subclass computes whenever it is read, and values are rounded as the base
 * store rounds them. Not thread-safe for writers; safe for concurrent readers once writing stops,
 * if the subclass's computation is.
 *
 * @param <B> the base store's type
 */
abstract class ComputingColumnStore<B extends ColumnStore> implements ColumnStore {

  final B base;

  /** Per slot: an Integer (a base slot), the subclass's entry, or null once released. */
  final List<Object> slots = new ArrayList<>();

  ComputingColumnStore(B base) {
    this.base = base;
  }

  /**
   * Writes the values of a computed column, whose entry is {@code entry}, to {@code out[0, rows)}.
   */
  abstract void compute(Object entry, double[] out);

  /**
   * {@link #gather} of a computed column: the standardised values at {@code rows}.
   *
   * @param scratch at least {@link #rows()} values, overwritten
   */
  abstract void gatherComputed(
      Object entry,
      int slot,
      int[] rows,
      double mean,
      double scale,
      double[] dst,
      double[] scratch);

  @Override
  public StoragePrecision precision() {
    return base.precision();
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
  public long bytesPerColumn() {
    return base.bytesPerColumn();
  }

  @Override
  public long bytesPerRecomputableColumn() {
    return 0;
  }

  @Override
  public void quantize(double[] values, int n) {
    base.quantize(values, n);
  }

  @Override
  public int add(double[] values) {
    return slot(base.add(values));
  }

  @Override
  public long bytesToAdd(boolean recomputable) {
    return recomputable ? 0 : base.bytesToAdd(false);
  }

  @Override
  public void compact() {
    base.compact();
  }

  @Override
  public double[] read(int slot, double[] scratch) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      return base.read(b, scratch);
    }
    int n = rows();
    double[] out = scratch != null && scratch.length >= n ? scratch : new double[n];
    compute(o, out);
    return out;
  }

  @Override
  public void gather(
      int slot, int[] rows, double mean, double scale, double[] dst, double[] scratch) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      base.gather(b, rows, mean, scale, dst, scratch);
    } else {
      gatherComputed(o, slot, rows, mean, scale, dst, scratch);
    }
  }

  /** {@link #gather} by reading the whole column into {@code scratch} and picking the rows. */
  final void gatherByReading(
      int slot, int[] rows, double mean, double scale, double[] dst, double[] scratch) {
    double[] v = read(slot, scratch);
    for (int i = 0; i < rows.length; i++) {
      dst[i] = (v[rows[i]] - mean) * scale;
    }
  }

  @Override
  public double get(int slot, int row) {
    Object o = entry(slot);
    if (o instanceof Integer b) {
      return base.get(b, row);
    }
    double[] one = new double[1];
    gatherComputed(o, slot, new int[] {row}, 0.0, 1.0, one, new double[rows()]);
    return one[0];
  }

  @Override
  public boolean isLive(int slot) {
    return entryOrNull(slot) != null;
  }

  /** Adds a slot for {@code entry} (a base slot or the subclass's entry); returns its number. */
  final int slot(Object entry) {
    slots.add(entry);
    return slots.size() - 1;
  }

  /** The slot's entry, or null if it was released or never handed out. */
  final Object entryOrNull(int slot) {
    return slot >= 0 && slot < slots.size() ? slots.get(slot) : null;
  }

  /** The slot's entry. */
  final Object entry(int slot) {
    Object o = entryOrNull(slot);
    if (o == null) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    return o;
  }
}
