package io.memguard.core;

/**
 * How a {@link Protection} runs.
 *
 * @since 0.1.0
 */
public enum ProtectionMode {
  /** It decides nothing and records nothing. */
  OFF,
  /**
   * Shadow mode: it decides as it would and records what it would have done ({@link
   * Rollout#decisions()}), and acts on nothing.
   */
  OBSERVE,
  /** It decides and acts (for the canary share of tasks, the others observed). */
  ENFORCE
}
