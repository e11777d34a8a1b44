package io.memguard.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits concurrent tasks to a pool of memory and sizes their batches.
 *
 * <p><b>Admission.</b> {@link #acquire(TaskRequest)} returns a {@link Grant}: a child scope of the
 * pool whose limit is the granted bytes. With N tasks holding or waiting for grants, the fair share
 * is capacity / N; a new grant gets {@code min(desired, max(min, fairShare), free)} and never less
 * than its minimum. Waiters queue by priority (higher first), then arrival; only the head of the
 * queue is admitted, so a large task is never starved by a stream of small ones. Waiters block on a
 * condition (no busy-waiting), are woken by every release, and time out with {@link
 * AdmissionTimeoutException}. Between batches a grant is rebalanced ({@link Grant#batchSize} does
 * it before sizing; {@link Grant#rebalance()} does it alone): while others wait, a grant above the
 * fair share shrinks to it (never below what the task has reserved); when nobody waits it may grow
 * towards what it desired.
 *
 * <p><b>Pausing.</b> {@link #pause(int, String)} stops admitting tasks below a priority; admitted
 * tasks go on. {@link #resume()} admits the paused ones in priority order. {@link #holdPause} is a
 * pause of its own until its registration closes (the emergency guard uses it), so that one holder
 * ending its pause never ends another's: admission stays paused below the highest priority any
 * holder asks for.
 *
 * <p><b>Batch sizing.</b> {@link #sizeBatch} picks the largest batch that fits the available memory
 * less a safety margin; every decision is logged at DEBUG and kept in a bounded log ({@link
 * #decisions()}).
 *
 * <p>Thread-safe. One lock guards admission state; it is never held while a task's scope closes.
 *
 * @since 0.1.0
 */
public final class ResourceAllocator {
  private static final Logger log = LoggerFactory.getLogger(ResourceAllocator.class);

  private final DefaultScope pool;
  private final long capacity;
  private final double safetyMargin;
  private final int decisionLogSize;
  private final Ticker ticker;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final LinkedHashSet<Grant> active = new LinkedHashSet<>();
  private final LongAdder retried = new LongAdder();

  /** The most recent ends of tasks run by {@link #run}, oldest first; guarded by itself. */
  private final ArrayDeque<EndedTask> ended = new ArrayDeque<>();

  private final LongAdder[] endedByStatus = new LongAdder[TaskOutcome.Status.values().length];

  /** How often a waiting request re-checks the live heap. */
  private static final long HEAP_RECHECK_NANOS = 50_000_000L;

  private final PriorityQueue<Waiter> waiting =
      new PriorityQueue<>(
          Comparator.comparingInt((Waiter w) -> -w.request.priority())
              .thenComparingLong(w -> w.seq));
  private final ArrayDeque<BatchDecision> decisions = new ArrayDeque<>();

  /** Tasks that held memory and ended recently, oldest first: when each ended and its priority. */
  private final ArrayDeque<long[]> recentlyEnded = new ArrayDeque<>();

  private long granted;
  private long sequence;
  private HeldPause manualPause;
  private final List<HeldPause> heldPauses = new ArrayList<>();

  private ResourceAllocator(Builder b) {
    this.pool = b.pool;
    long poolLimit = pool.limitBytes();
    this.capacity =
        b.capacity != null
            ? b.capacity.toBytes()
            : (poolLimit >= 0 ? poolLimit : pool.availableBytes());
    if (capacity <= 0) {
      throw new IllegalArgumentException("allocator capacity must be > 0 bytes, got " + capacity);
    }
    this.safetyMargin = b.safetyMargin;
    this.decisionLogSize = b.decisionLogSize;
    for (int i = 0; i < endedByStatus.length; i++) {
      endedByStatus[i] = new LongAdder();
    }
    this.ticker = pool.manager().ticker();
  }

  /** A builder for an allocator whose grants are child scopes of {@code pool}. */
  public static Builder builder(MemoryScope pool) {
    Objects.requireNonNull(pool, "pool");
    if (!(pool instanceof DefaultScope scope)) {
      throw new IllegalArgumentException("pool must be a scope of a MemoryManager");
    }
    return new Builder(scope);
  }

  /** The bytes this allocator shares out. */
  public long capacityBytes() {
    return capacity;
  }

  /** The share of available memory that batch sizing keeps free. */
  public double safetyMargin() {
    return safetyMargin;
  }

  /** The bytes granted now, all grants together. */
  public long grantedBytes() {
    lock.lock();
    try {
      return granted;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Admits a task, waiting up to its time-out. Tasks are admitted in priority order when the
   * allocator has their minimum free and admission is not paused for their priority, and, beside
   * running tasks, only when the live heap has room for them: what the running tasks were granted
   * and have not reserved yet plus what this one desires must fit below the manager's ELEVATED
   * threshold applied to max heap (when the manager has a live-heap line). So while the heap is
   * pressed, tasks run one at a time; a task alone is always admitted.
   *
   * @throws AdmissionTimeoutException if it is not admitted in time
   * @throws IllegalArgumentException if its minimum exceeds the capacity (it could never be
   *     admitted)
   * @throws InterruptedException if the waiting thread is interrupted; nothing is granted
   */
  public Grant acquire(TaskRequest request) throws InterruptedException {
    Objects.requireNonNull(request, "request");
    if (request.minBytes() > capacity) {
      throw new IllegalArgumentException(
          "task '"
              + request.name()
              + "' needs at least "
              + MemorySize.format(request.minBytes())
              + " but the allocator over '"
              + pool.path()
              + "' only has "
              + MemorySize.format(capacity)
              + " in all; lower the minimum or raise the capacity");
    }
    long start = ticker.read();
    long remaining = request.timeout().toNanos();
    lock.lockInterruptibly();
    Waiter waiter = new Waiter(request, sequence++);
    waiting.add(waiter);
    try {
      for (; ; ) {
        Grant grant = tryAdmitLocked(waiter);
        if (grant != null) {
          return grant;
        }
        if (remaining <= 0) {
          waiting.remove(waiter);
          changed.signalAll();
          throw new AdmissionTimeoutException(
              request.name(),
              request.priority(),
              request.minBytes(),
              capacity - granted,
              capacity,
              active.size(),
              aheadOf(waiter),
              isPausedFor(request.priority()) ? effectivePauseLocked().reason : null,
              heapReasonLocked(request),
              ticker.read() - start);
        }
        // the live heap changes without a signal (a collection): re-check now and then
        long slice = Math.min(remaining, HEAP_RECHECK_NANOS);
        remaining -= slice - changed.awaitNanos(slice);
      }
    } catch (InterruptedException | RuntimeException | Error e) {
      if (waiting.remove(waiter)) {
        changed.signalAll();
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Admits a task only if it can be admitted now, without waiting.
   *
   * <p>Returns {@code null} when it cannot, which try-with-resources accepts (it skips the close):
   *
   * <pre>{@code
   * try (Grant grant = allocator.tryAcquire(request)) {
   *   if (grant == null) {
   *     return; // busy: try later
   *   }
   *   ...
   * }
   * }</pre>
   *
   * @return the grant, or {@code null} if the task cannot be admitted now (or the thread was
   *     interrupted; the interrupt flag is restored)
   * @throws IllegalArgumentException if its minimum exceeds the capacity
   */
  public @Nullable Grant tryAcquire(TaskRequest request) {
    try {
      return acquire(request.timeout(java.time.Duration.ZERO));
    } catch (AdmissionTimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Admits a task, runs it within its grant, closes the grant, and says how it ended. Never throws
   * for the task's own failures: an exception from the task is a FAILED outcome, a {@link
   * TaskStoppedException} a STOPPED one, a time-out or interruption while waiting NOT_ADMITTED (the
   * interrupt flag is restored).
   */
  public <T> TaskOutcome<T> run(TaskRequest request, GrantedTask<T> task) {
    Objects.requireNonNull(task, "task");
    long start = ticker.read();
    TaskRequest attempt = request;
    int attempts = 0;
    TaskStoppedException lastStop = null;
    for (; ; ) {
      Grant grant;
      try {
        grant = acquire(attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return notAdmitted(request, e, lastStop, start, attempts);
      } catch (AdmissionTimeoutException e) {
        return notAdmitted(request, e, lastStop, start, attempts);
      }
      attempts++;
      T result = null;
      Throwable error = null;
      try {
        result = task.run(grant);
      } catch (Throwable t) {
        error = t;
      }
      try {
        grant.close();
      } catch (RuntimeException closeError) {
        if (error == null) {
          error = closeError;
        } else if (error
            != closeError) { // the JVM may throw one preallocated OutOfMemoryError twice
          error.addSuppressed(closeError);
        }
      }
      if (error instanceof TaskStoppedException stopped) {
        if (attempts <= request.retries()) {
          lastStop = stopped;
          retried.increment();
          log.info(
              "memguard: task '{}' stopped ({}); queued again at priority {}, retry {} of {}",
              request.name(),
              stopped.reason(),
              request.retryPriority(),
              attempts,
              request.retries());
          attempt = request.priority(request.retryPriority());
          continue;
        }
        log.info("memguard: task '{}' stopped: {}", request.name(), stopped.getMessage());
        return outcome(
            request, TaskOutcome.Status.STOPPED, null, error, stopped.reason(), start, attempts);
      }
      if (error != null) {
        if (error instanceof VirtualMachineError vmError
            && !(vmError instanceof OutOfMemoryError)) {
          throw vmError;
        }
        return outcome(request, TaskOutcome.Status.FAILED, null, error, null, start, attempts);
      }
      return outcome(request, TaskOutcome.Status.COMPLETED, result, null, null, start, attempts);
    }
  }

  /** Not admitted: on a retry, the task ends as the stop it was retrying. */
  private <T> TaskOutcome<T> notAdmitted(
      TaskRequest request, Exception why, TaskStoppedException lastStop, long start, int attempts) {
    if (lastStop == null) {
      return outcome(request, TaskOutcome.Status.NOT_ADMITTED, null, why, null, start, attempts);
    }
    lastStop.addSuppressed(why);
    return outcome(
        request, TaskOutcome.Status.STOPPED, null, lastStop, lastStop.reason(), start, attempts);
  }

  /** How many times tasks stopped at a safe point were queued again by {@link #run}. */
  public long retriedCount() {
    return retried.sum();
  }

  private <T> TaskOutcome<T> outcome(
      TaskRequest request,
      TaskOutcome.Status status,
      T result,
      Throwable error,
      String reason,
      long start,
      int attempts) {
    long now = ticker.read();
    java.time.Duration duration = java.time.Duration.ofNanos(now - start);
    String detail = reason;
    if (detail == null && error != null) {
      detail = error.getClass().getSimpleName() + ": " + error.getMessage();
    }
    EndedTask end = new EndedTask(request.name(), status, detail, duration, attempts, now);
    endedByStatus[status.ordinal()].increment();
    synchronized (ended) {
      if (ended.size() == decisionLogSize) {
        ended.removeFirst();
      }
      ended.addLast(end);
    }
    pool.manager().rollout().settle(request.name(), Rollout.Outcome.ofTask(status, error));
    return new TaskOutcome<>(request.name(), status, result, error, reason, duration, attempts);
  }

  /**
   * The most recent ends of tasks run by {@link #run} (as many as the decision log keeps, {@link
   * Builder#decisionLogSize}), oldest first; their results are not kept.
   */
  public List<EndedTask> endedTasks() {
    synchronized (ended) {
      return List.copyOf(ended);
    }
  }

  /** How many tasks run by {@link #run} ended with {@code status} since the allocator was built. */
  public long endedCount(TaskOutcome.Status status) {
    return endedByStatus[status.ordinal()].sum();
  }

  private int aheadOf(Waiter waiter) {
    int ahead = 0;
    for (Waiter w : waiting) {
      if (waiting.comparator().compare(w, waiter) < 0) {
        ahead++;
      }
    }
    return ahead;
  }

  private Grant tryAdmitLocked(Waiter waiter) {
    if (waiting.peek() != waiter || isPausedFor(waiter.request.priority())) {
      return null;
    }
    TaskRequest r = waiter.request;
    long free = capacity - granted;
    if (free < r.minBytes()) {
      return null;
    }
    if (!active.isEmpty() && !heapAdmitsLocked(r)) {
      Rollout rollout = pool.manager().rollout();
      ProtectionMode mode = rollout.modeFor(Protection.HEAP_ADMISSION, r.name());
      if (mode != ProtectionMode.OFF && !waiter.heapDecisionRecorded) {
        waiter.heapDecisionRecorded = true;
        rollout.record(
            Protection.HEAP_ADMISSION,
            mode,
            r.name(),
            "hold task '" + r.name() + "' until the heap has room: " + heapShortfallLocked(r));
      }
      if (mode == ProtectionMode.ENFORCE) {
        return null;
      }
    }
    long size =
        Math.min(Math.min(r.desiredBytes(), Math.max(r.minBytes(), fairShareLocked())), free);
    waiting.poll();
    DefaultScope scope = pool.openChild(r.name(), size);
    Grant grant = new Grant(this, r, scope, size, waiter.seq);
    scope.onLiveHeapRefusal(bytes -> makeRoomFor(grant, bytes));
    active.add(grant);
    granted += size;
    changed.signalAll();
    log.debug(
        "memguard: admitted task '{}' (priority {}) with {} (min {}, desired {}, {} active, {} waiting)",
        r.name(),
        r.priority(),
        MemorySize.format(size),
        MemorySize.format(r.minBytes()),
        MemorySize.format(r.desiredBytes()),
        active.size(),
        waiting.size());
    return grant;
  }

  /**
   * Whether the heap has room for one more task beside the running ones: the bytes the running
   * tasks were granted and have not reserved yet, plus what this one desires, must fit below the
   * manager's ELEVATED line on the live heap. So while the heap is pressed tasks run one at a time.
   */
  private boolean heapAdmitsLocked(TaskRequest r) {
    long room = pool.manager().heapAdmissionRoomBytes();
    if (room == Long.MAX_VALUE) {
      return true;
    }
    // compared without adding: a desire of Long.MAX_VALUE ("as much as there is") would overflow
    long unused = unusedGrantedLocked();
    return unused <= room && r.desiredBytes() <= room - unused;
  }

  /** What the running tasks were granted and have not reserved yet. */
  private long unusedGrantedLocked() {
    long unused = 0;
    for (Grant g : active) {
      unused += Math.max(0, g.grantedBytes() - g.scope().reservedBytes());
    }
    return unused;
  }

  /** Why the heap keeps {@code r} out now, or null. */
  private String heapReasonLocked(TaskRequest r) {
    if (active.isEmpty()
        || heapAdmitsLocked(r)
        || pool.manager().rollout().modeFor(Protection.HEAP_ADMISSION, r.name())
            != ProtectionMode.ENFORCE) {
      return null;
    }
    return heapShortfallLocked(r);
  }

  private String heapShortfallLocked(TaskRequest r) {
    return "it desires "
        + MemorySize.format(r.desiredBytes())
        + ", the running tasks were granted "
        + MemorySize.format(unusedGrantedLocked())
        + " they have not reserved yet, and the live heap has "
        + MemorySize.format(Math.max(0, pool.manager().heapAdmissionRoomBytes()))
        + " below its ELEVATED line";
  }

  private long fairShareLocked() {
    int tasks = active.size() + waiting.size();
    return tasks == 0 ? capacity : capacity / tasks;
  }

  /** The fair share now: capacity divided by the tasks holding or waiting for grants. */
  public long fairShareBytes() {
    lock.lock();
    try {
      return fairShareLocked();
    } finally {
      lock.unlock();
    }
  }

  /** The result of one rebalance, read under the allocator's lock. */
  record Rebalance(long grantedBytes, long fairShareBytes, int waiting) {}

  Rebalance rebalance(Grant grant) {
    lock.lock();
    try {
      if (!active.contains(grant)) {
        return new Rebalance(grant.grantedBytesLocked(), fairShareLocked(), waiting.size());
      }
      long current = grant.grantedBytesLocked();
      long target = current;
      if (!waiting.isEmpty()) {
        long fair = fairShareLocked();
        if (current > fair) {
          target =
              Math.max(Math.max(fair, grant.request().minBytes()), grant.scope().reservedBytes());
        }
      } else if (current < grant.request().desiredBytes()) {
        target = Math.min(grant.request().desiredBytes(), current + (capacity - granted));
      }
      if (target != current) {
        granted += target - current;
        grant.setGrantedLocked(target);
        changed.signalAll();
        log.debug(
            "memguard: task '{}' grant {} -> {} ({} active, {} waiting)",
            grant.taskName(),
            MemorySize.format(current),
            MemorySize.format(target),
            active.size(),
            waiting.size());
      }
      return new Rebalance(target, fairShareLocked(), waiting.size());
    } finally {
      lock.unlock();
    }
  }

  void release(Grant grant) {
    lock.lock();
    try {
      if (active.remove(grant)) {
        granted -= grant.grantedBytesLocked();
        if (grant.scope().peakReservedBytes() > 0) {
          long now = ticker.read();
          pruneEndedLocked(now);
          if (recentlyEnded.size() == 64) {
            recentlyEnded.removeFirst();
          }
          recentlyEnded.addLast(new long[] {now, grant.priority()});
        }
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- pausing ---------------------------------------------------------------------------------

  /**
   * Stops admitting tasks with a priority below {@code priority}; admitted tasks go on. A second
   * call replaces the first; {@link #resume()} ends it. Pauses held by others ({@link #holdPause},
   * an emergency guard's) are separate: admission stays paused below the highest of them all.
   */
  public void pause(int priority, String reason) {
    lock.lock();
    try {
      manualPause = new HeldPause(priority, reason == null ? "paused" : reason);
      log.info("memguard: admission paused below priority {} ({})", priority, manualPause.reason);
      pauseChanged();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the pause {@link #pause} set and admits the tasks it held back, in priority order; tasks
   * that a pause still held by others ({@link #holdPause}) holds back keep waiting for it.
   */
  public void resume() {
    lock.lock();
    try {
      if (manualPause != null) {
        manualPause = null;
        pauseChanged();
        log.info("memguard: admission resumed ({} waiting)", waiting.size());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops admitting tasks with a priority below {@code priority} until the returned registration is
   * closed (closing it twice is harmless). Each holder's pause is its own: admission stays paused
   * below the highest priority any holder (or {@link #pause}) asks for, so one holder ending its
   * pause does not end another's.
   *
   * @since 0.1.0
   */
  public Registration holdPause(int priority, String reason) {
    HeldPause held = new HeldPause(priority, reason == null ? "paused" : reason);
    lock.lock();
    try {
      heldPauses.add(held);
      log.info("memguard: admission paused below priority {} ({})", priority, held.reason);
      pauseChanged();
    } finally {
      lock.unlock();
    }
    return Registration.once(
        () -> {
          lock.lock();
          try {
            heldPauses.remove(held);
            pauseChanged();
            log.info(
                "memguard: pause below priority {} ended ({}; {} waiting)",
                priority,
                held.reason,
                waiting.size());
          } finally {
            lock.unlock();
          }
        });
  }

  /** One pause: admission held back below {@code below}. Compared by identity. */
  private static final class HeldPause {
    final int below;
    final String reason;

    HeldPause(int below, String reason) {
      this.below = below;
      this.reason = reason;
    }
  }

  /** A pause began or ended: wakes the waiting tasks to look again. Under the lock. */
  private void pauseChanged() {
    changed.signalAll();
  }

  /** The pause in effect, the holder's with the highest priority, or null. Under the lock. */
  private HeldPause effectivePauseLocked() {
    HeldPause highest = manualPause;
    for (HeldPause h : heldPauses) {
      if (highest == null || h.below > highest.below) {
        highest = h;
      }
    }
    return highest;
  }

  /** True while admission is paused for some priorities. */
  public boolean isPaused() {
    lock.lock();
    try {
      return effectivePauseLocked() != null;
    } finally {
      lock.unlock();
    }
  }

  private boolean isPausedFor(int priority) {
    HeldPause pause = effectivePauseLocked();
    return pause != null && priority < pause.below;
  }

  /**
   * The live heap refused {@code requester} a reservation: asks every running task of lower
   * priority to stop at its next safe point, so that its memory comes back. Returns whether any
   * lower-priority task is running, or one ended within the last few seconds (then the requester
   * may wait for its memory: a task's memory counts as live until the JVM collects it).
   */
  boolean makeRoomFor(Grant requester, long bytes) {
    List<Grant> lower = new ArrayList<>();
    boolean lowerEndedRecently = false;
    lock.lock();
    try {
      for (Grant g : active) {
        if (g != requester && !g.isClosed() && g.priority() < requester.priority()) {
          lower.add(g);
        }
      }
      pruneEndedLocked(ticker.read());
      for (long[] ended : recentlyEnded) {
        lowerEndedRecently |= ended[1] < requester.priority();
      }
    } finally {
      lock.unlock();
    }
    for (Grant g : lower) {
      g.cancellation()
          .cancel(
              "stopped to make room on the heap: task '"
                  + requester.taskName()
                  + "' (priority "
                  + requester.priority()
                  + ") needs "
                  + MemorySize.format(bytes)
                  + " and the live heap or the process's memory is at the manager's line");
    }
    return !lower.isEmpty() || lowerEndedRecently;
  }

  /**
   * How long a lower-priority task's end lets a refused task wait: the memory it held is garbage,
   * but the heap's last collection may still count it as live until the JVM collects again.
   */
  static final long ENDED_TASK_WINDOW_NANOS = DefaultScope.LIVE_HEAP_WAIT_NANOS;

  private void pruneEndedLocked(long now) {
    while (!recentlyEnded.isEmpty()
        && now - recentlyEnded.peekFirst()[0] > ENDED_TASK_WINDOW_NANOS) {
      recentlyEnded.removeFirst();
    }
  }

  /** The grants held now, in admission order. */
  public List<Grant> activeGrants() {
    lock.lock();
    try {
      return new ArrayList<>(active);
    } finally {
      lock.unlock();
    }
  }

  /** How many tasks wait for admission now. */
  public int waitingCount() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  // ---- batch sizing ----------------------------------------------------------------------------

  /**
   * The largest batch in [minBatch, maxBatch] whose items fit in {@code availableBytes} less the
   * safety margin. If not even {@code minBatch} fits, returns minBatch with {@code fits == false}.
   * The decision is logged at DEBUG and kept in {@link #decisions()}.
   *
   * @throws IllegalArgumentException if bytesPerItem {@code <= 0}, minBatch {@code < 1} or maxBatch
   *     {@code < minBatch}
   */
  public BatchDecision sizeBatch(
      String task, long availableBytes, long bytesPerItem, int minBatch, int maxBatch) {
    if (bytesPerItem <= 0) {
      throw new IllegalArgumentException("bytesPerItem must be > 0, got " + bytesPerItem);
    }
    if (minBatch < 1 || maxBatch < minBatch) {
      throw new IllegalArgumentException(
          "need 1 <= minBatch <= maxBatch, got " + minBatch + " and " + maxBatch);
    }
    long usable = (long) (Math.max(0, availableBytes) * (1 - safetyMargin));
    long fit = usable / bytesPerItem;
    int size;
    boolean fits = true;
    String reason;
    if (fit >= maxBatch) {
      size = maxBatch;
      reason = "capped at the maximum batch " + maxBatch + " (" + fit + " would fit)";
    } else if (fit >= minBatch) {
      size = (int) fit;
      reason =
          size
              + " x "
              + MemorySize.format(bytesPerItem)
              + " fit in "
              + MemorySize.format(usable)
              + " usable ("
              + MemorySize.format(availableBytes)
              + " available, "
              + Math.round(safetyMargin * 100)
              + "% margin)";
    } else {
      size = minBatch;
      fits = false;
      reason =
          "even the minimum batch "
              + minBatch
              + " x "
              + MemorySize.format(bytesPerItem)
              + " exceeds "
              + MemorySize.format(usable)
              + " usable ("
              + MemorySize.format(availableBytes)
              + " available)";
    }
    BatchDecision d =
        new BatchDecision(
            task,
            availableBytes,
            bytesPerItem,
            safetyMargin,
            minBatch,
            maxBatch,
            size,
            fits,
            reason,
            ticker.read());
    log.debug("memguard: batch size for '{}': {} ({})", task, size, reason);
    synchronized (decisions) {
      if (decisions.size() == decisionLogSize) {
        decisions.removeFirst();
      }
      decisions.addLast(d);
    }
    return d;
  }

  /** The most recent batch-size decisions, oldest first. */
  public List<BatchDecision> decisions() {
    synchronized (decisions) {
      return List.copyOf(decisions);
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "ResourceAllocator["
          + pool.path()
          + ", capacity="
          + MemorySize.format(capacity)
          + ", granted="
          + MemorySize.format(granted)
          + ", active="
          + active.size()
          + ", waiting="
          + waiting.size()
          + (effectivePauseLocked() == null ? "" : ", paused")
          + "]";
    } finally {
      lock.unlock();
    }
  }

  private static final class Waiter {
    final TaskRequest request;
    final long seq;

    /** Whether the heap's admission decision about this waiter was given to the rollout. */
    boolean heapDecisionRecorded;

    Waiter(TaskRequest request, long seq) {
      this.request = request;
      this.seq = seq;
    }
  }

  /** Builds a {@link ResourceAllocator}. Not thread-safe. */
  public static final class Builder {
    private final DefaultScope pool;
    private MemorySize capacity;
    private double safetyMargin = 0.2;
    private int decisionLogSize = 256;

    private Builder(DefaultScope pool) {
      this.pool = pool;
    }

    /**
     * The bytes to share out; default the pool's limit, or its available bytes when it has none.
     */
    public Builder capacity(MemorySize bytes) {
      this.capacity = Objects.requireNonNull(bytes, "capacity");
      return this;
    }

    /** The share of available memory batch sizing keeps free, in [0, 1); default 0.2. */
    public Builder safetyMargin(double margin) {
      if (!(margin >= 0 && margin < 1)) {
        throw new IllegalArgumentException("safety margin must be in [0, 1), got " + margin);
      }
      this.safetyMargin = margin;
      return this;
    }

    /**
     * How many batch decisions (and ended tasks, {@link ResourceAllocator#endedTasks}) to keep;
     * default 256.
     */
    public Builder decisionLogSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("decision log size must be >= 1, got " + size);
      }
      this.decisionLogSize = size;
      return this;
    }

    /** Builds the allocator. */
    public ResourceAllocator build() {
      return new ResourceAllocator(this);
    }
  }
}
