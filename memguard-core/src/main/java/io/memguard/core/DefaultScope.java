package io.memguard.core;

import io.memguard.core.internal.JfrEvents;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The scope implementation. Accounting is lock-free: each scope has one word holding the bytes
 * reserved in it and its descendants (low 48 bits) and how many reservations are held directly in
 * it (next 15 bits, see {@link #COUNT_SHIFT}), with the sign bit marking it closed. A reservation
 * adds its bytes top-down (root first) and commits by adding to its own scope last; a release
 * subtracts bottom-up and stops at the first closed scope, because a closing scope takes its whole
 * word atomically and gives it back to its ancestors itself. So every byte is returned exactly
 * once, whatever the interleaving of reserve, release and close.
 */
final class DefaultScope implements MemoryScope {
  private static final long CLOSED = Long.MIN_VALUE;
  private static final long UNLIMITED = Long.MAX_VALUE;

  /**
   * The word's count of reservations held directly in the scope starts at this bit, so a new
   * reservation and its release change bytes and count with one compare-and-set each (a separate
   * counter cost two more atomic instructions per reserve and release: 10 ns of about 50 on this
   * machine's slow days, ReserveReleaseBenchmark). Bytes below it: a scope holds at most 256 TiB.
   */
  private static final int COUNT_SHIFT = 48;

  /** The most bytes a scope's word can hold: 256 TiB minus one byte. */
  static final long MAX_SCOPE_BYTES = (1L << COUNT_SHIFT) - 1;

  private static final long ONE_RESERVATION = 1L << COUNT_SHIFT;
  private static final long MAX_COUNT = Long.MAX_VALUE >>> COUNT_SHIFT;
  private static final VarHandle WORD;
  private static final VarHandle PEAK;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WORD = lookup.findVarHandle(DefaultScope.class, "word", long.class);
      PEAK = lookup.findVarHandle(DefaultScope.class, "peak", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final MemoryManager manager;
  private final DefaultScope parent;
  private final String name;
  private final String path;
  private final DefaultScope[] chain;
  private final boolean isRoot;

  @SuppressWarnings("unused") // accessed through WORD
  private volatile long word;

  @SuppressWarnings("unused") // accessed through PEAK
  private volatile long peak;

  private volatile long limit;

  /** Reservations held directly beyond the word's count when it is full (32,767). */
  private final LongAdder liveBeyondWord = new LongAdder();

  private final AtomicLong allocated = new AtomicLong();
  private final Set<ReservationState> tracked;

  private final Object lock = new Object();
  private final LinkedHashSet<DefaultScope> children = new LinkedHashSet<>();
  private final List<CleanupManager.Entry> cleanups = new ArrayList<>();
  private boolean closeStarted;

  /** Run once after close has taken back the scope's bytes (guarded by lock until then). */
  private List<Runnable> afterClose;

  private volatile ScopeCloseReport closeReport;

  /** Asked, when the live heap refuses this scope a reservation, to make room; see below. */
  private volatile @Nullable LongPredicate liveHeapRefusal;

  DefaultScope(MemoryManager manager, DefaultScope parent, String name, long limitBytes) {
    this.manager = manager;
    this.parent = parent;
    this.name = name;
    this.path = parent == null ? name : parent.path + "/" + name;
    this.isRoot = parent == null;
    this.limit = limitBytes < 0 ? UNLIMITED : limitBytes;
    if (parent == null) {
      this.chain = new DefaultScope[] {this};
    } else {
      this.chain = new DefaultScope[parent.chain.length + 1];
      System.arraycopy(parent.chain, 0, chain, 0, parent.chain.length);
      chain[parent.chain.length] = this;
    }
    this.tracked =
        manager.leakDetection() == LeakDetection.TRACK_SITES ? ConcurrentHashMap.newKeySet() : null;
  }

  // ---- accounting ------------------------------------------------------------------------------

  private static final int OK = -1;

  private static long bytesOf(long word) {
    return word & MAX_SCOPE_BYTES;
  }

  private static long countOf(long word) {
    return (word & Long.MAX_VALUE) >>> COUNT_SHIFT;
  }

  /**
   * Adds to this scope's word, and one to its count for a new reservation held in it; returns true,
   * or false when closed or over the limit.
   */
  private boolean tryAdd(long bytes, boolean newReservation) {
    for (; ; ) {
      long w = (long) WORD.getVolatile(this);
      if (w < 0) {
        return false;
      }
      long n = bytesOf(w) + bytes;
      if (n > limit
          || n > MAX_SCOPE_BYTES
          || n < 0
          || (isRoot && bytes > 0 && !manager.memoryAdmits(n))) {
        return false;
      }
      boolean counted = newReservation && countOf(w) < MAX_COUNT;
      if (WORD.compareAndSet(this, w, w + bytes + (counted ? ONE_RESERVATION : 0))) {
        if (newReservation && !counted) {
          liveBeyondWord.increment();
        }
        if (n > (long) PEAK.getOpaque(this)) {
          raisePeak(n);
        }
        if (isRoot) {
          manager.accountingChanged(n);
        }
        return true;
      }
    }
  }

  private void raisePeak(long n) {
    for (; ; ) {
      long p = (long) PEAK.getVolatile(this);
      if (n <= p || PEAK.compareAndSet(this, p, n)) {
        return;
      }
    }
  }

  /**
   * Subtracts from this scope's word, and one from its count for a reservation held in it that is
   * released; false when the scope is closed (its close returned the bytes and took the count).
   */
  private boolean trySubtract(long bytes, boolean endsReservation) {
    for (; ; ) {
      long w = (long) WORD.getVolatile(this);
      if (w < 0) {
        return false;
      }
      boolean counted = endsReservation && countOf(w) > 0;
      if (WORD.compareAndSet(this, w, w - bytes - (counted ? ONE_RESERVATION : 0))) {
        if (endsReservation && !counted) {
          liveBeyondWord.decrement();
        }
        long n = bytesOf(w) - bytes;
        if (isRoot) {
          manager.accountingChanged(n);
          manager.rootReleasedTo(n);
        }
        return true;
      }
    }
  }

  /**
   * Adds bytes to the whole chain, counting a new reservation in this scope; returns {@link #OK} or
   * the index of the node that refused.
   */
  private int addToChain(long bytes, boolean newReservation) {
    DefaultScope[] c = chain;
    int last = c.length - 1;
    for (int i = 0; i <= last; i++) {
      if (!c[i].tryAdd(bytes, newReservation && i == last)) {
        releaseFrom(i - 1, bytes);
        return i;
      }
    }
    return OK;
  }

  /** Subtracts bytes from chain[index] up to the root, stopping at the first closed scope. */
  private void releaseFrom(int index, long bytes) {
    DefaultScope[] c = chain;
    for (int i = index; i >= 0; i--) {
      if (!c[i].trySubtract(bytes, false)) {
        return;
      }
    }
  }

  /**
   * Returns bytes of a committed reservation, the whole of it when {@code endsReservation}; false
   * if this scope had already closed.
   */
  boolean releaseCommitted(long bytes, boolean endsReservation) {
    if (!trySubtract(bytes, endsReservation)) {
      return false;
    }
    releaseFrom(chain.length - 2, bytes);
    manager.signalReleased();
    return true;
  }

  /** Adds bytes for a live reservation, or throws. */
  void addCommitted(long bytes) {
    int failed = addToChain(bytes, false);
    if (failed != OK) {
      addAfterRefusal(failed, bytes, false);
    }
  }

  /**
   * For a task's scope: when the live heap refuses it, {@code makeRoom} asks lower-priority tasks
   * to stop and answers whether any may free memory; the reservation then waits for it.
   */
  void onLiveHeapRefusal(LongPredicate makeRoom) {
    this.liveHeapRefusal = makeRoom;
  }

  /**
   * After {@code addToChain} refused at {@code failed}: when the live heap refused and lower
   * priority tasks are being stopped to make room, waits up to {@link #LIVE_HEAP_WAIT_NANOS} for
   * their memory; otherwise (or when it does not come) throws the refusal.
   */
  private void addAfterRefusal(int failed, long bytes, boolean newReservation) {
    RuntimeException refusal = refusal(chain[failed], bytes, 0);
    LongPredicate makeRoom = liveHeapRefusal;
    if (!(refusal instanceof MemoryBudgetExceededException e)
        || !(e.liveHeapLimited() || e.processMemoryLimited())
        || makeRoom == null
        || !makeRoom.test(bytes)) {
      throw refusal;
    }
    long start = System.nanoTime();
    long remaining = LIVE_HEAP_WAIT_NANOS;
    long epoch = manager.liveHeapEpochNow();
    long sinceProgress = start;
    try {
      manager.beginWait();
      try {
        for (; ; ) {
          long releases = manager.releaseEpoch();
          failed = addToChain(bytes, newReservation);
          if (failed == OK) {
            return;
          }
          if (remaining <= 0) {
            throw refusal(chain[failed], bytes, System.nanoTime() - start);
          }
          remaining = manager.awaitRelease(releases, Math.min(remaining, LIVE_HEAP_POLL_NANOS));
          long now = System.nanoTime();
          long seen = manager.liveHeapEpochNow();
          if (seen != epoch) {
            epoch = seen;
            sinceProgress = now;
          } else if (!e.processMemoryLimited()
              && now - sinceProgress >= LIVE_HEAP_PROVOKE_AFTER_NANOS) {
            // Not for the process-memory line: the garbage that brings a collection touches new
            // pages, which is what that line is short of; it admits only on a reading whose RSS
            // fell.
            // Nothing allocates while the tasks wait, so no collection comes to show the ended
            // tasks' memory freed (measured: refused after 5 s in 4 of 20 guard-race runs).
            manager.provokeCollection();
            epoch = manager.liveHeapEpochNow();
            sinceProgress = System.nanoTime();
          }
          remaining = LIVE_HEAP_WAIT_NANOS - (System.nanoTime() - start);
        }
      } finally {
        manager.endWait();
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw refusal;
    }
  }

  /** How long a task's reservation waits for lower-priority tasks to free the heap. */
  static final long LIVE_HEAP_WAIT_NANOS = Duration.ofSeconds(5).toNanos();

  /**
   * A waiting reservation provokes a collection when none came for this long: 50 ms, five polls (a
   * collection that is due anyway usually comes first).
   */
  static final long LIVE_HEAP_PROVOKE_AFTER_NANOS = Duration.ofMillis(50).toNanos();

  /** Re-checks the live heap this often while waiting: a collection frees memory silently. */
  private static final long LIVE_HEAP_POLL_NANOS = Duration.ofMillis(10).toNanos();

  private RuntimeException refusal(DefaultScope limiting, long bytes, long waitedNanos) {
    long word = (long) WORD.getVolatile(limiting);
    if (word < 0) {
      return new IllegalStateException(
          "scope '"
              + path
              + "' is closed"
              + (limiting == this ? "" : " (its ancestor '" + limiting.path + "' is closed)")
              + "; open a new scope to reserve memory");
    }
    long w = bytesOf(word);
    long lim = Math.min(limiting.limit, MAX_SCOPE_BYTES);
    // The root refuses for its budget or for one of its two lines. If the budget had room it was a
    // line, even when a collection's reading arrived since and would now admit (measured: a
    // re-check
    // once turned such a refusal into a budget refusal "with 172 MiB available"). The live-heap
    // line
    // is asked first, as when reserving: it refused unless it admits now while the process-memory
    // line's latest reading refuses.
    if (limiting.isRoot && bytes <= lim - w) {
      if (manager.processMemoryRefuses(w + bytes)
          && (!manager.hasLiveHeapLine() || manager.liveHeapAdmits(w + bytes))) {
        return manager.processMemoryRefusal(path, bytes);
      }
      if (manager.hasLiveHeapLine()) {
        return manager.liveHeapRefusal(path, bytes, waitedNanos);
      }
      if (manager.hasProcessMemoryLine()) {
        return manager.processMemoryRefusal(path, bytes);
      }
    }
    return new MemoryBudgetExceededException(
        path, limiting.path, bytes, Math.max(0, lim - w), lim, waitedNanos);
  }

  private static void checkBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
  }

  /** True once this scope's close has taken back its bytes: its reservations hold nothing. */
  boolean accountingClosed() {
    return (long) WORD.getVolatile(this) < 0;
  }

  @Override
  public Reservation reserve(long bytes) {
    checkBytes(bytes);
    int failed = addToChain(bytes, true);
    if (failed != OK) {
      addAfterRefusal(failed, bytes, true);
    }
    return newReservation(bytes);
  }

  @Override
  public Optional<Reservation> tryReserve(long bytes) {
    checkBytes(bytes);
    int failed = addToChain(bytes, true);
    if (failed != OK) {
      if ((long) WORD.getVolatile(chain[failed]) < 0) {
        throw refusal(chain[failed], bytes, 0);
      }
      return Optional.empty();
    }
    return Optional.of(newReservation(bytes));
  }

  @Override
  public Reservation reserve(long bytes, Duration timeout) throws InterruptedException {
    checkBytes(bytes);
    Objects.requireNonNull(timeout, "timeout");
    if (bytes > MAX_SCOPE_BYTES) {
      throw new IllegalArgumentException(
          "cannot ever reserve "
              + MemorySize.format(bytes)
              + " in '"
              + path
              + "': a scope holds at most "
              + MemorySize.format(MAX_SCOPE_BYTES)
              + "; reserve less");
    }
    for (DefaultScope node : chain) {
      if (bytes > node.limit) {
        throw new IllegalArgumentException(
            "cannot ever reserve "
                + MemorySize.format(bytes)
                + " in '"
                + path
                + "': '"
                + node.path
                + "' has a limit of "
                + MemorySize.format(node.limit)
                + "; reserve less or raise that limit");
      }
    }
    int failed = addToChain(bytes, true);
    if (failed == OK) {
      return newReservation(bytes);
    }
    long start = System.nanoTime();
    long timeoutNanos = nanosSaturated(timeout);
    long remaining = timeoutNanos;
    manager.beginWait();
    try {
      for (; ; ) {
        long releases = manager.releaseEpoch();
        failed = addToChain(bytes, true);
        if (failed == OK) {
          return newReservation(bytes);
        }
        if (remaining <= 0 || (long) WORD.getVolatile(chain[failed]) < 0) {
          throw refusal(chain[failed], bytes, System.nanoTime() - start);
        }
        manager.awaitRelease(releases, remaining);
        // from the clock, not from the wait: a wait that a release ended at once takes no time
        // off, and releases that never make room must not keep the reservation from timing out
        remaining = timeoutNanos - (System.nanoTime() - start);
      }
    } finally {
      manager.endWait();
    }
  }

  /** The duration in nanoseconds, Long.MAX_VALUE for one longer than that (about 292 years). */
  private static long nanosSaturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Wraps bytes already added to the chain, and counted in this scope, in a reservation. */
  private Reservation newReservation(long bytes) {
    DefaultReservation r = new DefaultReservation(this, bytes, tracked != null);
    if (tracked != null) {
      tracked.add(r.state);
    }
    return r;
  }

  /** After a reservation's release (or the safety net's) returned its bytes: forgets its site. */
  void reservationReleased(ReservationState state) {
    if (tracked != null) {
      tracked.remove(state);
    }
  }

  void setLimit(long limitBytes) {
    this.limit = limitBytes < 0 ? UNLIMITED : limitBytes;
    manager.signalReleased();
  }

  // ---- queries ---------------------------------------------------------------------------------

  @Override
  public String name() {
    return name;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public Optional<MemoryScope> parent() {
    return Optional.ofNullable(parent);
  }

  @Override
  public MemoryManager manager() {
    return manager;
  }

  @Override
  public long limitBytes() {
    long l = limit;
    return l == UNLIMITED ? NO_LIMIT : l;
  }

  @Override
  public long reservedBytes() {
    long w = (long) WORD.getVolatile(this);
    return w < 0 ? 0 : bytesOf(w);
  }

  @Override
  public long peakReservedBytes() {
    return (long) PEAK.getVolatile(this);
  }

  @Override
  public long availableBytes() {
    long available = Long.MAX_VALUE;
    for (DefaultScope node : chain) {
      long w = (long) WORD.getVolatile(node);
      if (w < 0) {
        return 0;
      }
      long held = bytesOf(w);
      available = Math.min(available, MAX_SCOPE_BYTES - held);
      if (node.limit != UNLIMITED) {
        available = Math.min(available, node.limit - held);
      }
    }
    return Math.max(0, available);
  }

  @Override
  public long liveReservations() {
    long w = (long) WORD.getVolatile(this);
    return w < 0 ? 0 : Math.max(0, countOf(w) + liveBeyondWord.sum());
  }

  @Override
  public long allocatedBytes() {
    return allocated.get();
  }

  @Override
  public boolean isClosed() {
    synchronized (lock) {
      return closeStarted;
    }
  }

  @Override
  public List<MemoryScope> children() {
    synchronized (lock) {
      return List.copyOf(children);
    }
  }

  @Override
  public ScopeSnapshot snapshot() {
    List<DefaultScope> kids;
    synchronized (lock) {
      kids = new ArrayList<>(children);
    }
    List<ScopeSnapshot> childSnapshots = new ArrayList<>(kids.size());
    for (DefaultScope child : kids) {
      childSnapshots.add(child.snapshot());
    }
    return new ScopeSnapshot(
        name,
        path,
        limitBytes(),
        reservedBytes(),
        peakReservedBytes(),
        allocatedBytes(),
        liveReservations(),
        childSnapshots);
  }

  // ---- children and cleanup ------------------------------------------------------------------

  @Override
  public MemoryScope openChild(String childName) {
    return openChild(childName, -1);
  }

  @Override
  public MemoryScope openChild(String childName, MemorySize childLimit) {
    Objects.requireNonNull(childLimit, "limit");
    return openChild(childName, childLimit.toBytes());
  }

  DefaultScope openChild(String childName, long limitBytes) {
    Objects.requireNonNull(childName, "name");
    if (childName.isBlank() || childName.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "scope name must be non-blank and contain no '/', got '" + childName + "'");
    }
    DefaultScope child;
    synchronized (lock) {
      if (closeStarted) {
        throw new IllegalStateException(
            "cannot open child '" + childName + "': scope '" + path + "' is closed");
      }
      child = new DefaultScope(manager, this, childName, limitBytes);
      children.add(child);
    }
    manager.scopeOpened();
    return child;
  }

  @Override
  public Registration onClose(String actionName, Runnable action) {
    Objects.requireNonNull(action, "action");
    return registerCleanup(actionName, CleanupStage.INTERMEDIATES, CleanupAction.of(action));
  }

  @Override
  public Registration registerCleanup(String actionName, CleanupStage stage, CleanupAction action) {
    CleanupManager.Entry entry;
    synchronized (lock) {
      if (closeStarted) {
        throw new IllegalStateException(
            "cannot register cleanup '" + actionName + "': scope '" + path + "' is closed");
      }
      entry = manager.cleanup().add(actionName, stage, action, path);
      cleanups.add(entry);
    }
    return () -> {
      synchronized (lock) {
        cleanups.remove(entry);
      }
      manager.cleanup().remove(entry);
    };
  }

  @Override
  public AllocationMeter meterAllocations() {
    return new ThreadAllocationMeter(this);
  }

  void addAllocated(long bytes) {
    for (DefaultScope node : chain) {
      node.allocated.addAndGet(bytes);
    }
  }

  // ---- close -----------------------------------------------------------------------------------

  @Override
  public void close() {
    closeAndReport();
  }

  @Override
  public ScopeCloseReport closeAndReport() {
    ScopeCloseReport report = closeQuietly();
    List<CleanupRun> failures = report.allCleanupFailures();
    if (!failures.isEmpty() && failuresThrown.compareAndSet(false, true)) {
      throw new CleanupException(path, failures);
    }
    return report;
  }

  private final java.util.concurrent.atomic.AtomicBoolean failuresThrown =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Closes without throwing for cleanup failures; they are in the report. */
  ScopeCloseReport closeQuietly() {
    synchronized (this) {
      ScopeCloseReport done = closeReport;
      if (done != null) {
        return done;
      }
      List<DefaultScope> kids;
      List<CleanupManager.Entry> actions;
      synchronized (lock) {
        if (closeStarted) {
          // Re-entered from one of this scope's own cleanup actions.
          return new ScopeCloseReport(
              path,
              Duration.ZERO,
              peakReservedBytes(),
              allocatedBytes(),
              null,
              List.of(),
              List.of());
        }
        closeStarted = true;
        kids = new ArrayList<>(children);
        actions = new ArrayList<>(cleanups);
      }
      long start = manager.ticker().read();
      Collections.reverse(kids);
      List<ScopeCloseReport> childReports = new ArrayList<>(kids.size());
      for (DefaultScope child : kids) {
        childReports.add(child.closeQuietly());
        child.failuresThrown.set(true); // this scope's CleanupException carries them
      }
      List<CleanupRun> cleanupReports = new ArrayList<>(actions.size());
      for (int i = actions.size() - 1; i >= 0; i--) {
        CleanupManager.Entry entry = actions.get(i);
        manager.cleanup().remove(entry);
        cleanupReports.add(manager.cleanup().run(entry, CleanupRun.Trigger.SCOPE_CLOSE));
      }
      long closedWord = (long) WORD.getAndSet(this, CLOSED);
      long outstanding = closedWord < 0 ? 0 : bytesOf(closedWord);
      if (outstanding > 0) {
        releaseFrom(chain.length - 2, outstanding);
        manager.signalReleased();
      }
      // The count left the word with the bytes. Bytes with no reservation held are in flight: a
      // grow of a reservation released meanwhile, or a descendant's refused reservation on its
      // way back up (jcstress GrowVsReleaseVsScopeClose); they are returned above, not a leak.
      long leakedCount = (closedWord < 0 ? 0 : countOf(closedWord)) + liveBeyondWord.sumThenReset();
      ReservationLeak leak = null;
      if (outstanding > 0 && leakedCount > 0) {
        List<Throwable> sites = new ArrayList<>();
        if (tracked != null) {
          for (ReservationState s : tracked) {
            if (s.site != null) {
              sites.add(s.site);
            }
          }
          tracked.clear();
        }
        leak =
            new ReservationLeak(
                ReservationLeak.Kind.NOT_RELEASED_AT_CLOSE, path, outstanding, leakedCount, sites);
        manager.reportLeak(leak);
      }
      if (parent != null) {
        parent.childClosed(this);
      }
      List<Runnable> hooks;
      synchronized (lock) {
        hooks = afterClose;
        afterClose = null;
      }
      if (hooks != null) {
        for (Runnable hook : hooks) {
          try {
            hook.run();
          } catch (RuntimeException e) {
            // internal bookkeeping (an array pool forgetting borrows) never fails a close
          }
        }
      }
      manager.scopeClosed();
      if (leak != null) {
        JfrEvents.ScopeClosedWithLeaks event =
            JfrEvents.recording() ? new JfrEvents.ScopeClosedWithLeaks() : null;
        if (event != null && event.shouldCommit()) {
          event.scopePath = path;
          event.leakedBytes = leak.bytes();
          event.leakedReservations = leak.reservations();
          event.peakReservedBytes = peakReservedBytes();
          event.commit();
        }
      }
      ScopeCloseReport report =
          new ScopeCloseReport(
              path,
              Duration.ofNanos(manager.ticker().read() - start),
              peakReservedBytes(),
              allocatedBytes(),
              leak,
              cleanupReports,
              childReports);
      closeReport = report;
      return report;
    }
  }

  /**
   * Runs {@code hook} once, after this scope's close has taken back its bytes (never in an
   * emergency's cleanup, unlike {@link #onClose}); false if the close has already started.
   */
  boolean afterClose(Runnable hook) {
    synchronized (lock) {
      if (closeStarted) {
        return false;
      }
      if (afterClose == null) {
        afterClose = new ArrayList<>(2);
      }
      afterClose.add(hook);
      return true;
    }
  }

  private void childClosed(DefaultScope child) {
    synchronized (lock) {
      children.remove(child);
    }
  }

  @Override
  public String toString() {
    return "MemoryScope["
        + path
        + ", reserved="
        + MemorySize.format(reservedBytes())
        + ", limit="
        + (limit == UNLIMITED ? "none" : MemorySize.format(limit))
        + "]";
  }

  /** Measures the current thread's allocations into a scope. */
  private static final class ThreadAllocationMeter implements AllocationMeter {
    private final DefaultScope scope;
    private final Thread thread = Thread.currentThread();
    private final long start;
    private long total = -1;

    ThreadAllocationMeter(DefaultScope scope) {
      this.scope = scope;
      this.start = ThreadAllocation.currentThreadAllocatedBytes();
    }

    @Override
    public long allocatedBytes() {
      if (total >= 0) {
        return total;
      }
      if (Thread.currentThread() != thread || start < 0) {
        return 0;
      }
      return Math.max(0, ThreadAllocation.currentThreadAllocatedBytes() - start);
    }

    @Override
    public void close() {
      if (total >= 0) {
        return;
      }
      total = allocatedBytes();
      if (total > 0) {
        scope.addAllocated(total);
      }
    }
  }
}
