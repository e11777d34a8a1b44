package io.memguard.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A change of an {@link Alert}: it fired, escalated or resolved. This is what listeners and
 * channels receive and what the alert history keeps. Immutable.
 *
 * @param type what happened
 * @param time when
 * @param alert the alert as it is after the change
 * @since 0.1.0
 */
public record AlertEvent(Type type, Instant time, Alert alert) {

  /** What happened to the alert. */
  public enum Type {
    /** The rule's condition held long enough: a new alert. */
    FIRED,
    /** An open alert went up a severity and/or an escalation level. */
    ESCALATED,
    /** The condition cleared (with hysteresis) long enough. */
    RESOLVED
  }

  /** Validates. */
  public AlertEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(alert, "alert");
  }

  /**
   * The event as one JSON object, e.g. for a webhook: {@code
   * {"type":...,"time":...,"alert":{...}}}.
   */
  public String toJson() {
    JsonWriter w =
        new JsonWriter().beginObject().field("type", type.name()).field("time", time.toString());
    w.name("alert");
    alert.writeJson(w);
    return w.endObject().toString();
  }

  /** One line for logs: {@code FIRED WARNING live-heap-high: ...}. */
  @Override
  public String toString() {
    return type
        + " "
        + alert.severity()
        + " "
        + alert.rule()
        + " (alert #"
        + alert.id()
        + (alert.escalationLevel() > 0 ? ", escalation " + alert.escalationLevel() : "")
        + "): "
        + alert.message();
  }
}
