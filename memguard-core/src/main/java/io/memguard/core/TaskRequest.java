package io.memguard.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a task asks of a {@link ResourceAllocator}: its name, priority, the least memory it can work
 * with, the memory it would like, and how long it may wait. Immutable; each {@code with} method
 * returns a copy. Defaults: priority 0, min 0, desired = min, time-out 30 s.
 *
 * @since 0.1.0
 */
public final class TaskRequest {
  private final String name;
  private final int priority;
  private final long minBytes;
  private final long desiredBytes;
  private final Duration timeout;
  private final int retries;
  private final int retryPriority;

  private TaskRequest(
      String name,
      int priority,
      long minBytes,
      long desiredBytes,
      Duration timeout,
      int retries,
      int retryPriority) {
    this.name = name;
    this.priority = priority;
    this.minBytes = minBytes;
    this.desiredBytes = desiredBytes;
    this.timeout = timeout;
    this.retries = retries;
    this.retryPriority = retryPriority;
  }

  /** A request for a task called {@code name}. */
  public static TaskRequest named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "task name must be non-blank without '/', got '" + name + "'");
    }
    return new TaskRequest(name, 0, 0, 0, Duration.ofSeconds(30), 0, 0);
  }

  /** Higher runs first and is stopped last; ties go to the earlier request. */
  public TaskRequest priority(int taskPriority) {
    return new TaskRequest(
        name, taskPriority, minBytes, desiredBytes, timeout, retries, retryPriority);
  }

  /**
   * The least the task can work with, in bytes; raises desired to match if needed.
   *
   * @throws IllegalArgumentException if negative
   */
  public TaskRequest minBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("minBytes must be >= 0, got " + bytes);
    }
    return new TaskRequest(
        name, priority, bytes, Math.max(bytes, desiredBytes), timeout, retries, retryPriority);
  }

  /**
   * What the task would like, in bytes.
   *
   * @throws IllegalArgumentException if below {@link #minBytes()}
   */
  public TaskRequest desiredBytes(long bytes) {
    if (bytes < minBytes) {
      throw new IllegalArgumentException(
          "desiredBytes (" + bytes + ") must be >= minBytes (" + minBytes + ")");
    }
    return new TaskRequest(name, priority, minBytes, bytes, timeout, retries, retryPriority);
  }

  /**
   * How long {@link ResourceAllocator#acquire(TaskRequest)} may wait.
   *
   * @throws IllegalArgumentException if negative
   */
  public TaskRequest timeout(Duration wait) {
    Objects.requireNonNull(wait, "timeout");
    if (wait.isNegative()) {
      throw new IllegalArgumentException("timeout must be >= 0, got " + wait);
    }
    return new TaskRequest(name, priority, minBytes, desiredBytes, wait, retries, retryPriority);
  }

  /**
   * A task stopped at a safe point (a {@link TaskStoppedException}, for example by the emergency
   * guard) is queued again, up to {@code times} times, with {@code priority}, and run again from
   * the start once it is re-admitted (after recovery: the guard pauses admission while it acts).
   * Only {@link ResourceAllocator#run(TaskRequest, GrantedTask)} retries; a failure that is not a
   * stop is never retried. Default: no retry.
   *
   * @throws IllegalArgumentException if {@code times} is negative
   */
  public TaskRequest retryWhenStopped(int times, int priority) {
    if (times < 0) {
      throw new IllegalArgumentException("retries must be >= 0, got " + times);
    }
    return new TaskRequest(name, this.priority, minBytes, desiredBytes, timeout, times, priority);
  }

  /** How many times a stopped task is queued again (0 by default). */
  public int retries() {
    return retries;
  }

  /** The priority a stopped task is queued again with. */
  public int retryPriority() {
    return retryPriority;
  }

  /** The task's name. */
  public String name() {
    return name;
  }

  /** The task's priority. */
  public int priority() {
    return priority;
  }

  /** The least it can work with, in bytes. */
  public long minBytes() {
    return minBytes;
  }

  /** What it would like, in bytes. */
  public long desiredBytes() {
    return desiredBytes;
  }

  /** How long it may wait for admission. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return "TaskRequest["
        + name
        + ", priority="
        + priority
        + ", min="
        + MemorySize.format(minBytes)
        + ", desired="
        + MemorySize.format(desiredBytes)
        + ", timeout="
        + timeout
        + (retries > 0 ? ", retries=" + retries + " at priority " + retryPriority : "")
        + "]";
  }
}
