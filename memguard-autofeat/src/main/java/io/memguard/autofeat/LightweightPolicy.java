package io.memguard.autofeat;

/**
 * When a fit may use its lightweight plan: last-step features recomputed instead of stored and, as
 * far as the memory requires, float storage, narrower selection chunks and a search for features on
 * a subset of the rows (see {@link FitPlan}). Thread-safe.
 *
 * @since 0.1.0
 */
public enum LightweightPolicy {
  /**
   * The default: the normal plan when its predicted peak fits the memory available; the lightweight
   * plan when it does not, or when the pressure level reaches {@link
   * io.memguard.core.PressureLevel#CRITICAL CRITICAL} during the search for features, or when a
   * reservation of the normal plan is refused.
   */
  AUTO,
  /**
   * Never degrade: a fit whose normal plan does not fit fails at once with {@link
   * InsufficientMemoryException}; under CRITICAL pressure it only shrinks its batches.
   */
  NEVER,
  /** Always use the lightweight plan (on as many rows as the memory allows, up to all). */
  ALWAYS
}
