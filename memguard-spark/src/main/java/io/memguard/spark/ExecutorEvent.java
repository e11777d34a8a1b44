package io.memguard.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * An event of memguard's protection in an executor, sent to the driver by {@link
 * MemguardSparkPlugin}: an alert fired or resolved, a guard event (emergency, task stopped,
 * cleanup, recovery) or a leak report.
 *
 * @param executorId the executor ({@code driver} in local mode)
 * @param host the executor's host
 * @param kind {@code alert}, {@code guard} or {@code leak}
 * @param summary one line for people
 * @param json the event as JSON (the monitor's own form)
 * @param epochMillis when it happened, in the executor's clock
 * @since 0.1.0
 */
public record ExecutorEvent(
    String executorId, String host, String kind, String summary, String json, long epochMillis)
    implements Serializable {

  /** Validates. */
  public ExecutorEvent {
    Objects.requireNonNull(executorId, "executorId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(json, "json");
  }
}
