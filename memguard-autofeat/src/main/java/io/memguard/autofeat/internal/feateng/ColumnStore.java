package io.memguard.autofeat.internal.feateng;

/**
 * Column-major storage of feature values, all columns of the same length; not thread-safe for writers (reads of
 * distinct columns may run concurrently once writing stops).
 *
 * <p>Columns get stable slot numbers; {@link #release(int)} drops a column's values but keeps its slot number
 * unused, so indices held elsewhere stay valid. Values are computed in double by callers; a float store rounds
 * them on {@link #add} and callers apply the same rounding with {@link #quantize} before testing a candidate, so
 * tests see exactly the values that will be stored.
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

    /** The storage precision. */
    StoragePrecision precision();

    /** The number of values per column. */
    int rows();

    /** The number of slots handed out so far (live and released). */
    int slots();

    /** The number of columns not yet released. */
    int liveColumns();

    /** Heap bytes one stored column costs (values only). */
    default long bytesPerColumn() {
        return (long) rows() * precision().bytesPerValue();
    }

    /** Heap bytes of all live columns. */
    default long bytesUsed() {
        return liveColumns() * bytesPerColumn();
    }

    /** Rounds {@code values} in place to what this store would keep (identity for double storage). */
    void quantize(double[] values);

    /**
     * Stores a copy of {@code values} (rounded to the store's precision).
     *
     * @return the new column's slot
     * @throws IllegalArgumentException if the length differs from {@link #rows()}
     */
    int add(double[] values);

    /**
     * The values of column {@code slot} as doubles: either the stored array itself (which the caller must not
     * modify) or {@code scratch} filled with them.
     *
     * @param scratch an array of at least {@link #rows()} values, used when the store does not hold doubles
     * @throws IllegalStateException if the column was released
     */
    double[] read(int slot, double[] scratch);

    /** One value. */
    double get(int slot, int row);

    /** Drops the values of column {@code slot}; idempotent. */
    void release(int slot);

    /** Whether column {@code slot} still holds values. */
    boolean isLive(int slot);
}
