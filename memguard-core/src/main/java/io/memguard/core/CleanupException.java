package io.memguard.core;

import java.util.List;

/**
 * One or more cleanup actions threw. Every action still ran and every reservation was still
 * released; each action's error is attached as a suppressed exception, and the reports say which
 * action failed where. Thrown by {@link MemoryScope#close()} after everything else is done, so in a
 * try-with-resources it is added as suppressed to the body's exception, never masking it.
 *
 * @since 0.1.0
 */
public final class CleanupException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final transient List<CleanupRun> failures;

  /**
   * @param where the scope path or {@code "global"}; @param failures the failed actions' reports
   */
  public CleanupException(String where, List<CleanupRun> failures) {
    super(message(where, failures));
    this.failures = List.copyOf(failures);
    for (CleanupRun failure : failures) {
      if (failure.error() != null) {
        addSuppressed(failure.error());
      }
    }
  }

  private static String message(String where, List<CleanupRun> failures) {
    StringBuilder sb = new StringBuilder();
    sb.append(failures.size())
        .append(failures.size() == 1 ? " cleanup action" : " cleanup actions")
        .append(" failed in '")
        .append(where)
        .append("': ");
    for (int i = 0; i < failures.size(); i++) {
      CleanupRun r = failures.get(i);
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(r.action()).append(" (stage ").append(r.stage().name()).append(')');
      if (r.error() != null) {
        sb.append(": ").append(r.error());
      }
    }
    sb.append(
        ". All other actions ran and all reservations were released; see the suppressed exceptions.");
    return sb.toString();
  }

  /** The reports of the actions that failed, in the order they ran. */
  public List<CleanupRun> failures() {
    return failures;
  }
}
