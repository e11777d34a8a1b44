package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;

/**
 * A {@link ColumnStore} of floats in slabs (half the memory of doubles); not thread-safe for
 * writers.
 */
final class FloatColumnStore extends SlabColumnStore {

  FloatColumnStore(int rows) {
    super(rows, Float.BYTES);
  }

  @Override
  public StoragePrecision precision() {
    return StoragePrecision.FLOAT;
  }

  @Override
  public void quantize(double[] values, int n) {
    for (int i = 0; i < n; i++) {
      values[i] = (float) values[i];
    }
  }

  @Override
  Object newSlab(int length) {
    return new float[length];
  }

  @Override
  long slabHeapBytes(long length) {
    return HeapBytes.floats(length);
  }

  @Override
  void write(double[] values, Object slab, int offset) {
    float[] s = (float[]) slab;
    for (int i = 0; i < rows; i++) {
      s[offset + i] = (float) values[i];
    }
  }

  @Override
  void read(Object slab, int offset, double[] dst) {
    float[] s = (float[]) slab;
    for (int i = 0; i < rows; i++) {
      dst[i] = s[offset + i];
    }
  }

  @Override
  void gather(Object slab, int offset, int[] rows, double mean, double scale, double[] dst) {
    float[] s = (float[]) slab;
    for (int i = 0; i < rows.length; i++) {
      dst[i] = (s[offset + rows[i]] - mean) * scale;
    }
  }

  @Override
  double valueAt(Object slab, int index) {
    return ((float[]) slab)[index];
  }
}
