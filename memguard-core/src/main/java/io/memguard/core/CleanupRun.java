package io.memguard.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What one run of one cleanup action did. Immutable.
 *
 * @param action the action's name
 * @param stage its stage
 * @param scopePath the scope it was registered on, or {@code "global"}
 * @param trigger why it ran
 * @param outcome whether it completed or threw
 * @param duration how long it ran
 * @param bytesReleased what it said it released, or {@link CleanupAction#UNKNOWN_BYTES}
 * @param error what it threw, or {@code null}
 * @since 0.1.0
 */
public record CleanupRun(
    String action,
    CleanupStage stage,
    String scopePath,
    Trigger trigger,
    Outcome outcome,
    Duration duration,
    long bytesReleased,
    @Nullable Throwable error) {

  /** Why a cleanup action ran. */
  public enum Trigger {
    /** Its scope closed. */
    SCOPE_CLOSE,
    /** It was run on demand, stage by stage (for example by the emergency guard). */
    ON_DEMAND
  }

  /** How a cleanup action ended. */
  public enum Outcome {
    /** It returned normally. */
    SUCCEEDED,
    /** It threw; see {@link CleanupRun#error()}. */
    FAILED
  }

  /** True when the action threw. */
  public boolean failed() {
    return outcome == Outcome.FAILED;
  }
}
