package io.memguard.core;

import org.jspecify.annotations.Nullable;

/**
 * A task was not admitted by a {@link ResourceAllocator} within its time-out. Nothing was granted.
 * The numbers at the moment the wait ended are in the message and in the accessors, so a caller can
 * tell a paused allocator ({@link #pausedReason()}) from a full one ({@link #freeBytes()} below
 * {@link #minBytes()}). Immutable.
 *
 * @since 0.1.0
 */
public final class AdmissionTimeoutException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final String taskName;
  private final int priority;
  private final long minBytes;
  private final long freeBytes;
  private final long capacityBytes;
  private final int activeTasks;
  private final int waitingAhead;
  private final String pausedReason;
  private final @Nullable String heapReason;
  private final long waitedNanos;

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
    this(
        taskName,
        priority,
        minBytes,
        freeBytes,
        capacityBytes,
        activeTasks,
        waitingAhead,
        pausedReason,
        null,
        waitedNanos);
  }

  /**
   * As the other constructor, with why the live heap kept the task out ({@code null} when it did
   * not).
   */
  public AdmissionTimeoutException(
      String taskName,
      int priority,
      long minBytes,
      long freeBytes,
      long capacityBytes,
      int activeTasks,
      int waitingAhead,
      String pausedReason,
      @Nullable String heapReason,
      long waitedNanos) {
    super(
        "task '"
            + taskName
            + "' (priority "
            + priority
            + ") was not admitted within "
            + waitedNanos / 1_000_000
            + " ms: it needs at least "
            + MemorySize.format(minBytes)
            + ", "
            + MemorySize.format(freeBytes)
            + " of "
            + MemorySize.format(capacityBytes)
            + " are free, "
            + activeTasks
            + " task(s) hold grants, "
            + waitingAhead
            + " wait ahead of it"
            + (pausedReason == null ? "" : ", admission is paused (" + pausedReason + ")")
            + (heapReason == null
                ? ""
                : ", the heap has no room for it beside them (" + heapReason + ")")
            + ". Lower its minimum, raise the time-out or the capacity, or run it later.");
    this.taskName = taskName;
    this.priority = priority;
    this.minBytes = minBytes;
    this.freeBytes = freeBytes;
    this.capacityBytes = capacityBytes;
    this.activeTasks = activeTasks;
    this.waitingAhead = waitingAhead;
    this.pausedReason = pausedReason;
    this.heapReason = heapReason;
    this.waitedNanos = waitedNanos;
  }

  /**
   * Why the live heap kept the task out while other tasks ran (see {@link
   * ResourceAllocator#acquire(TaskRequest)}), or {@code null} when it did not.
   */
  public @Nullable String heapReason() {
    return heapReason;
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

  /** The task's priority. */
  public int priority() {
    return priority;
  }

  /** The allocator's capacity, in bytes. */
  public long capacityBytes() {
    return capacityBytes;
  }

  /** How many tasks held grants when it gave up. */
  public int activeTasks() {
    return activeTasks;
  }

  /** How many waiters were queued ahead of it when it gave up. */
  public int waitingAhead() {
    return waitingAhead;
  }

  /**
   * Why admission was paused for its priority when it gave up (the emergency guard's reason, for
   * example), or empty if it was not paused.
   */
  public java.util.Optional<String> pausedReason() {
    return java.util.Optional.ofNullable(pausedReason);
  }

  /** How long it waited. */
  public java.time.Duration waited() {
    return java.time.Duration.ofNanos(waitedNanos);
  }
}
