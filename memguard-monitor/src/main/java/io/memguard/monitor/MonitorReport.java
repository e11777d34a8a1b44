package io.memguard.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What happened over a window: peaks of the main metrics, GC and allocation performance, alerts
 * fired, escalated and resolved, alerts still open, and leak reports. Immutable; {@link
 * #describe()} for people, {@link #toJson()} for machines. Made by {@link
 * MemoryMonitor#report(Duration)}.
 *
 * @param from start of the window covered
 * @param to end of the window (the latest sample)
 * @param samples snapshots in the window
 * @param peaks the highest value of each peak metric in the window, with when
 * @param performance GC and allocation figures over the window
 * @param alertEvents alert events in the window, oldest first
 * @param openAlerts alerts open at the end of the window
 * @param leaks leak reports made in the window
 * @since 0.1.0
 */
public record MonitorReport(
    Instant from,
    Instant to,
    int samples,
    List<Peak> peaks,
    PerformanceMetrics performance,
    List<AlertEvent> alertEvents,
    List<Alert> openAlerts,
    List<LeakReport> leaks) {

  /**
   * The highest value of a metric in the window.
   *
   * @param metric the metric's name
   * @param unit its unit
   * @param value the peak value
   * @param at when it was sampled
   */
  public record Peak(String metric, String unit, double value, Instant at) {}

  /** Validates and copies. */
  public MonitorReport {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(performance, "performance");
    peaks = List.copyOf(peaks);
    alertEvents = List.copyOf(alertEvents);
    openAlerts = List.copyOf(openAlerts);
    leaks = List.copyOf(leaks);
  }

  /** The report as text. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("memguard monitor report ")
        .append(from)
        .append(" .. ")
        .append(to)
        .append(" (")
        .append(Format.duration(Duration.between(from, to)))
        .append(", ")
        .append(samples)
        .append(" samples)\n\n");
    sb.append("Peaks:\n");
    for (Peak p : peaks) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-26s %14s  at %s%n",
              p.metric(),
              Alerts.format(Metric.standard(p.metric()).orElse(null), p.value()),
              p.at()));
    }
    PerformanceMetrics perf = performance;
    sb.append("\nPerformance:\n")
        .append("  GC overhead               ")
        .append(fmt(perf.gcOverheadPercent()))
        .append(" %\n")
        .append("  GCs                       ")
        .append(perf.gcCount())
        .append('\n')
        .append("  GC pauses p50/p90/p99/max ")
        .append(fmt(perf.pauseP50Millis()))
        .append(" / ")
        .append(fmt(perf.pauseP90Millis()))
        .append(" / ")
        .append(fmt(perf.pauseP99Millis()))
        .append(" / ")
        .append(fmt(perf.pauseMaxMillis()))
        .append(" ms (")
        .append(perf.gcPauseCount())
        .append(" pauses)\n")
        .append("  allocation rate mean/max  ")
        .append(Format.bytes(perf.allocationRateMeanBytesPerSecond()))
        .append("/s / ")
        .append(Format.bytes(perf.allocationRateMaxBytesPerSecond()))
        .append("/s\n")
        .append("  sample duration mean/max  ")
        .append(fmt(perf.sampleDurationMeanNanos() / 1e3))
        .append(" / ")
        .append(fmt(perf.sampleDurationMaxNanos() / 1e3))
        .append(" us\n");
    sb.append("\nAlerts (").append(alertEvents.size()).append(" events):\n");
    if (alertEvents.isEmpty()) {
      sb.append("  none\n");
    }
    for (AlertEvent e : alertEvents) {
      sb.append("  ").append(e.time()).append(' ').append(e).append('\n');
    }
    sb.append("\nOpen alerts: ").append(openAlerts.isEmpty() ? "none" : "").append('\n');
    for (Alert a : openAlerts) {
      sb.append("  ")
          .append(a.severity())
          .append(' ')
          .append(a.rule())
          .append(" since ")
          .append(a.firedAt())
          .append(": ")
          .append(a.message())
          .append('\n');
    }
    sb.append("\nLeaks: ")
        .append(leaks.isEmpty() ? "none" : leaks.size() + " report(s)")
        .append('\n');
    for (LeakReport r : leaks) {
      sb.append('\n').append(r.describe());
    }
    return sb.toString();
  }

  /** The report as one JSON object. */
  public String toJson() {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("from", from.toString())
            .field("to", to.toString())
            .field("samples", samples);
    w.name("peaks").beginObject();
    for (Peak p : peaks) {
      w.name(p.metric())
          .beginObject()
          .field("value", p.value())
          .field("unit", p.unit())
          .field("at", p.at().toString())
          .endObject();
    }
    w.endObject();
    PerformanceMetrics perf = performance;
    w.name("performance")
        .beginObject()
        .field("gcOverheadPercent", perf.gcOverheadPercent())
        .field("gcCount", perf.gcCount())
        .field("gcPauseCount", perf.gcPauseCount())
        .field("pauseP50Millis", perf.pauseP50Millis())
        .field("pauseP90Millis", perf.pauseP90Millis())
        .field("pauseP99Millis", perf.pauseP99Millis())
        .field("pauseMaxMillis", perf.pauseMaxMillis())
        .field("allocationRateMeanBytesPerSecond", perf.allocationRateMeanBytesPerSecond())
        .field("allocationRateMaxBytesPerSecond", perf.allocationRateMaxBytesPerSecond())
        .field("sampleDurationMeanNanos", perf.sampleDurationMeanNanos())
        .field("sampleDurationMaxNanos", perf.sampleDurationMaxNanos())
        .endObject();
    w.name("alertEvents").beginArray();
    for (AlertEvent e : alertEvents) {
      w.beginObject().field("type", e.type().name()).field("time", e.time().toString());
      w.name("alert");
      e.alert().writeJson(w);
      w.endObject();
    }
    w.endArray();
    w.name("openAlerts").beginArray();
    for (Alert a : openAlerts) {
      a.writeJson(w);
    }
    w.endArray();
    w.name("leaks").beginArray();
    for (LeakReport r : leaks) {
      w.beginObject()
          .field("detectedAt", r.detectedAt().toString())
          .field("growthBytesPerMinute", r.growthBytesPerMinute())
          .field("confidence", r.confidence())
          .field("topSuspect", r.topSuspect().map(LeakSuspect::name).orElse(null))
          .endObject();
    }
    w.endArray();
    return w.endObject().toString();
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }
}
