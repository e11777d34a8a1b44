package io.memguard.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A node of a {@link MemoryManager}'s scope tree: reservations, child scopes and cleanup actions
 * hang on it, and an optional limit caps what it and its descendants may reserve. Use it with
 * try-with-resources:
 *
 * <pre>{@code
 * try (MemoryScope batch = parent.openChild("batch-3", MemorySize.ofMebibytes(64));
 *      Reservation block = batch.reserve(rows * cols * Double.BYTES)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Closing a scope closes its open children first, runs its cleanup actions last-registered
 * first, then releases every reservation still held and reports it as a leak (logged at WARN and
 * sent to the manager's leak listeners), never silently. Closing twice does nothing; any other use
 * of a closed scope throws {@link IllegalStateException}.
 *
 * <p>All sizes are bytes. {@link #reservedBytes()} includes descendants, and a reservation counts
 * against this scope's limit and every ancestor's. All methods are thread-safe; reserve and release
 * are lock-free.
 *
 * @since 0.1.0
 */
public interface MemoryScope extends AutoCloseable {

  /** Returned by {@link #limitBytes()} when the scope has no limit of its own. */
  long NO_LIMIT = -1;

  /** The name given when the scope was opened. */
  String name();

  /** The names from the root, joined by {@code /}, e.g. {@code root/train/batch-3}. */
  String path();

  /** The parent scope; empty for the manager's root scope. */
  Optional<MemoryScope> parent();

  /** The manager this scope belongs to. */
  MemoryManager manager();

  /** This scope's own limit in bytes, or {@link #NO_LIMIT}. */
  long limitBytes();

  /** Bytes reserved in this scope and its descendants now. */
  long reservedBytes();

  /** The highest {@link #reservedBytes()} seen since the scope opened. */
  long peakReservedBytes();

  /**
   * Bytes that could be reserved here now: the least free room of this scope and its ancestors. A
   * snapshot; concurrent reservations may take it.
   */
  long availableBytes();

  /** Reservations made directly in this scope and not yet released. */
  long liveReservations();

  /**
   * Bytes the measuring threads really allocated inside this scope and its descendants, as measured
   * by {@link #meterAllocations()}; 0 when never measured.
   */
  long allocatedBytes();

  /** True once {@link #close()} has started. */
  boolean isClosed();

  /**
   * Reserves bytes, failing at once if they do not fit. A scope holds at most 256 TiB
   * (2<sup>48</sup> - 1 bytes) whatever its limit says: more than any heap or machine, and what
   * lets a reservation and its release each be a single atomic update of the scope's word.
   *
   * @param bytes at least 0
   * @throws MemoryBudgetExceededException if this scope's or an ancestor's limit (or the 256 TiB a
   *     scope holds) would be exceeded
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if the scope is closed
   */
  Reservation reserve(long bytes);

  /**
   * Reserves bytes, waiting up to {@code timeout} for other reservations to be released.
   *
   * @throws MemoryBudgetExceededException if they still do not fit when the time-out ends
   * @throws InterruptedException if the waiting thread is interrupted
   * @throws IllegalArgumentException if {@code bytes} is negative, larger than a limit on the path
   *     or than the 256 TiB a scope holds (it could never fit)
   * @throws IllegalStateException if the scope is closed
   */
  Reservation reserve(long bytes, Duration timeout) throws InterruptedException;

  /**
   * Reserves bytes if they fit now, otherwise returns empty.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if the scope is closed
   */
  Optional<Reservation> tryReserve(long bytes);

  /** Opens a child scope without a limit of its own (its ancestors' limits still apply). */
  MemoryScope openChild(String name);

  /**
   * Opens a child scope with a limit.
   *
   * @throws IllegalStateException if this scope is closed
   */
  MemoryScope openChild(String name, MemorySize limit);

  /** The children that are open now. */
  List<MemoryScope> children();

  /**
   * Runs {@code action} when this scope closes (in stage {@link CleanupStage#INTERMEDIATES}). It is
   * a cleanup action of that stage, so it also runs, while the scope is still open, when the
   * manager's cleanup runs that stage (the emergency guard does, under memory pressure): register
   * only what may be released while the scope's work goes on (intermediate results it can
   * recompute), never memory the work will read again, such as a native buffer still in use.
   *
   * @return a registration that removes the action if closed first
   */
  Registration onClose(String name, Runnable action);

  /**
   * Registers a cleanup action on this scope: it runs when the scope closes, and also in on-demand
   * runs of its stage through {@link CleanupManager}.
   */
  Registration registerCleanup(String name, CleanupStage stage, CleanupAction action);

  /**
   * Starts measuring what the current thread allocates; closing the meter adds that to this scope's
   * {@link #allocatedBytes()} (and its ancestors'). Uses {@code
   * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}; where the JVM lacks it, the
   * meter measures 0.
   */
  AllocationMeter meterAllocations();

  /** A consistent-enough view of this scope and its open descendants. */
  ScopeSnapshot snapshot();

  /**
   * Closes the scope and returns what closing did. On a scope already closed, returns the report of
   * the first close.
   *
   * @throws CleanupException after everything was closed and released, if a cleanup action threw
   */
  ScopeCloseReport closeAndReport();

  /**
   * Closes the scope: children first, then cleanup actions, then outstanding reservations (reported
   * as leaks). Idempotent.
   *
   * @throws CleanupException after everything was closed and released, if a cleanup action threw
   */
  @Override
  void close();
}
