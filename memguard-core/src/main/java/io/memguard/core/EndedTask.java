package io.memguard.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a task run by {@link ResourceAllocator#run} ended, without its result (so that the
 * allocator's log of {@link ResourceAllocator#endedTasks()} keeps no task's data reachable). An
 * immutable value; thread-safe.
 *
 * @param taskName the request's name
 * @param status how it ended
 * @param detail the stop reason of a STOPPED task, the exception's class and message of a FAILED or
 *     NOT_ADMITTED one; null for COMPLETED
 * @param duration from the first admission request to the end, retries included
 * @param attempts how many times it was admitted (more than 1 after retries; 0 if never)
 * @param endNanoTime the allocator's ticker when it ended, in nanoseconds
 * @since 0.1.0
 */
public record EndedTask(
    String taskName,
    TaskOutcome.Status status,
    @Nullable String detail,
    Duration duration,
    int attempts,
    long endNanoTime) {

  /** Validates. */
  public EndedTask {
    Objects.requireNonNull(taskName, "taskName");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(duration, "duration");
  }
}
