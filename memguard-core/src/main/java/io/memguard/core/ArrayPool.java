package io.memguard.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A pool of {@code double[]}, {@code float[]}, {@code int[]} and {@code long[]} arrays whose memory
 * the budget sees: a borrowed array is reserved in the borrower's scope, and an array kept for
 * reuse is reserved in the pool's own scope (a child of the scope the pool was built on, capped by
 * {@link Builder#maxRetained}). Lengths are rounded up to size classes, eight per power of two, so
 * a borrowed array may be up to 12.5% longer than asked, and at least 16 long (use the length you
 * asked for). Its contents are whatever the previous borrower left: the pool does not clear arrays.
 *
 * <p>Each thread keeps a small cache of small arrays (bounded by {@link Builder#threadCacheBytes});
 * the rest is shared. A thread's cache outlives neither its thread (a dead thread's arrays are
 * released when the next thread first uses the pool, or at a trim) nor the pool (it holds no
 * reference to the pool, so a thread that used a closed pool does not keep it reachable). Giving an
 * array back keeps it only while the manager's pressure is below {@link PressureLevel#ELEVATED},
 * the pool's scope has room and the array is at most {@link Builder#maxArrayBytes}; otherwise it is
 * dropped for the collector. The {@link CleanupStage#POOLS} stage (run by the emergency guard) and
 * {@link #trim()} release every kept array.
 *
 * <p>A borrow belongs to its scope: when the scope closes with arrays not given back, the close
 * returns their bytes to the budget and reports them as a reservation leak, and the pool forgets
 * them (it does not reuse them, since their borrower may still hold them). Until then the pool
 * holds each borrowed array and its reservation, so a borrow never given back in a scope that stays
 * open is counted in the scope (and in {@link ArrayPoolStats#outstandingBytes()}) but reported only
 * at its close. Giving back an array twice, or one the pool did not lend, throws {@link
 * IllegalArgumentException}, with one exception arrays cannot tell apart: a second give-back after
 * the pool has lent the same array to another borrower counts as that borrower's.
 *
 * <p>Thread-safe: any thread may borrow and any thread may give back. {@link #close()} releases
 * what the pool keeps and closes its scope; arrays still borrowed stay valid and may be given back
 * (they are then dropped). Closing twice is harmless.
 *
 * @since 0.1.0
 */
public final class ArrayPool implements AutoCloseable {

  /** Size classes: one for lengths up to 16, then eight per power of two up to 2^30. */
  private static final int CLASSES = 1 + 27 * 8;

  private static final int KINDS = 4;
  private static final int DOUBLE = 0;
  private static final int FLOAT = 1;
  private static final int INT = 2;
  private static final int LONG = 3;
  private static final String[] KIND_NAMES = {"double", "float", "int", "long"};
  private static final int[] ELEMENT_BYTES = {8, 4, 4, 8};

  /** Arrays kept per size class in each thread's cache. */
  private static final int THREAD_CACHE_SLOTS = 4;

  private final String name;
  private final MemoryScope scope;
  private final long maxArrayBytes;
  private final long threadCacheBytes;
  private final long threadCacheMaxArrayBytes;
  private final Registration trimOnPressure;

  private final List<ArrayDeque<Kept>> shelves = new ArrayList<>(KINDS * CLASSES);

  private final CopyOnWriteArrayList<ThreadCache> threadCaches = new CopyOnWriteArrayList<>();
  private final ThreadLocal<ThreadCache> threadCache;

  /** Whether the pool is closed; shared with the thread caches, which must not hold the pool. */
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Borrowed arrays by identity (arrays do not override equals or hashCode). */
  private final Map<Object, Borrow> borrowed = new ConcurrentHashMap<>();

  private final Map<MemoryScope, Boolean> watchedScopes = new ConcurrentHashMap<>();

  private final LongAdder borrows = new LongAdder();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder returns = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder forgotten = new LongAdder();
  private final LongAdder outstandingBytes = new LongAdder();
  private final LongAdder retainedBytes = new LongAdder();
  private final LongAdder trimmedBytes = new LongAdder();

  /** Returns between their check of {@code closed} and the end of their keeping: close waits. */
  private final java.util.concurrent.atomic.AtomicInteger keepsInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  private ArrayPool(Builder b) {
    this.name = b.name;
    this.maxArrayBytes = b.maxArrayBytes;
    this.threadCacheBytes = b.threadCacheBytes;
    this.threadCacheMaxArrayBytes = Math.max(0, b.threadCacheBytes / 4);
    this.scope =
        b.maxRetained != null
            ? b.parent.openChild(b.name, b.maxRetained)
            : b.parent.openChild(b.name);
    for (int i = 0; i < KINDS * CLASSES; i++) {
      shelves.add(new ArrayDeque<>());
    }
    this.threadCache = ThreadLocal.withInitial(this::newThreadCache);
    this.trimOnPressure =
        scope.registerCleanup(
            "array pool '" + name + "': release kept arrays", CleanupStage.POOLS, this::trim);
  }

  /** A builder for a pool whose scope is a child of {@code parent}. */
  public static Builder builder(MemoryScope parent) {
    return new Builder(parent);
  }

  /** The scope that holds the pool's kept arrays. */
  public MemoryScope scope() {
    return scope;
  }

  /**
   * Borrows a {@code double[]} of at least {@code length} elements, reserving its bytes in {@code
   * borrower}.
   *
   * @throws MemoryBudgetExceededException if {@code borrower} (or an ancestor, or the live heap)
   *     has no room for it, after releasing what the pool keeps
   * @throws IllegalStateException if the pool or {@code borrower} is closed
   */
  public double[] borrowDoubles(MemoryScope borrower, int length) {
    return (double[]) borrow(DOUBLE, borrower, length);
  }

  /** As {@link #borrowDoubles}, for {@code float[]}. */
  public float[] borrowFloats(MemoryScope borrower, int length) {
    return (float[]) borrow(FLOAT, borrower, length);
  }

  /** As {@link #borrowDoubles}, for {@code int[]}. */
  public int[] borrowInts(MemoryScope borrower, int length) {
    return (int[]) borrow(INT, borrower, length);
  }

  /** As {@link #borrowDoubles}, for {@code long[]}. */
  public long[] borrowLongs(MemoryScope borrower, int length) {
    return (long[]) borrow(LONG, borrower, length);
  }

  /**
   * Gives back a borrowed array: its reservation is released and the pool may keep it for the next
   * borrower. The caller must not use it afterwards.
   *
   * @throws IllegalArgumentException if this pool did not lend it or it was given back already
   */
  public void giveBack(double[] array) {
    giveBack(DOUBLE, array);
  }

  /** As {@link #giveBack(double[])}, for {@code float[]}. */
  public void giveBack(float[] array) {
    giveBack(FLOAT, array);
  }

  /** As {@link #giveBack(double[])}, for {@code int[]}. */
  public void giveBack(int[] array) {
    giveBack(INT, array);
  }

  /** As {@link #giveBack(double[])}, for {@code long[]}. */
  public void giveBack(long[] array) {
    giveBack(LONG, array);
  }

  /**
   * Releases every kept array (the shared shelves and every thread's cache) and their reservations.
   *
   * @return the bytes released
   */
  public long trim() {
    long released = 0;
    for (ThreadCache c : threadCaches) {
      released += drain(c);
      if (!c.ownerAlive()) {
        threadCaches.remove(c);
      }
    }
    for (ArrayDeque<Kept> shelf : shelves) {
      for (; ; ) {
        Kept k;
        synchronized (shelf) {
          k = shelf.pollLast();
        }
        if (k == null) {
          break;
        }
        released += release(k);
      }
    }
    if (released > 0) {
      trimmedBytes.add(released);
    }
    return released;
  }

  /** The counters now. */
  public ArrayPoolStats stats() {
    return new ArrayPoolStats(
        borrows.sum(),
        hits.sum(),
        misses.sum(),
        returns.sum(),
        dropped.sum(),
        forgotten.sum(),
        outstandingBytes.sum(),
        retainedBytes.sum(),
        trimmedBytes.sum());
  }

  /** Releases what the pool keeps and closes its scope; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // a return that saw the pool open may hold a reservation in the pool's scope that is not on a
    // shelf yet: let it finish (a few hundred nanoseconds, no blocking), or the scope's close would
    // report that reservation as a leak (a close from a pressure listener inside such a return, on
    // the same thread, waits at most 10 ms and then goes on)
    long deadline = System.nanoTime() + 10_000_000L; // bounded: a return on this very thread
    while (keepsInFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    trimOnPressure.close();
    trim();
    threadCaches.clear();
    scope.close();
  }

  @Override
  public String toString() {
    return "ArrayPool[" + scope.path() + ", " + stats() + "]";
  }

  private Object borrow(int kind, MemoryScope borrower, int length) {
    Objects.requireNonNull(borrower, "borrower");
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, got " + length);
    }
    if (closed.get()) {
      throw new IllegalStateException(
          "array pool '" + scope.path() + "' is closed; borrow from an open pool");
    }
    int cls = classIndex(length);
    int classLength = classLength(cls);
    long bytes = arrayBytes(kind, classLength);
    if (bytes > maxArrayBytes || classLength < length) {
      cls = -1;
      classLength = length;
      bytes = arrayBytes(kind, length);
    }
    Reservation reservation = reserveForBorrower(borrower, bytes);
    Object array;
    try {
      Kept kept = cls < 0 ? null : take(kind, cls, bytes);
      if (kept != null) {
        release(kept);
        hits.increment();
        array = kept.array;
      } else {
        misses.increment();
        array = allocate(kind, classLength);
      }
    } catch (Throwable e) {
      reservation.close();
      throw e;
    }
    borrowed.put(array, new Borrow(cls, borrower, reservation, bytes));
    borrows.increment();
    outstandingBytes.add(bytes);
    watch(borrower);
    return array;
  }

  /**
   * Reserves in the borrower's scope; if refused by a limit the pool's kept arrays count against (a
   * scope above the pool's, or the live-heap or process-memory line) while it keeps some, trims and
   * retries. A refusal by a limit of the borrower's own that the pool is not under leaves the pool
   * as it is: emptying it would not help.
   */
  private Reservation reserveForBorrower(MemoryScope borrower, long bytes) {
    try {
      return borrower.reserve(bytes);
    } catch (MemoryBudgetExceededException refused) {
      if (retainedBytes.sum() > 0 && keptCountAgainst(refused) && trim() > 0) {
        return borrower.reserve(bytes);
      }
      throw refused;
    }
  }

  private boolean keptCountAgainst(MemoryBudgetExceededException refused) {
    if (refused.liveHeapLimited() || refused.processMemoryLimited()) {
      return true;
    }
    String limiting = refused.limitingScopePath();
    String pool = scope.path();
    return limiting == null || pool.equals(limiting) || pool.startsWith(limiting + "/");
  }

  private void watch(MemoryScope borrower) {
    if (watchedScopes.putIfAbsent(borrower, Boolean.TRUE) != null) {
      return;
    }
    boolean hooked =
        borrower instanceof DefaultScope s && s.afterClose(() -> forgetBorrowsOf(borrower));
    if (!hooked && borrower.isClosed()) {
      forgetBorrowsOf(borrower);
    }
  }

  private void forgetBorrowsOf(MemoryScope closedScope) {
    watchedScopes.remove(closedScope);
    for (Map.Entry<Object, Borrow> e : borrowed.entrySet()) {
      Borrow b = e.getValue();
      if (b.scope == closedScope && borrowed.remove(e.getKey(), b)) {
        forgotten.increment();
        outstandingBytes.add(-b.bytes);
      }
    }
  }

  private void giveBack(int kind, Object array) {
    Objects.requireNonNull(array, "array");
    Borrow b = borrowed.remove(array);
    if (b == null) {
      throw notBorrowed(kind, array);
    }
    b.reservation.close();
    returns.increment();
    outstandingBytes.add(-b.bytes);
    if (!keep(kind, b, array)) {
      dropped.increment();
    }
  }

  private boolean keep(int kind, Borrow b, Object array) {
    keepsInFlight.incrementAndGet();
    try {
      return keepWhileOpen(kind, b, array);
    } finally {
      keepsInFlight.decrementAndGet();
    }
  }

  private boolean keepWhileOpen(int kind, Borrow b, Object array) {
    if (closed.get()
        || b.classIndex < 0
        || scope.manager().pressureLevel().compareTo(PressureLevel.ELEVATED) >= 0) {
      return false;
    }
    Reservation held;
    try {
      held = scope.tryReserve(b.bytes).orElse(null);
    } catch (IllegalStateException poolClosing) {
      return false;
    }
    if (held == null) {
      return false;
    }
    Kept kept = new Kept(array, held, b.bytes);
    retainedBytes.add(b.bytes);
    int slot = kind * CLASSES + b.classIndex;
    if (b.bytes <= threadCacheMaxArrayBytes && threadCache.get().offer(slot, kept)) {
      return true;
    }
    ArrayDeque<Kept> shelf = shelves.get(slot);
    synchronized (shelf) {
      shelf.addLast(kept);
    }
    if (closed.get()) {
      trim(); // raced with close: release what was just kept
    }
    return true;
  }

  private @Nullable Kept take(int kind, int cls, long bytes) {
    int slot = kind * CLASSES + cls;
    if (bytes <= threadCacheMaxArrayBytes) {
      Kept k = threadCache.get().poll(slot);
      if (k != null) {
        return k;
      }
    }
    ArrayDeque<Kept> shelf = shelves.get(slot);
    synchronized (shelf) {
      return shelf.pollLast();
    }
  }

  /**
   * A cache for the calling thread; first releases the caches of threads that have died (where
   * thread churn would otherwise leave their arrays reserved in the pool).
   */
  private ThreadCache newThreadCache() {
    for (ThreadCache c : threadCaches) {
      if (!c.ownerAlive()) {
        threadCaches.remove(c);
        long released = drain(c);
        if (released > 0) {
          trimmedBytes.add(released);
        }
      }
    }
    ThreadCache c = new ThreadCache(Thread.currentThread(), threadCacheBytes, closed);
    threadCaches.add(c);
    return c;
  }

  private long drain(ThreadCache c) {
    long released = 0;
    for (Kept k = c.pollAny(); k != null; k = c.pollAny()) {
      released += release(k);
    }
    return released;
  }

  private long release(Kept k) {
    k.reservation.close();
    retainedBytes.add(-k.bytes);
    return k.bytes;
  }

  private IllegalArgumentException notBorrowed(int kind, Object array) {
    String what = KIND_NAMES[kind] + "[" + java.lang.reflect.Array.getLength(array) + "]";
    boolean kept = isKept(array);
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "cannot give back a %s to array pool '%s': %s. Give back each borrowed array once, to"
                + " the pool that lent it, and do not use it afterwards.",
            what,
            scope.path(),
            kept
                ? "it was given back already (the pool keeps it for the next borrower)"
                : "this pool did not lend it, it was given back already, or its scope closed"));
  }

  private boolean isKept(Object array) {
    for (ThreadCache c : threadCaches) {
      if (c.contains(array)) {
        return true;
      }
    }
    for (ArrayDeque<Kept> shelf : shelves) {
      synchronized (shelf) {
        for (Kept k : shelf) {
          if (k.array == array) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The size class of a length (every int length has one). */
  static int classIndex(int length) {
    if (length <= 16) {
      return 0;
    }
    int m = length - 1;
    int log = 31 - Integer.numberOfLeadingZeros(m);
    int shift = log - 3;
    int q = m >>> shift; // in [8, 16)
    return 1 + (log - 4) * 8 + (q - 8);
  }

  /** The array length of a size class. */
  static int classLength(int cls) {
    if (cls == 0) {
      return 16;
    }
    int log = 4 + (cls - 1) / 8;
    int q = 8 + (cls - 1) % 8;
    long len = ((long) q + 1) << (log - 3);
    return (int) Math.min(len, Integer.MAX_VALUE - 8);
  }

  private static long arrayBytes(int kind, int length) {
    return (16 + (long) length * ELEMENT_BYTES[kind] + 7) & ~7L;
  }

  private static Object allocate(int kind, int length) {
    return switch (kind) {
      case DOUBLE -> new double[length];
      case FLOAT -> new float[length];
      case INT -> new int[length];
      default -> new long[length];
    };
  }

  /** An array kept for reuse and its reservation in the pool's scope. */
  private record Kept(Object array, Reservation reservation, long bytes) {}

  /** A lent array's record. */
  private record Borrow(int classIndex, MemoryScope scope, Reservation reservation, long bytes) {}

  /**
   * One thread's small cache: a few arrays per size class, bounded in bytes. Static and without a
   * reference to its pool, so that a thread's map of thread-locals does not keep a closed pool
   * reachable; it knows its thread only weakly.
   */
  private static final class ThreadCache {
    private final Kept[][] slots = new Kept[KINDS * CLASSES][];
    private final int[] counts = new int[KINDS * CLASSES];
    private final java.lang.ref.WeakReference<Thread> owner;
    private final long maxBytes;
    private final java.util.concurrent.atomic.AtomicBoolean poolClosed;
    private long bytes;

    ThreadCache(Thread owner, long maxBytes, java.util.concurrent.atomic.AtomicBoolean poolClosed) {
      this.owner = new java.lang.ref.WeakReference<>(owner);
      this.maxBytes = maxBytes;
      this.poolClosed = poolClosed;
    }

    boolean ownerAlive() {
      Thread t = owner.get();
      return t != null && t.isAlive();
    }

    synchronized boolean offer(int slot, Kept k) {
      if (poolClosed.get() || bytes + k.bytes > maxBytes || counts[slot] == THREAD_CACHE_SLOTS) {
        return false;
      }
      Kept[] s = slots[slot];
      if (s == null) {
        s = slots[slot] = new Kept[THREAD_CACHE_SLOTS];
      }
      s[counts[slot]++] = k;
      bytes += k.bytes;
      return true;
    }

    synchronized @Nullable Kept poll(int slot) {
      int n = counts[slot];
      if (n == 0) {
        return null;
      }
      Kept k = slots[slot][--n];
      slots[slot][n] = null;
      counts[slot] = n;
      bytes -= k.bytes;
      return k;
    }

    /** Any kept array, or null when the cache is empty. */
    synchronized @Nullable Kept pollAny() {
      if (bytes == 0) {
        return null;
      }
      for (int slot = 0; slot < counts.length; slot++) {
        if (counts[slot] > 0) {
          return poll(slot);
        }
      }
      return null;
    }

    synchronized boolean contains(Object array) {
      for (int slot = 0; slot < counts.length; slot++) {
        for (int i = 0; i < counts[slot]; i++) {
          if (slots[slot][i].array == array) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Builds an {@link ArrayPool}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final MemoryScope parent;
    private String name = "array-pool";
    private @Nullable MemorySize maxRetained;
    private long threadCacheBytes = 256L << 10;
    private long maxArrayBytes = 64L << 20;

    private Builder(MemoryScope parent) {
      this.parent = Objects.requireNonNull(parent, "parent");
    }

    /** The pool scope's name under its parent (default {@code array-pool}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The most the pool keeps, in bytes: its scope's limit (default: the parent's room). */
    public Builder maxRetained(MemorySize bytes) {
      this.maxRetained = Objects.requireNonNull(bytes, "bytes");
      return this;
    }

    /**
     * The most each thread's cache keeps (default 256 KiB; 0 for none); arrays of at most a quarter
     * of it go there.
     */
    public Builder threadCacheBytes(MemorySize bytes) {
      this.threadCacheBytes =
          Objects.requireNonNull(bytes, "bytes").resolve(Runtime.getRuntime().maxMemory());
      return this;
    }

    /** Arrays larger than this are lent at their exact length and never kept (default 64 MiB). */
    public Builder maxArrayBytes(MemorySize bytes) {
      this.maxArrayBytes =
          Objects.requireNonNull(bytes, "bytes").resolve(Runtime.getRuntime().maxMemory());
      return this;
    }

    /** Opens the pool's scope and returns the pool. */
    public ArrayPool build() {
      return new ArrayPool(this);
    }
  }
}
