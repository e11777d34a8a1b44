package io.memguard.core;

import java.util.Locale;

/**
 * How hard a {@link MemoryManager} looks for reservations that are never released. The system
 * property {@code memguard.leakDetection} ({@code off}, {@code safety-net}, {@code track-sites})
 * overrides the default, like Arrow's debug allocator; an explicit builder setting wins over both.
 *
 * @since 0.1.0
 */
public enum LeakDetection {
  /** No safety net: a dropped reservation stays accounted until its scope closes. Fastest. */
  OFF,
  /** The default: a {@link java.lang.ref.Cleaner} releases and reports dropped reservations. */
  SAFETY_NET,
  /** As {@link #SAFETY_NET}, and every reservation records its creation stack trace for reports. */
  TRACK_SITES;

  /** The name of the system property that overrides the default. */
  public static final String PROPERTY = "memguard.leakDetection";

  /** The default, from the system property when set, else {@link #SAFETY_NET}. */
  public static LeakDetection fromSystemProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return SAFETY_NET;
    }
    switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "off":
        return OFF;
      case "safety-net":
        return SAFETY_NET;
      case "track-sites":
        return TRACK_SITES;
      default:
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + value + " is not one of off, safety-net, track-sites");
    }
  }
}
