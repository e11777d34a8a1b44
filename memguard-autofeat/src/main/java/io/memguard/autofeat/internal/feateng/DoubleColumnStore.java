package io.memguard.autofeat.internal.feateng;

import java.util.ArrayList;
import java.util.List;

/** A {@link ColumnStore} of {@code double[]} columns; not thread-safe for writers. */
final class DoubleColumnStore implements ColumnStore {

  private final int rows;
  private final List<double[]> columns = new ArrayList<>();
  private int live;

  DoubleColumnStore(int rows) {
    this.rows = rows;
  }

  @Override
  public StoragePrecision precision() {
    return StoragePrecision.DOUBLE;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int slots() {
    return columns.size();
  }

  @Override
  public int liveColumns() {
    return live;
  }

  @Override
  public void quantize(double[] values) {}

  @Override
  public int add(double[] values) {
    if (values.length < rows) {
      throw new IllegalArgumentException(
          "column has " + values.length + " values, store needs " + rows);
    }
    double[] copy = new double[rows];
    System.arraycopy(values, 0, copy, 0, rows);
    columns.add(copy);
    live++;
    return columns.size() - 1;
  }

  /** Always: columns of exactly {@link #rows()} values are kept as they are. */
  @Override
  public boolean takesOver(boolean recomputable) {
    return true;
  }

  @Override
  public int addTakingOver(io.memguard.autofeat.internal.expr.Expr expr, double[] values) {
    if (values.length != rows) {
      return add(values);
    }
    columns.add(values);
    live++;
    return columns.size() - 1;
  }

  @Override
  public double[] read(int slot, double[] scratch) {
    double[] c = columns.get(slot);
    if (c == null) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    return c;
  }

  @Override
  public double get(int slot, int row) {
    return read(slot, null)[row];
  }

  @Override
  public void release(int slot) {
    if (columns.get(slot) != null) {
      columns.set(slot, null);
      live--;
    }
  }

  @Override
  public boolean isLive(int slot) {
    return columns.get(slot) != null;
  }
}
