package io.memguard.core;

/**
 * Bytes accounted against a {@link MemoryScope} and all its ancestors until released. Release it
 * with try-with-resources or {@link #close()}; releasing twice does nothing. It can grow and shrink
 * while held.
 *
 * <p>A reservation that becomes unreachable without being released is caught by a {@link
 * java.lang.ref.Cleaner} safety net (unless the manager's {@link LeakDetection} is {@code OFF}):
 * its bytes are released and a leak is reported with the scope path, and with the creation stack
 * trace under {@link LeakDetection#TRACK_SITES}.
 *
 * <p>Thread-safe: release may come from any thread; grow and shrink are atomic with respect to
 * release (a resize of a released reservation throws {@link IllegalStateException}).
 *
 * @since 0.1.0
 */
public interface Reservation extends AutoCloseable {

  /** The bytes held now; 0 once released. */
  long bytes();

  /** The scope the bytes are reserved in. */
  MemoryScope scope();

  /** True once released, explicitly or by the scope's close. */
  boolean isReleased();

  /**
   * Adds bytes to this reservation.
   *
   * @throws MemoryBudgetExceededException if they do not fit; the reservation is unchanged
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if the reservation was released or its scope closed
   */
  void grow(long bytes);

  /**
   * Gives back bytes from this reservation.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative or more than {@link #bytes()}
   * @throws IllegalStateException if the reservation was released or its scope closed
   */
  void shrink(long bytes);

  /**
   * Grows or shrinks to exactly {@code newBytes}; same exceptions as {@link #grow} and {@link
   * #shrink}.
   */
  void resize(long newBytes);

  /** Releases the bytes; idempotent and never throws. */
  @Override
  void close();
}
