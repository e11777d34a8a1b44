package io.memguard.monitor;

/**
 * The read-only JMX view of a memory manager and its monitor, registered by {@link
 * MemguardJmx#register}: what a JMX console (JConsole, JMC, a JMX exporter) shows under {@code
 * io.memguard:type=MemoryManager,name=<manager>}. Sizes in bytes; -1 where unknown (before the
 * first sample, or where the platform does not say). Each read is a few volatile reads or one short
 * lock of the allocator; thread-safe.
 *
 * @since 0.1.0
 */
public interface MemguardMXBean {
  /** The manager's name. */
  String getManagerName();

  /** The manager's budget in bytes. */
  long getBudgetBytes();

  /** Bytes reserved in the manager's scopes now. */
  long getReservedBytes();

  /** Scopes open in the manager. */
  int getOpenScopes();

  /** The pressure level: NORMAL, ELEVATED, CRITICAL or EMERGENCY. */
  String getPressureLevel();

  /** Heap in use after the last collection, at the latest sample. */
  long getLiveHeapBytes();

  /** Heap in use, garbage included, at the latest sample. */
  long getHeapUsedBytes();

  /** The maximum heap. */
  long getHeapMaxBytes();

  /** The process's resident set size at the latest sample. */
  long getRssBytes();

  /** The container's memory limit, -1 if none. */
  long getContainerLimitBytes();

  /** Snapshots the monitor has taken. */
  long getSamples();

  /** The leak detector's state: NONE, SUSPECTED or LEAK. */
  String getLeakState();

  /** Leak reports the detector keeps. */
  int getLeakReports();

  /** Open alerts. */
  int getActiveAlerts();

  /** The guard's level, or OFF when the monitor runs no guard. */
  String getGuardLevel();

  /** Emergencies the guard entered; 0 without a guard. */
  long getGuardEmergencies();

  /** Tasks the guard asked to stop; 0 without a guard. */
  long getGuardTasksStopRequested();

  /** Tasks holding an allocator grant. */
  int getTasksActive();

  /** Tasks waiting for admission. */
  int getTasksWaiting();

  /** Bytes granted to running tasks. */
  long getGrantedBytes();

  /** The rollout's settings, e.g. {@code EMERGENCY_GUARD=ENFORCE, AUTOFEAT_LIGHTWEIGHT=OBSERVE}. */
  String getRollout();

  /**
   * The protections' decisions and what followed them, one line per protection, e.g. {@code
   * EMERGENCY_GUARD: enforced 3 (completed 2, stopped 1); observed 0}.
   */
  String getRolloutOutcomes();

  /**
   * Switches a protection ({@code EMERGENCY_GUARD}, {@code AUTOFEAT_LIGHTWEIGHT}, {@code
   * HEAP_ADMISSION}, {@code LEAK_ACTIONS}) to {@code setting} ({@code OFF}, {@code OBSERVE}, {@code
   * ENFORCE} or {@code ENFORCE:<canary share>}); logged and kept as a switch "by JMX".
   *
   * @throws IllegalArgumentException for an unknown protection or a malformed setting
   */
  void setProtectionMode(String protection, String setting);
}
