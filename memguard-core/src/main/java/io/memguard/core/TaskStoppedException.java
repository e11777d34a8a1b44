package io.memguard.core;

/**
 * A task stopped at a safe point because it was asked to through its {@link CancellationToken}, for
 * example by the emergency guard. The message says who asked, why, and where the task stopped.
 *
 * @since 0.1.0
 */
public final class TaskStoppedException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String where;

  /**
   * @param reason why the stop was requested; @param where the safe point the task stopped at
   */
  public TaskStoppedException(String reason, String where) {
    super(
        "stopped at "
            + where
            + ": "
            + reason
            + ". Everything the task held was released; run it again when memory allows.");
    this.reason = reason;
    this.where = where;
  }

  /** Why the stop was requested. */
  public String reason() {
    return reason;
  }

  /** The safe point the task stopped at, e.g. {@code "feature generation step 2, batch 4 of 9"}. */
  public String where() {
    return where;
  }
}
