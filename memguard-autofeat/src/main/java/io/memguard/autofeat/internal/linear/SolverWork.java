package io.memguard.autofeat.internal.linear;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Arrays an L1 solver leaves behind for the next fit of the same caller: a selection run fits one
 * chunk after another, so the LARS solver's cached inner-product columns, Cholesky rows and
 * per-column vectors of one fit serve as the next fit's. A request takes a kept array of its length
 * or, failing that, the shortest longer one (the solver never reads an array's length), so a
 * narrower fit (a run's last chunk) reuses a wider one's arrays instead of allocating beside them.
 *
 * <p>What it holds (kept plus handed out) stays within {@code capBytes} as far as it can: a request
 * that finds nothing to reuse first drops kept arrays until the new one fits, and an array given
 * back is dropped when keeping it would pass the cap. So a caller that reserves the work bound of
 * the widest fit it makes ({@link L1Models#weightsWorkBytes}) and passes it as the cap holds no
 * more than it reserved, however the widths of its fits vary.
 *
 * <p>A work may name a helper ({@link #helpedBy}): a thread that takes part of the LARS solver's
 * largest loop (a new active column's inner products with every column) while the work's thread
 * does the rest, with the same bits as one thread. Not thread-safe: one per thread.
 */
public final class SolverWork {

  private static final int[] NO_LENGTHS = {};

  /** Kept arrays by length: {@code lengths} sorted, {@code kept[i]} the arrays of lengths[i]. */
  private int[] lengths = NO_LENGTHS;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private ArrayDeque<double[]>[] kept = new ArrayDeque[0];

  private int distinct;
  private long capBytes;
  private long keptBytes;
  private long outBytes;
  private @Nullable Executor helper;

  /** A work without a cap: for one-shot fits, whose arrays go when the work does. */
  public SolverWork() {
    this(Long.MAX_VALUE);
  }

  /**
   * A work that holds at most {@code capBytes} (kept and handed out), except what one fit needs
   * beyond it.
   */
  public SolverWork(long capBytes) {
    if (capBytes < 0) {
      throw new IllegalArgumentException("capBytes must be >= 0, got " + capBytes);
    }
    this.capBytes = capBytes;
  }

  /**
   * Lets {@code helper} (null: none) run part of the solver's largest loops beside the thread that
   * uses this work; the helper allocates nothing and gives the same results. Returns this work.
   */
  public SolverWork helpedBy(@Nullable Executor helper) {
    this.helper = helper;
    return this;
  }

  @Nullable Executor helper() {
    return helper;
  }

  /**
   * An array of at least {@code length} values with unspecified contents: a kept one if there is
   * one, else a new one of exactly {@code length}.
   */
  double[] doubles(int length) {
    int i = Arrays.binarySearch(lengths, 0, distinct, length);
    for (int k = i >= 0 ? i : -i - 1; k < distinct; k++) {
      double[] a = kept[k].poll();
      if (a != null) {
        long bytes = bytes(a);
        keptBytes -= bytes;
        outBytes += bytes;
        return a;
      }
    }
    long bytes = bytes(length);
    dropKeptAbove(capBytes - outBytes - bytes);
    outBytes += bytes;
    return new double[length];
  }

  /** An array of at least {@code length} values, the first {@code length} of them zero. */
  double[] zeros(int length) {
    double[] a = doubles(length);
    Arrays.fill(a, 0, length, 0);
    return a;
  }

  /** Keeps {@code a} for a later {@link #doubles} call, unless that would pass the cap. */
  void recycle(double[] a) {
    if (a == null) {
      return;
    }
    long bytes = bytes(a);
    outBytes = Math.max(0, outBytes - bytes);
    if (keptBytes + outBytes + bytes > capBytes) {
      return;
    }
    keptBytes += bytes;
    dequeFor(a.length).push(a);
  }

  private ArrayDeque<double[]> dequeFor(int length) {
    int i = Arrays.binarySearch(lengths, 0, distinct, length);
    if (i >= 0) {
      return kept[i];
    }
    int at = -i - 1;
    if (distinct == lengths.length) {
      int grown = Math.max(8, distinct * 2);
      lengths = Arrays.copyOf(lengths, grown);
      kept = Arrays.copyOf(kept, grown);
    }
    System.arraycopy(lengths, at, lengths, at + 1, distinct - at);
    System.arraycopy(kept, at, kept, at + 1, distinct - at);
    lengths[at] = length;
    kept[at] = new ArrayDeque<>();
    distinct++;
    return kept[at];
  }

  private static long bytes(double[] a) {
    return bytes(a.length);
  }

  private static long bytes(int length) {
    return 16 + 8L * length;
  }

  /**
   * Starts a new fit that may hold {@code capBytes}: drops kept arrays (the longest first) beyond
   * it. Arrays handed out before and not given back are taken as the previous fit's (its result, or
   * garbage), no longer this work's.
   */
  public void startFit(long capBytes) {
    if (capBytes < 0) {
      throw new IllegalArgumentException("capBytes must be >= 0, got " + capBytes);
    }
    this.capBytes = capBytes;
    outBytes = 0;
    dropKeptAbove(capBytes);
  }

  /** Drops kept arrays, the longest first, until they hold at most {@code limit} bytes. */
  private void dropKeptAbove(long limit) {
    for (int k = distinct - 1; k >= 0 && keptBytes > 0 && keptBytes > limit; ) {
      double[] dropped = kept[k].poll();
      if (dropped == null) {
        k--;
      } else {
        keptBytes -= bytes(dropped);
      }
    }
  }

  /** The arrays kept now. */
  public int kept() {
    int n = 0;
    for (int k = 0; k < distinct; k++) {
      n += kept[k].size();
    }
    return n;
  }

  /** The bytes of the arrays kept now. */
  public long keptBytes() {
    return keptBytes;
  }
}
