package io.memguard.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A diagnosis of a memory leak: how fast the live set grows, how sure the detector is, when memory
 * runs out at this rate, what grows with it, and what to do. Immutable; {@link #describe()} is for
 * a person, {@link #toJson()} for a machine.
 *
 * @param detectedAt when the report was made
 * @param window the window of the live-set series the growth was measured over
 * @param points how many segment minima of that window the test used
 * @param growthBytesPerMinute the Theil-Sen growth of the live set, bytes per minute
 * @param pValue the one-sided Mann-Kendall p-value of that growth
 * @param liveSetBytes the latest live set (heap after GC)
 * @param maxHeapBytes the max heap, -1 if undefined
 * @param timeToExhaustion when the live set reaches max heap at this rate
 * @param suspects ranked: application classes, then scopes, then registries, then JDK classes;
 *     within each by growth
 * @param histogramsCompared how many class histograms the class suspects come from (0 or 2+)
 * @param histogramNote why there are no class suspects, or empty
 * @param recommendation what to do next, in plain words
 * @since 0.1.0
 */
public record LeakReport(
    Instant detectedAt,
    Duration window,
    int points,
    double growthBytesPerMinute,
    double pValue,
    long liveSetBytes,
    long maxHeapBytes,
    Optional<Duration> timeToExhaustion,
    List<LeakSuspect> suspects,
    int histogramsCompared,
    String histogramNote,
    String recommendation) {

  /** Validates and copies. */
  public LeakReport {
    Objects.requireNonNull(detectedAt, "detectedAt");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(timeToExhaustion, "timeToExhaustion");
    suspects = List.copyOf(suspects);
    histogramNote = histogramNote == null ? "" : histogramNote;
    Objects.requireNonNull(recommendation, "recommendation");
  }

  /** 1 - pValue: how confident the detector is that the live set grows. */
  public double confidence() {
    return 1 - pValue;
  }

  /** The highest-ranked suspect, if any. */
  public Optional<LeakSuspect> topSuspect() {
    return suspects.isEmpty() ? Optional.empty() : Optional.of(suspects.get(0));
  }

  /** The report as one JSON object. */
  public String toJson() {
    JsonWriter w = new JsonWriter().beginObject();
    w.field("detectedAt", detectedAt.toString())
        .field("windowSeconds", window.toMillis() / 1000.0)
        .field("points", points)
        .field("growthBytesPerMinute", growthBytesPerMinute)
        .field("confidence", confidence())
        .field("pValue", pValue)
        .field("liveSetBytes", liveSetBytes)
        .field("maxHeapBytes", maxHeapBytes);
    w.name("timeToExhaustionSeconds");
    if (timeToExhaustion.isPresent()) {
      w.value(timeToExhaustion.get().toMillis() / 1000.0);
    } else {
      w.value((String) null);
    }
    w.name("suspects").beginArray();
    for (LeakSuspect s : suspects) {
      w.beginObject()
          .field("kind", s.kind().name())
          .field("name", s.name())
          .field("bytesPerMinute", s.bytesPerMinute())
          .field("countPerMinute", s.countPerMinute())
          .field("bytes", s.bytes())
          .field("count", s.count())
          .field("platform", s.platform())
          .endObject();
    }
    w.endArray();
    w.field("histogramsCompared", histogramsCompared)
        .field("histogramNote", histogramNote)
        .field("recommendation", recommendation)
        .endObject();
    return w.toString();
  }

  /** The report as text a person can act on. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("memguard leak report, ").append(detectedAt).append('\n');
    sb.append("The live heap (heap used right after GC) grows ")
        .append(Format.bytes(Math.max(0, growthBytesPerMinute)))
        .append("/min (confidence ")
        .append(String.format(java.util.Locale.ROOT, "%.2f%%", confidence() * 100))
        .append(", ")
        .append(points)
        .append(" floor points over ")
        .append(Format.duration(window))
        .append(").\n");
    sb.append("Live set ").append(Format.bytes(liveSetBytes));
    if (maxHeapBytes > 0) {
      sb.append(" of ").append(Format.bytes(maxHeapBytes)).append(" max heap");
    }
    sb.append(
        timeToExhaustion
            .map(d -> "; at this rate the heap is exhausted in " + Format.duration(d) + ".\n")
            .orElse(".\n"));
    sb.append('\n');
    if (suspects.isEmpty()) {
      sb.append("No suspects found")
          .append(histogramNote.isEmpty() ? "" : " (" + histogramNote + ")")
          .append(".\n");
    } else {
      sb.append("Suspects");
      if (histogramsCompared >= 2) {
        sb.append(" (classes from ").append(histogramsCompared).append(" class histograms)");
      } else if (!histogramNote.isEmpty()) {
        sb.append(" (no class histograms: ").append(histogramNote).append(")");
      }
      sb.append(":\n");
      int i = 1;
      for (LeakSuspect s : suspects) {
        sb.append(String.format(java.util.Locale.ROOT, "%3d. ", i++))
            .append(describe(s))
            .append('\n');
      }
    }
    sb.append('\n').append("What to do: ").append(recommendation).append('\n');
    return sb.toString();
  }

  static String describe(LeakSuspect s) {
    return switch (s.kind()) {
      case CLASS ->
          "class "
              + s.name()
              + (s.platform() ? " (JDK)" : "")
              + ": "
              + signedCount(s.countPerMinute())
              + " instances/min, "
              + Format.signedBytes(s.bytesPerMinute())
              + "/min (now "
              + s.count()
              + " instances, "
              + Format.bytes(s.bytes())
              + ")";
      case SCOPE ->
          "scope "
              + s.name()
              + ": reserved "
              + Format.signedBytes(s.bytesPerMinute())
              + "/min (now "
              + Format.bytes(s.bytes())
              + ")";
      case REGISTRY ->
          "weak registry "
              + s.name()
              + ": "
              + signedCount(s.countPerMinute())
              + " live entries/min (now "
              + s.count()
              + ")";
    };
  }

  private static String signedCount(double v) {
    return (v < 0 ? "" : "+") + Format.number(Math.rint(v * 10) / 10);
  }
}
