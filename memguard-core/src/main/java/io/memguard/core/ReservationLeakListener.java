package io.memguard.core;

/**
 * Told of every {@link ReservationLeak}. Called on the thread that found it: the closing thread, or
 * the Cleaner's thread for collected reservations. Whatever it throws (an {@code Error} or a
 * checked exception included) is logged and ignored.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ReservationLeakListener {

  /** Called once per leak found. */
  void onLeak(ReservationLeak leak);
}
