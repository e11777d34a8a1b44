package io.memguard.monitor;

import io.memguard.core.MemorySize;
import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes, rates and durations for reports and log lines. Stateless, thread-safe. */
final class Format {
  private Format() {}

  /**
   * e.g. {@code 12.3 MiB}, as {@link MemorySize#format(long)} writes sizes everywhere in memguard;
   * "unknown" for negative or NaN values.
   */
  static String bytes(double bytes) {
    if (Double.isNaN(bytes) || bytes < 0) {
      return "unknown";
    }
    return MemorySize.format(Math.round(bytes));
  }

  /** A signed size, e.g. {@code +1.2 MiB} or {@code -3.0 KiB}. */
  static String signedBytes(double bytes) {
    if (Double.isNaN(bytes)) {
      return "unknown";
    }
    return (bytes < 0 ? "-" : "+") + bytes(Math.abs(bytes));
  }

  /** e.g. {@code 1h 2m}, {@code 2m 50s}, {@code 850ms}. */
  static String duration(Duration d) {
    if (d == null) {
      return "unknown";
    }
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long m = s / 60;
    if (m < 60) {
      return m + "m " + (s % 60) + "s";
    }
    long h = m / 60;
    if (h < 48) {
      return h + "h " + (m % 60) + "m";
    }
    return (h / 24) + "d " + (h % 24) + "h";
  }

  /** A percentage with one decimal, e.g. {@code 99.9%}; "unknown" for NaN. */
  static String percent(double fraction) {
    return Double.isNaN(fraction)
        ? "unknown"
        : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  /** A number with at most two decimals. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "unknown";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
