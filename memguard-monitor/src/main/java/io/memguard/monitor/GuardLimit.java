package io.memguard.monitor;

/**
 * Which limit put the {@link EmergencyGuard} where it is.
 *
 * @since 0.1.0
 */
public enum GuardLimit {
  /** Nothing is near a limit. */
  NONE,
  /** The heap's live set after GC against max heap. */
  HEAP_LIVE,
  /** The heap in use now, garbage included: an early warning that never makes an emergency. */
  HEAP_USED,
  /** The process's resident set against the container or system memory. */
  RSS,
  /** Memory available on the host or in the container, taken by this or other processes. */
  SYSTEM_AVAILABLE
}
