package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import org.jspecify.annotations.Nullable;

/**
 * Column-major storage of feature values, all columns of the same length; not thread-safe for
 * writers (reads of distinct columns may run concurrently once writing stops).
 *
 * <p>Columns get stable slot numbers; {@link #release(int)} drops a column's values but keeps its
 * slot number unused, so indices held elsewhere stay valid. Values are computed in double by
 * callers; a float store rounds them on {@link #add} and callers apply the same rounding with
 * {@link #quantize} before testing a candidate, so tests see exactly the values that will be
 * stored.
 */
public interface ColumnStore {

  /** A new empty store. */
  static ColumnStore create(StoragePrecision precision, int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, was " + rows);
    }
    return switch (precision) {
      case DOUBLE -> new DoubleColumnStore(rows);
      case FLOAT -> new FloatColumnStore(rows);
    };
  }

  /**
   * A new empty store that keeps columns added with {@link #addRecomputable} as expressions only
   * and recomputes their values from the start features (slots {@code 0..d-1}, added first, in
   * symbol order) whenever they are read; other columns are stored with {@code precision}.
   */
  static ColumnStore recomputing(StoragePrecision precision, int rows) {
    return new RecomputingColumnStore(create(precision, rows));
  }

  /**
   * A new empty double store that keeps a column added with {@link #addDerived} as its recipe only
   * (the transformation or operator and its parents' slots) and computes its values from the stored
   * parents whenever it is read, with the kernel that computed them first: the same values, bit for
   * bit, without their memory. Parents stay stored while a derived column needs them, even once
   * released.
   */
  static ColumnStore deriving(int rows) {
    return new DerivingColumnStore(new DoubleColumnStore(rows));
  }

  /**
   * The store a fit's plan asks for: closed forms recomputed from the start features when it
   * recomputes its last step (the lightweight plans), else last-step columns derived from their
   * stored parents when values are doubles, else every column stored.
   */
  static ColumnStore forPlan(StoragePrecision precision, int rows, boolean recomputeLastStep) {
    if (recomputeLastStep) {
      return recomputing(precision, rows);
    }
    return precision == StoragePrecision.DOUBLE ? deriving(rows) : create(precision, rows);
  }

  /**
   * The most heap a store of {@code rows} values per column holds beyond the values of {@code
   * storedBytes} worth of columns while it grows: the room left in its last slab (a quarter of the
   * store plus a column at most, and never more than one slab).
   */
  static long slackBytes(StoragePrecision precision, int rows, double storedBytes) {
    return SlabColumnStore.slackBytes(rows, precision.bytesPerValue(), storedBytes);
  }

  /** The storage precision. */
  StoragePrecision precision();

  /** The number of values per column. */
  int rows();

  /** The number of slots handed out so far (live and released). */
  int slots();

  /** The number of columns not yet released. */
  int liveColumns();

  /** Heap bytes one stored column costs: its array of values ({@link HeapBytes}). */
  default long bytesPerColumn() {
    return precision() == StoragePrecision.DOUBLE
        ? HeapBytes.doubles(rows())
        : HeapBytes.floats(rows());
  }

  /** Heap bytes the store holds: its live columns (and columns kept for those it derives). */
  default long bytesUsed() {
    return liveColumns() * bytesPerColumn();
  }

  /** Rounds {@code values} in place to what this store would keep (identity for double storage). */
  default void quantize(double[] values) {
    quantize(values, rows());
  }

  /** Rounds the first {@code n} of {@code values} in place, as {@link #quantize(double[])} does. */
  void quantize(double[] values, int n);

  /**
   * Stores a copy of {@code values} (rounded to the store's precision).
   *
   * @return the new column's slot
   * @throws IllegalArgumentException if the length differs from {@link #rows()}
   */
  int add(double[] values);

  /**
   * Adds a column whose values can be recomputed from its closed form {@code expr} over the start
   * features. A plain store keeps a copy of {@code values} like {@link #add}; a {@link
   * #recomputing} store keeps only the expression.
   *
   * @return the new column's slot
   */
  default int addRecomputable(Expr expr, double[] values) {
    return add(values);
  }

  /**
   * Adds a last-step column: {@code t} of the column in slot {@code x}, or {@code x op y} when
   * {@code t} is null, whose closed form is {@code expr} and whose values, computed by that kernel
   * from the stored parents, are {@code values}. A {@link #deriving} store keeps only the recipe;
   * the others do what {@link #addRecomputable} does.
   *
   * @return the new column's slot
   */
  default int addDerived(
      Expr expr, @Nullable Transformation t, @Nullable BinaryOp op, int x, int y, double[] values) {
    return addRecomputable(expr, values);
  }

  /**
   * Heap bytes the next {@link #add} (or {@link #addRecomputable} when {@code recomputable})
   * allocates: a column, a whole new slab, or 0 when the values go where room is left. Reserve this
   * before adding.
   */
  default long bytesToAdd(boolean recomputable) {
    return recomputable ? bytesPerRecomputableColumn() : bytesPerColumn();
  }

  /**
   * Writes {@code (value[rows[i]] - mean) * scale} of column {@code slot} into {@code dst[i]} for
   * every i: the standardised values at a subset of rows, without copying the column first where
   * the store can read in place.
   *
   * @param scratch at least {@link #rows()} values the store may use; overwritten
   */
  default void gather(
      int slot, int[] rows, double mean, double scale, double[] dst, double[] scratch) {
    double[] v = read(slot, scratch);
    for (int i = 0; i < rows.length; i++) {
      dst[i] = (v[rows[i]] - mean) * scale;
    }
  }

  /** Gives the memory of released columns back where the store keeps it in shared arrays. */
  default void compact() {}

  /**
   * Heap bytes a column added with {@link #addRecomputable} or {@link #addDerived} costs (values
   * only; 0 when recomputed or derived).
   */
  default long bytesPerRecomputableColumn() {
    return bytesPerColumn();
  }

  /**
   * The values of column {@code slot} as doubles: either the stored array itself (which the caller
   * must not modify) or {@code scratch} filled with them.
   *
   * @param scratch an array of at least {@link #rows()} values, used when the store does not hold
   *     doubles
   * @throws IllegalStateException if the column was released
   */
  double[] read(int slot, double[] scratch);

  /**
   * Prepares reads of recomputed columns once the {@code symbols} start features are stored, so
   * that the buffers they need exist (and count in {@link #bytesUsed()}) from now on rather than on
   * the first read; a plain store does nothing.
   */
  default void prepareRecomputation(int symbols) {}

  /** One value. */
  double get(int slot, int row);

  /** Drops the values of column {@code slot}; idempotent. */
  void release(int slot);

  /** Whether column {@code slot} still holds values. */
  boolean isLive(int slot);
}
