package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;

/** A {@link ColumnStore} of doubles in slabs; not thread-safe for writers. */
final class DoubleColumnStore extends SlabColumnStore {

  DoubleColumnStore(int rows) {
    super(rows, Double.BYTES);
  }

  @Override
  public StoragePrecision precision() {
    return StoragePrecision.DOUBLE;
  }

  @Override
  public void quantize(double[] values, int n) {}

  @Override
  Object newSlab(int length) {
    return new double[length];
  }

  @Override
  long slabHeapBytes(long length) {
    return HeapBytes.doubles(length);
  }

  @Override
  void write(double[] values, Object slab, int offset) {
    System.arraycopy(values, 0, (double[]) slab, offset, rows);
  }

  @Override
  void read(Object slab, int offset, double[] dst) {
    System.arraycopy((double[]) slab, offset, dst, 0, rows);
  }

  @Override
  void gather(Object slab, int offset, int[] rows, double mean, double scale, double[] dst) {
    double[] s = (double[]) slab;
    for (int i = 0; i < rows.length; i++) {
      dst[i] = (s[offset + rows[i]] - mean) * scale;
    }
  }

  @Override
  double valueAt(Object slab, int index) {
    return ((double[]) slab)[index];
  }
}
