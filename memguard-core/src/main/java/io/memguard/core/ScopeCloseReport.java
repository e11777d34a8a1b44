package io.memguard.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What closing a scope did. Immutable.
 *
 * @param scopePath the closed scope
 * @param duration how long the close took, children included
 * @param peakReservedBytes the scope's peak while open
 * @param allocatedBytes measured thread allocations inside it
 * @param leak the reservations the close had to release, or {@code null} when there were none
 * @param cleanups the scope's own cleanup actions, in the order they ran
 * @param children the reports of the children it closed
 * @since 0.1.0
 */
public record ScopeCloseReport(
    String scopePath,
    Duration duration,
    long peakReservedBytes,
    long allocatedBytes,
    @Nullable ReservationLeak leak,
    List<CleanupRun> cleanups,
    List<ScopeCloseReport> children) {

  /** Copies the lists. */
  public ScopeCloseReport {
    cleanups = List.copyOf(cleanups);
    children = List.copyOf(children);
  }

  /** True when this scope or a descendant had reservations left at close. */
  public boolean hasLeaks() {
    return !allLeaks().isEmpty();
  }

  /** The leaks of this scope and its descendants, children first. */
  public List<ReservationLeak> allLeaks() {
    List<ReservationLeak> leaks = new ArrayList<>();
    for (ScopeCloseReport child : children) {
      leaks.addAll(child.allLeaks());
    }
    if (leak != null) {
      leaks.add(leak);
    }
    return leaks;
  }

  /** The failed cleanup actions of this scope and its descendants, in the order they ran. */
  public List<CleanupRun> allCleanupFailures() {
    List<CleanupRun> failures = new ArrayList<>();
    for (ScopeCloseReport child : children) {
      failures.addAll(child.allCleanupFailures());
    }
    for (CleanupRun r : cleanups) {
      if (r.failed()) {
        failures.add(r);
      }
    }
    return failures;
  }
}
