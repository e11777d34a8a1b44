package io.memguard.core;

/**
 * A task was not admitted by a {@link ResourceAllocator} within its time-out. Nothing was granted.
 */
public final class AdmissionTimeoutException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final String taskName;
  private final long minBytes;
  private final long freeBytes;

  /** Builds the message from the numbers at the moment the wait ended. */
  public AdmissionTimeoutException(
      String taskName,
      int priority,
      long minBytes,
      long freeBytes,
      long capacityBytes,
      int activeTasks,
      int waitingAhead,
      String pausedReason,
      long waitedNanos) {
    super(
        "task '" + taskName + "' (priority " + priority + ") was not admitted within "
            + waitedNanos / 1_000_000 + " ms: it needs at least " + MemorySize.format(minBytes)
            + ", " + MemorySize.format(freeBytes) + " of " + MemorySize.format(capacityBytes)
            + " are free, " + activeTasks + " task(s) hold grants, " + waitingAhead
            + " wait ahead of it"
            + (pausedReason == null ? "" : ", admission is paused (" + pausedReason + ")")
            + ". Lower its minimum, raise the time-out or the capacity, or run it later.");
    this.taskName = taskName;
    this.minBytes = minBytes;
    this.freeBytes = freeBytes;
  }

  /** The task that was not admitted. */
  public String taskName() {
    return taskName;
  }

  /** The least it asked for, in bytes. */
  public long minBytes() {
    return minBytes;
  }

  /** The bytes free when it gave up. */
  public long freeBytes() {
    return freeBytes;
  }
}
