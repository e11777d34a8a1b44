package io.memguard.monitor;

import io.memguard.core.PressureLevel;
import java.time.Duration;

/**
 * One transition or action of the {@link EmergencyGuard}. Immutable.
 *
 * @param type what happened
 * @param level the guard's level after it
 * @param limit the limit that decided it
 * @param fraction that limit's reading (for SYSTEM_AVAILABLE, the available fraction)
 * @param message a sentence for logs and alerts
 * @param nanoTime when, on the guard's ticker
 * @param timeInEmergency for EMERGENCY_LEFT and RECOVERED: how long the level was EMERGENCY
 * @param timeToRecover for RECOVERED: from entering the emergency to recovery
 * @param task for TASK_STOP_REQUESTED: the task asked to stop
 * @param bytesReleased for CLEANUP_STAGE: what the stage's actions said they released; for
 *     TASK_STOP_REQUESTED: what the task held (reserved) when asked to stop, released when it stops
 * @since 0.1.0
 */
public record GuardEvent(
    Type type,
    PressureLevel level,
    GuardLimit limit,
    double fraction,
    String message,
    long nanoTime,
    Duration timeInEmergency,
    Duration timeToRecover,
    String task,
    long bytesReleased) {

  /**
   * The event as one JSON object: {@code type}, {@code level}, {@code limit}, {@code fraction}
   * (null when not a number), {@code message}, {@code timeInEmergencySeconds}, {@code
   * timeToRecoverSeconds}, {@code task} (null when none), {@code bytesReleased}.
   */
  public String toJson() {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("type", type.name())
            .field("level", level == null ? null : level.name())
            .field("limit", limit == null ? null : limit.name())
            .field("fraction", fraction)
            .field("message", message)
            .field("timeInEmergencySeconds", seconds(timeInEmergency))
            .field("timeToRecoverSeconds", seconds(timeToRecover))
            .field("task", task)
            .field("bytesReleased", bytesReleased);
    return w.endObject().toString();
  }

  private static double seconds(Duration d) {
    return d == null ? Double.NaN : d.toNanos() / 1e9;
  }

  /** What happened. */
  public enum Type {
    /** The level changed outside an emergency. */
    LEVEL_CHANGED,
    /** An emergency began: admission is paused. */
    EMERGENCY_ENTERED,
    /** A running task was asked to stop at its next safe point. */
    TASK_STOP_REQUESTED,
    /** One cleanup stage ran. */
    CLEANUP_STAGE,
    /** The reading fell below the emergency threshold, but not yet below recovery. */
    EMERGENCY_LEFT,
    /** The reading fell below the recovery threshold: admission resumed. */
    RECOVERED
  }
}
