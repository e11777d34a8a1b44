package io.memguard.core;

import java.util.Locale;

/**
 * How hard a {@link MemoryManager} looks for reservations that are never released, and what it
 * costs. In every mode a scope's close finds and reports every byte still reserved in it (exact
 * accounting, no cost on the hot path); the modes differ in what is caught <em>before</em> the
 * scope closes, when a dropped {@link Reservation} becomes unreachable:
 *
 * <table>
 *   <caption>Leak detection modes</caption>
 *   <tr><th>mode</th><th>caught when the reservation is collected</th>
 *       <th>reserve + release, 1 thread</th></tr>
 *   <tr><td>{@link #OFF}</td><td>nothing</td><td>fastest</td></tr>
 *   <tr><td>{@link #SAMPLED} (default)</td><td>1 in {@link
 *       MemoryManager.Builder#leakSamplingInterval(int) N} (default 128), then every reservation
 *       after the first leak</td><td>a few ns more than {@code OFF}</td></tr>
 *   <tr><td>{@link #SAFETY_NET}</td><td>every reservation</td><td>about 45 ns more</td></tr>
 *   <tr><td>{@link #TRACK_SITES}</td><td>every reservation, with its creation stack
 *       trace</td><td>microseconds (a stack trace each)</td></tr>
 * </table>
 *
 * <p>The system property {@code memguard.leakDetection} ({@code off}, {@code sampled}, {@code
 * safety-net}, {@code track-sites}) overrides the default, like Arrow's debug allocator; an
 * explicit builder setting wins over both. docs/performance.md has the measured costs.
 *
 * @since 0.1.0
 */
public enum LeakDetection {
  /**
   * No safety net: a dropped reservation stays accounted until its scope closes, and is reported
   * then. Fastest.
   */
  OFF,
  /**
   * The default: a {@link java.lang.ref.Cleaner} watches a random sample of reservations (1 in
   * {@link MemoryManager.Builder#leakSamplingInterval(int)}, default 128) and releases and reports
   * a sampled one that is collected without release; once any leak is reported the manager watches
   * every reservation it makes from then on. A program that drops reservations often is caught
   * within about the interval's number of drops; the rest are reported when their scope closes.
   */
  SAMPLED,
  /** A {@link java.lang.ref.Cleaner} releases and reports every dropped reservation. */
  SAFETY_NET,
  /**
   * As {@link #SAFETY_NET}, and every reservation records its creation stack trace for reports: for
   * hunting a leak, not for production.
   */
  TRACK_SITES;

  /** The name of the system property that overrides the default. */
  public static final String PROPERTY = "memguard.leakDetection";

  /** The default, from the system property when set, else {@link #SAMPLED}. */
  public static LeakDetection fromSystemProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return SAMPLED;
    }
    switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "off":
        return OFF;
      case "sampled":
        return SAMPLED;
      case "safety-net":
        return SAFETY_NET;
      case "track-sites":
        return TRACK_SITES;
      default:
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + value + " is not one of off, sampled, safety-net, track-sites");
    }
  }
}
