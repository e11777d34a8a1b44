package io.memguard.autofeat.internal.feateng;

/**
 * Heap bytes of generation's bookkeeping, per item, as used for reservations and predictions.
 * Measured on JDK 17 with compressed references (docs/autofeat.md, "Memory"); they are estimates
 * with a margin, not exact sizes.
 */
public final class Footprint {

  /**
   * Bytes per proposed expression kept in the pool of already-proposed expressions: its tree
   * (shared subtrees counted once), its hash-set entry and cached hash.
   */
  public static final long EXPRESSION_BYTES = 256;

  /**
   * Bytes per kept column besides its values: descriptor, statistics, array header and list
   * entries.
   */
  public static final long COLUMN_METADATA_BYTES = 128;

  private Footprint() {}
}
