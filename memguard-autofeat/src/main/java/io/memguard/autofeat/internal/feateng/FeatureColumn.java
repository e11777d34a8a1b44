package io.memguard.autofeat.internal.feateng;

import io.memguard.autofeat.internal.expr.Expr;

/**
 * A feature held in a {@link ColumnStore}: its canonical expression, its slot and statistics;
 * immutable and thread-safe.
 *
 * @param expr the canonical expression over the start features
 * @param slot the column's slot in the store
 * @param stats statistics of the stored values
 * @param eligible whether it may appear in the output (start features, and new features whose
 *     correlation with their parents is below 0.95)
 * @param step the feature-engineering step that made it (0 for start features)
 */
public record FeatureColumn(Expr expr, int slot, ColumnStats stats, boolean eligible, int step) {

  /** The printed expression. */
  public String name() {
    return expr.toString();
  }

  /** Whether this is a start feature. */
  public boolean isStart() {
    return step == 0;
  }
}
