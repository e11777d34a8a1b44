package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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

  /**
   * Writes {@code t(x)}, or {@code x op y} when {@code t} is null, into {@code out[0, rows)},
   * reading the parents in place with the kernel generation computed them with, so the values are
   * those it computed, bit for bit.
   */
  void derive(@Nullable Transformation t, @Nullable BinaryOp op, int x, int y, double[] out) {
    double[] xs = (double[]) slabOf(x);
    if (t != null) {
      t.apply(xs, offsetOf(x), out, rows);
    } else {
      Objects.requireNonNull(op, "op")
          .apply(xs, offsetOf(x), (double[]) slabOf(y), offsetOf(y), out, rows);
    }
  }

  /** Copies column {@code slot}'s values at {@code rows} into {@code dst[0, rows.length)}. */
  void gatherValues(int slot, int[] rows, double[] dst) {
    double[] s = (double[]) slabOf(slot);
    int offset = offsetOf(slot);
    for (int i = 0; i < rows.length; i++) {
      dst[i] = s[offset + rows[i]];
    }
  }

  @Override
  double valueAt(Object slab, int index) {
    return ((double[]) slab)[index];
  }
}
