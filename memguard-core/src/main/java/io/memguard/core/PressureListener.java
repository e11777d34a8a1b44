package io.memguard.core;

/**
 * Told when the manager's {@link PressureLevel} changes. Called on the thread that caused the
 * change (a reserve, a release or a refresh), so it must be quick and must not reserve memory from
 * the same manager. Whatever it throws (an {@code Error} or a checked exception included) is logged
 * and otherwise ignored.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface PressureListener {

  /** Called once per level change, in order, never concurrently for one manager. */
  void onPressureChange(PressureChange change);
}
