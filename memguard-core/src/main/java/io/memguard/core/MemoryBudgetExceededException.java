package io.memguard.core;

/**
 * A reservation did not fit: the requesting scope or one of its ancestors would go over its limit,
 * the live heap would pass the manager's live-heap line ({@link #liveHeapLimited()}), or the
 * process's resident memory would pass its process-memory line ({@link #processMemoryLimited()}).
 * Thrown by {@link MemoryScope#reserve(long)} and by growing a {@link Reservation}. Nothing was
 * reserved when it is thrown.
 *
 * @since 0.1.0
 */
public final class MemoryBudgetExceededException extends MemguardException {
  private static final long serialVersionUID = 1L;

  private final String scopePath;
  private final String limitingScopePath;
  private final long requestedBytes;
  private final long availableBytes;
  private final long limitBytes;
  private final boolean liveHeapLimited;
  private final boolean processMemoryLimited;

  /**
   * @param scopePath the scope the reservation was asked of
   * @param limitingScopePath the scope whose limit refused it (the same or an ancestor)
   * @param requestedBytes the bytes asked for
   * @param availableBytes what the limiting scope had free at that moment
   * @param limitBytes the limiting scope's limit
   * @param waitedNanos how long the caller waited before giving up (0 when it did not wait)
   */
  public MemoryBudgetExceededException(
      String scopePath,
      String limitingScopePath,
      long requestedBytes,
      long availableBytes,
      long limitBytes,
      long waitedNanos) {
    super(
        message(
            scopePath, limitingScopePath, requestedBytes, availableBytes, limitBytes, waitedNanos));
    this.scopePath = scopePath;
    this.limitingScopePath = limitingScopePath;
    this.requestedBytes = requestedBytes;
    this.availableBytes = availableBytes;
    this.limitBytes = limitBytes;
    this.liveHeapLimited = false;
    this.processMemoryLimited = false;
  }

  private MemoryBudgetExceededException(
      String message,
      String scopePath,
      String limitingScopePath,
      long requestedBytes,
      long availableBytes,
      long limitBytes,
      boolean processMemory) {
    super(message);
    this.scopePath = scopePath;
    this.limitingScopePath = limitingScopePath;
    this.requestedBytes = requestedBytes;
    this.availableBytes = availableBytes;
    this.limitBytes = limitBytes;
    this.liveHeapLimited = !processMemory;
    this.processMemoryLimited = processMemory;
  }

  /** A refusal by the manager's live-heap line rather than by a scope's limit. */
  static MemoryBudgetExceededException ofLiveHeap(
      String scopePath,
      String rootPath,
      long requested,
      long available,
      long lineBytes,
      double lineShare,
      long estimate,
      long budgetBytes,
      long waitedNanos) {
    String message =
        refusedLine(requested, scopePath, "the live heap", lineShare)
            + "% of max heap ("
            + MemorySize.format(lineBytes)
            + "): about "
            + MemorySize.format(estimate)
            + " is live (the heap after the last garbage collection plus what was reserved since)"
            + (waitedNanos > 0 ? ", still after waiting " + waitedNanos / 1_000_000 + " ms" : "")
            + ", whatever the budget of "
            + MemorySize.format(budgetBytes)
            + " allows. Release reservations you no longer need, process smaller batches, or give"
            + " the JVM more heap (-Xmx)"
            + (budgetBytes > lineBytes
                ? "; a budget larger than the heap cannot be honoured."
                : ".");
    return new MemoryBudgetExceededException(
        message, scopePath, rootPath, requested, available, lineBytes, false);
  }

  /** A refusal by the manager's process-memory line. */
  static MemoryBudgetExceededException ofProcessMemory(
      String scopePath,
      String rootPath,
      long requested,
      long available,
      long lineBytes,
      double lineShare,
      long limitBytes,
      String limitSource,
      long rssBytes,
      long youngBytes,
      long reservedSinceRead,
      long budgetBytes,
      long maxHeapBytes) {
    String message =
        refusedLine(requested, scopePath, "the process's resident memory", lineShare)
            + "% of "
            + limitSource
            + " ("
            + MemorySize.format(lineBytes)
            + " of "
            + MemorySize.format(limitBytes)
            + "): RSS was "
            + MemorySize.format(rssBytes)
            + " when last read, with "
            + MemorySize.format(youngBytes)
            + " of young generation the next collection may copy, and "
            + MemorySize.format(reservedSinceRead)
            + " was reserved since, each reserved byte counted "
            + ProcessMemoryLine.TOUCHED_PER_RESERVED_BYTE
            + " times (its allocation and the collector's copies), whatever the budget of "
            + MemorySize.format(budgetBytes)
            + " allows. Release reservations you no longer need or process smaller batches"
            + (maxHeapBytes == Long.MAX_VALUE
                ? ", or raise the limit."
                : "; if the heap (max "
                    + MemorySize.format(maxHeapBytes)
                    + (maxHeapBytes > lineBytes ? ", alone larger than the line" : "")
                    + ") and the JVM's own memory do not fit under the limit, lower -Xmx (or"
                    + " -XX:MaxRAMPercentage) or raise the limit.");
    return new MemoryBudgetExceededException(
        message, scopePath, rootPath, requested, available, lineBytes, true);
  }

  /** "cannot reserve X (n bytes) in scope 'p': {what} would pass 95.0" (a share follows). */
  private static String refusedLine(
      long requested, String scopePath, String what, double lineShare) {
    return "cannot reserve "
        + MemorySize.format(requested)
        + " ("
        + requested
        + " bytes) in scope '"
        + scopePath
        + "': "
        + what
        + " would pass "
        + String.format(java.util.Locale.ROOT, "%.1f", lineShare * 100);
  }

  private static String message(
      String scopePath,
      String limiting,
      long requested,
      long available,
      long limit,
      long waitedNanos) {
    StringBuilder sb = new StringBuilder();
    sb.append("cannot reserve ")
        .append(MemorySize.format(requested))
        .append(" (")
        .append(requested)
        .append(" bytes) in scope '")
        .append(scopePath)
        .append("': ");
    if (!limiting.equals(scopePath)) {
      sb.append("ancestor '").append(limiting).append("' ");
    }
    sb.append("has ")
        .append(MemorySize.format(available))
        .append(" available of its limit of ")
        .append(MemorySize.format(limit));
    if (waitedNanos > 0) {
      sb.append(", still after waiting ").append(waitedNanos / 1_000_000).append(" ms");
    }
    sb.append(
            ". Release reservations you no longer need, process smaller batches, or raise the limit"
                + " of '")
        .append(limiting)
        .append("'.");
    return sb.toString();
  }

  /** The path of the scope the reservation was asked of, e.g. {@code root/train/batch-3}. */
  public String scopePath() {
    return scopePath;
  }

  /** The path of the scope whose limit refused the reservation. */
  public String limitingScopePath() {
    return limitingScopePath;
  }

  /** The bytes asked for. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The bytes the limiting scope had free when the reservation was refused. */
  public long availableBytes() {
    return availableBytes;
  }

  /** The limit, in bytes, of the limiting scope (or the live-heap or process-memory line). */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * True when the manager's live-heap line refused the reservation (the heap, not the budget, is
   * short: see {@link MemoryManager.Builder#liveHeapLimit(double)}); then {@link #limitBytes()} is
   * that line and {@link #limitingScopePath()} the root.
   */
  public boolean liveHeapLimited() {
    return liveHeapLimited;
  }

  /**
   * True when the manager's process-memory line refused the reservation (the process's resident
   * memory, not the budget or the heap, is short: see {@link
   * MemoryManager.Builder#processMemoryLimit(MemorySize, double)}); then {@link #limitBytes()} is
   * that line and {@link #limitingScopePath()} the root.
   *
   * @since 0.1.0
   */
  public boolean processMemoryLimited() {
    return processMemoryLimited;
  }
}
