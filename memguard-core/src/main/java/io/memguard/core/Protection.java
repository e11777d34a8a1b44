package io.memguard.core;

/**
 * The protections a {@link Rollout} switches between {@link ProtectionMode}s.
 *
 * @since 0.1.0
 */
public enum Protection {
  /** The emergency guard's actions: pausing admission, asking tasks to stop, cleanup stages. */
  EMERGENCY_GUARD,
  /** AutoFeat's automatic switch to its lightweight plan under CRITICAL pressure. */
  AUTOFEAT_LIGHTWEIGHT,
  /** The allocator's admission by the live heap (a task waits while the heap has no room). */
  HEAP_ADMISSION,
  /**
   * The leak detector's class histograms, taken to name a suspected leak's classes: each forces a
   * full collection of the heap.
   */
  LEAK_ACTIONS;

  /**
   * The outcomes this protection's decisions can be followed by (see {@link Rollout#settle}), in
   * declaration order: what a dashboard or a metric shows for it.
   */
  public java.util.Set<Rollout.Outcome> outcomes() {
    return switch (this) {
      case EMERGENCY_GUARD ->
          java.util.EnumSet.complementOf(
              java.util.EnumSet.of(Rollout.Outcome.LEAK_REPORTED, Rollout.Outcome.LEAK_CLEARED));
      case AUTOFEAT_LIGHTWEIGHT, HEAP_ADMISSION ->
          java.util.EnumSet.range(Rollout.Outcome.COMPLETED, Rollout.Outcome.OUT_OF_MEMORY);
      case LEAK_ACTIONS ->
          java.util.EnumSet.of(Rollout.Outcome.LEAK_REPORTED, Rollout.Outcome.LEAK_CLEARED);
    };
  }

  /** The system-property name of this protection's start mode, e.g. {@code emergency-guard}. */
  public String propertyName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
