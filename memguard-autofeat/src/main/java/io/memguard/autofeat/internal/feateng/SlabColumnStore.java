package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.batch.HeapBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link ColumnStore} that packs columns side by side into a few large arrays (slabs) instead of
 * one array per column; not thread-safe for writers, safe for concurrent readers.
 *
 * <p>Why: a fit keeps thousands of columns for its whole search. As separate arrays each passes
 * through the young generation and is copied by every young collection until it is promoted, so
 * under G1 the store's own growth caused most of a fit's collections and pause time. A full slab is
 * whole G1 regions (about 4 MiB, never more than 1/64 of the heap), which makes it a humongous
 * object: allocated straight into the old generation, never copied, and not filling the eden that
 * triggers young collections. Each new slab holds a quarter of the columns before it, so a small
 * store stays small and at most a quarter of the store is room not yet used ({@link
 * ColumnStore#slackBytes}). Under other collectors slabs are still far fewer objects.
 *
 * <p>Reads copy a column into the caller's scratch array (as a float store always did). Released
 * columns leave holes until {@link #compact()} slides the live columns down and drops the slabs it
 * empties.
 */
abstract class SlabColumnStore implements ColumnStore {

  /** The slab size aimed at, rounded to whole G1 regions when regions are larger. */
  private static final long SLAB_BYTES = 4L << 20;

  /** A new slab holds a quarter of the columns the slabs before it hold (at least one column). */
  private static final int GROWTH_DIVISOR = 4;

  final int rows;

  /** The most columns a slab holds; at least 1. */
  private final int maxPerSlab;

  private final List<Object> slabs = new ArrayList<>();

  /** Columns each slab holds. */
  private int[] capacity = new int[16];

  /** Columns all slabs hold. */
  private long totalCapacity;

  /** Per slot: its slab, or -1 once released. */
  private int[] slabOf = new int[16];

  /** Per slot: its column within its slab. */
  private int[] columnOf = new int[16];

  private int slots;
  private int live;

  /** Where the next added column goes: a slab (possibly not allocated yet) and a column in it. */
  private int nextSlab;

  private int nextColumn;

  private long slabBytes;

  private final int valueBytes;

  SlabColumnStore(int rows, int valueBytes) {
    this.rows = rows;
    this.valueBytes = valueBytes;
    this.maxPerSlab = columnsPerSlab(rows, valueBytes);
  }

  /**
   * The most columns of {@code rows} values of {@code valueBytes} bytes one slab holds: about 4 MiB
   * (or one G1 region if regions are larger), at most 1/64 of the heap, at least one column.
   */
  static int columnsPerSlab(int rows, int valueBytes) {
    long column = Math.max(1, (long) rows * valueBytes);
    long region = HeapBytes.regionBytes();
    long target = region > SLAB_BYTES ? region : SLAB_BYTES;
    long max = Runtime.getRuntime().maxMemory();
    if (max != Long.MAX_VALUE) {
      target = Math.min(target, Math.max(column, max / 64));
    }
    // the array header shares the slab's last region: leave room for it
    long fit = Math.max(1, (target - 64) / column);
    return (int) Math.min(fit, Integer.MAX_VALUE / Math.max(1, rows));
  }

  /**
   * The most heap a store of columns of {@code rows} values of {@code valueBytes} bytes holds
   * beyond the values of {@code storedBytes} worth of columns: the room left in its last slab,
   * which is at most a quarter of the slabs before it plus one column, and at most one whole slab.
   */
  static long slackBytes(int rows, int valueBytes, double storedBytes) {
    long column = valueBytes == Double.BYTES ? HeapBytes.doubles(rows) : HeapBytes.floats(rows);
    long slab = (long) columnsPerSlab(rows, valueBytes) * rows * valueBytes + 64;
    return (long) Math.min(slab, storedBytes / GROWTH_DIVISOR + column);
  }

  /** A new slab of {@code length} values. */
  abstract Object newSlab(int length);

  /** Heap bytes of a slab of {@code length} values. */
  abstract long slabHeapBytes(long length);

  /** Writes {@code values[0, rows)} into {@code slab} from {@code offset}, rounding as stored. */
  abstract void write(double[] values, Object slab, int offset);

  /** Copies the column at {@code offset} of {@code slab} into {@code dst[0, rows)} as doubles. */
  abstract void read(Object slab, int offset, double[] dst);

  /** {@link ColumnStore#gather} of the column at {@code offset} of {@code slab}. */
  abstract void gather(
      Object slab, int offset, int[] rows, double mean, double scale, double[] dst);

  /** The value at {@code index} of {@code slab}. */
  abstract double valueAt(Object slab, int index);

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int slots() {
    return slots;
  }

  @Override
  public int liveColumns() {
    return live;
  }

  /** The slabs allocated, whole: held columns, holes and the room left in the last one. */
  @Override
  public long bytesUsed() {
    return slabBytes;
  }

  @Override
  public long bytesToAdd(boolean recomputable) {
    return nextSlab < slabs.size() ? 0 : slabHeapBytes((long) nextCapacity() * rows);
  }

  @Override
  public int add(double[] values) {
    if (values.length < rows) {
      throw new IllegalArgumentException(
          "column has " + values.length + " values, store needs " + rows);
    }
    if (nextSlab == slabs.size()) {
      int columns = nextCapacity();
      slabs.add(newSlab(columns * rows));
      if (nextSlab == capacity.length) {
        capacity = Arrays.copyOf(capacity, nextSlab * 2);
      }
      capacity[nextSlab] = columns;
      totalCapacity += columns;
      slabBytes += slabHeapBytes((long) columns * rows);
    }
    write(values, slabs.get(nextSlab), nextColumn * rows);
    if (slots == slabOf.length) {
      slabOf = Arrays.copyOf(slabOf, slots * 2);
      columnOf = Arrays.copyOf(columnOf, slots * 2);
    }
    slabOf[slots] = nextSlab;
    columnOf[slots] = nextColumn;
    advance();
    live++;
    return slots++;
  }

  @Override
  public double[] read(int slot, double[] scratch) {
    Object slab = slabOf(slot);
    double[] dst = scratch != null && scratch.length >= rows ? scratch : new double[rows];
    read(slab, columnOf[slot] * rows, dst);
    return dst;
  }

  @Override
  public void gather(
      int slot, int[] rows, double mean, double scale, double[] dst, double[] scratch) {
    Object slab = slabOf(slot);
    gather(slab, columnOf[slot] * this.rows, rows, mean, scale, dst);
  }

  @Override
  public double get(int slot, int row) {
    Object slab = slabOf(slot);
    return valueAt(slab, columnOf[slot] * rows + row);
  }

  @Override
  public void release(int slot) {
    if (isLive(slot)) {
      slabOf[slot] = -1;
      live--;
    }
  }

  @Override
  public boolean isLive(int slot) {
    return slot >= 0 && slot < slots && slabOf[slot] >= 0;
  }

  /**
   * Slides the live columns down over the holes released ones left, in slot order, and drops the
   * slabs that end up empty; no allocation.
   */
  @Override
  public void compact() {
    nextSlab = 0;
    nextColumn = 0;
    for (int s = 0; s < slots; s++) {
      int slab = slabOf[s];
      if (slab < 0) {
        continue;
      }
      if (slab != nextSlab || columnOf[s] != nextColumn) {
        System.arraycopy(
            slabs.get(slab), columnOf[s] * rows, slabs.get(nextSlab), nextColumn * rows, rows);
        slabOf[s] = nextSlab;
        columnOf[s] = nextColumn;
      }
      advance();
    }
    int keep = nextColumn == 0 ? nextSlab : nextSlab + 1;
    while (slabs.size() > keep) {
      int last = slabs.size() - 1;
      slabs.remove(last);
      totalCapacity -= capacity[last];
      slabBytes -= slabHeapBytes((long) capacity[last] * rows);
    }
  }

  private void advance() {
    if (++nextColumn == capacity[nextSlab]) {
      nextSlab++;
      nextColumn = 0;
    }
  }

  /**
   * Columns of the next slab: a quarter of those before it, within 1 and the most a slab holds; a
   * slab that G1 would make humongous is cut down to whole regions (below one region: to an
   * ordinary object) so that no region is left partly empty.
   */
  private int nextCapacity() {
    long columns = Math.max(1, Math.min(maxPerSlab, totalCapacity / GROWTH_DIVISOR));
    long column = Math.max(1, (long) rows * valueBytes);
    long region = HeapBytes.regionBytes();
    if (region > 0 && columns > 1 && columns * column + 64 >= region / 2) {
      long whole = (columns * column + 64) / region;
      long fit = whole == 0 ? (region / 2 - 64) / column : (whole * region - 64) / column;
      columns = Math.max(1, Math.min(columns, fit));
    }
    return (int) columns;
  }

  /** Where column {@code slot}'s values start in its slab ({@link #slabOf}). */
  final int offsetOf(int slot) {
    return columnOf[slot] * rows;
  }

  /** The slab holding column {@code slot}. */
  final Object slabOf(int slot) {
    if (!isLive(slot)) {
      throw new IllegalStateException("column " + slot + " was released");
    }
    return slabs.get(slabOf[slot]);
  }
}
