package io.memguard.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a task run through {@link ResourceAllocator#run(TaskRequest, GrantedTask)} ended: every task
 * ends completed, stopped on request (with the reason), failed (with the error), or not admitted.
 * Immutable.
 *
 * @param taskName the task
 * @param status how it ended
 * @param result what it returned when completed, else {@code null}
 * @param error why it failed, was stopped or was not admitted, else {@code null}
 * @param stopReason the reason given to its {@link CancellationToken} when stopped, else {@code
 *     null}
 * @param duration from the first request to the end, waiting and every attempt included
 * @param attempts how many times it ran (more than 1 when it was stopped and queued again, see
 *     {@link TaskRequest#retryWhenStopped(int, int)}); 0 when it was never admitted
 * @param <T> the result type
 * @since 0.1.0
 */
public record TaskOutcome<T>(
    String taskName,
    Status status,
    @Nullable T result,
    @Nullable Throwable error,
    @Nullable String stopReason,
    Duration duration,
    int attempts) {

  /** How a task ended. */
  public enum Status {
    /** It returned normally. */
    COMPLETED,
    /** It stopped at a safe point because its token was cancelled (for example by the guard). */
    STOPPED,
    /** It threw. */
    FAILED,
    /** It was never admitted (time-out or interruption). */
    NOT_ADMITTED
  }

  /** True when the task completed. */
  public boolean completed() {
    return status == Status.COMPLETED;
  }
}
