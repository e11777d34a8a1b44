package io.memguard.autofeat.internal.feateng;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ColumnStore} of {@code float[]} columns (half the memory of doubles); not thread-safe
 * for writers.
 */
final class FloatColumnStore implements ColumnStore {

  private final int rows;
  private final List<float[]> columns = new ArrayList<>();
  private int live;

  FloatColumnStore(int rows) {
    this.rows = rows;
  }

  @Override
  public StoragePrecision precision() {
    return StoragePrecision.FLOAT;
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
  public void quantize(double[] values) {
    for (int i = 0; i < rows; i++) {
      values[i] = (float) values[i];
    }
  }

  @Override
  public int add(double[] values) {
    if (values.length < rows) {
      throw new IllegalArgumentException(
          "column has " + values.length + " values, store needs " + rows);
    }
    float[] copy = new float[rows];
    for (int i = 0; i < rows; i++) {
      copy[i] = (float) values[i];
    }
    columns.add(copy);
    live++;
    return columns.size() - 1;
  }

  @Override
  public double[] read(int slot, double[] scratch) {
    float[] c = columns.get(slot);
    if (c == null) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    for (int i = 0; i < rows; i++) {
      scratch[i] = c[i];
    }
    return scratch;
  }

  @Override
  public double get(int slot, int row) {
    float[] c = columns.get(slot);
    if (c == null) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    return c[row];
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
