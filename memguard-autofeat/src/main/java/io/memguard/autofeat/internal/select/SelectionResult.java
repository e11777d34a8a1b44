package io.memguard.autofeat.internal.select;

import io.memguard.autofeat.internal.feateng.FeatureColumn;
import java.util.List;

/**
 * The outcome of feature selection; an immutable value, thread-safe.
 *
 * @param selected the selected columns, best ranked first
 * @param votes for each selected column, the number of runs that picked it
 * @param voted how many distinct columns at least one run picked
 * @param afterCorrelationFilter how many of those survived the correlation filter
 * @param rowsUsed the number of rows selection worked on
 */
public record SelectionResult(
    List<FeatureColumn> selected,
    List<Integer> votes,
    int voted,
    int afterCorrelationFilter,
    int rowsUsed) {

  /** Copies the lists. */
  public SelectionResult {
    selected = List.copyOf(selected);
    votes = List.copyOf(votes);
  }
}
