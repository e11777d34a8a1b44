package io.memguard.monitor;

/**
 * How urgent an {@link Alert} is, from least to most. Escalation moves an alert one step up.
 *
 * @since 0.1.0
 */
public enum Severity {
  /** Worth knowing; no action needed. */
  INFO,
  /** Needs attention soon. */
  WARNING,
  /** Needs action now or the process may fail. */
  CRITICAL,
  /** The process is about to fail; memguard's emergency measures are running. */
  EMERGENCY;

  /** The next severity up, or this one if it is the highest. */
  public Severity next() {
    return this == EMERGENCY ? EMERGENCY : values()[ordinal() + 1];
  }

  /** True when this severity is {@code other} or more urgent. */
  public boolean isAtLeast(Severity other) {
    return compareTo(other) >= 0;
  }
}
