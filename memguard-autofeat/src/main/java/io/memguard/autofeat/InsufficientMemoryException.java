package io.memguard.autofeat;

import io.memguard.core.MemguardException;
import io.memguard.core.MemorySize;

/**
 * A fit cannot run in the memory it was given, not even with its lightweight plan (or, under {@link
 * LightweightPolicy#NEVER}, with its normal plan). Thrown before the fit allocates its working
 * memory (or, when a reservation is refused during the fit, after releasing everything it held).
 * The message says how much the plan needs, how much the scope has, and what to do.
 *
 * @since 0.1.0
 */
public final class InsufficientMemoryException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final String scopePath;
  private final long neededBytes;
  private final long availableBytes;
  private final String plan;

  /**
   * @param scopePath the fit's scope
   * @param neededBytes the available bytes the plan needs (its predicted peak plus the allocator's
   *     safety margin)
   * @param availableBytes the bytes available to the fit (below the CRITICAL threshold)
   * @param plan the plan that did not fit, in words
   * @param advice what the caller can do
   */
  public InsufficientMemoryException(
      String scopePath, long neededBytes, long availableBytes, String plan, String advice) {
    super(
        "autofeat fit in '"
            + scopePath
            + "' needs "
            + MemorySize.format(neededBytes)
            + " ("
            + neededBytes
            + " bytes) available for its "
            + plan
            + ", but only "
            + MemorySize.format(availableBytes)
            + " ("
            + availableBytes
            + " bytes) is available. "
            + advice);
    this.scopePath = scopePath;
    this.neededBytes = neededBytes;
    this.availableBytes = availableBytes;
    this.plan = plan;
  }

  /** The path of the scope the fit ran in. */
  public String scopePath() {
    return scopePath;
  }

  /** The available bytes the cheapest allowed plan needs. */
  public long neededBytes() {
    return neededBytes;
  }

  /** The bytes that were available to the fit. */
  public long availableBytes() {
    return availableBytes;
  }

  /** The plan that did not fit, in words. */
  public String plan() {
    return plan;
  }
}
