package io.memguard.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert: a rule's condition held long enough. At most one alert per rule is open at a time
 * (de-duplication); further breaches update its latest and peak values without a new notification.
 * Immutable: each change is a new instance carried by an {@link AlertEvent}.
 *
 * @param id unique within the monitor, increasing
 * @param rule the rule's name
 * @param signal what was watched: a metric name or {@code leak}
 * @param severity the current severity (after escalations)
 * @param escalationLevel 0 when fired, +1 per escalation
 * @param value the latest value of the signal
 * @param peakValue the most extreme value while open
 * @param threshold the rule's threshold
 * @param message a sentence a person can act on
 * @param firedAt when it fired
 * @param updatedAt when it last changed (fired, escalated or resolved)
 * @param resolvedAt when it resolved, null while open
 * @since 0.1.0
 */
public record Alert(
    long id,
    String rule,
    String signal,
    Severity severity,
    int escalationLevel,
    double value,
    double peakValue,
    double threshold,
    String message,
    Instant firedAt,
    Instant updatedAt,
    Instant resolvedAt) {

  /** Validates. */
  public Alert {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(firedAt, "firedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** True while not resolved. */
  public boolean isOpen() {
    return resolvedAt == null;
  }

  void writeJson(JsonWriter w) {
    w.beginObject()
        .field("id", id)
        .field("rule", rule)
        .field("signal", signal)
        .field("severity", severity.name())
        .field("escalationLevel", escalationLevel)
        .field("value", value)
        .field("peakValue", peakValue)
        .field("threshold", threshold)
        .field("message", message)
        .field("firedAt", firedAt.toString())
        .field("updatedAt", updatedAt.toString())
        .field("resolvedAt", resolvedAt == null ? null : resolvedAt.toString())
        .endObject();
  }
}
