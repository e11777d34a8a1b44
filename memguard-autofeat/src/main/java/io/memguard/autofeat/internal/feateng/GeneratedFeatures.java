package io.memguard.autofeat.internal.feateng;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of feature generation: the start features and the surviving candidates, whose values
 * stay in {@link #store()}; immutable lists, the store is owned by the caller (not thread-safe for
 * writers).
 *
 * @param store the store holding the start features and the candidates (and, in a deriving store,
 *     the parents its derived candidates read)
 * @param start the start features
 * @param candidates the new features that passed every test, in generation order
 * @param proposed distinct expressions proposed (the pool size minus the start features)
 * @param computed proposals whose values were computed
 * @param kept proposals kept as building blocks
 * @param eligible building blocks with |corr| to their parents below 0.95
 */
public record GeneratedFeatures(
    ColumnStore store,
    List<FeatureColumn> start,
    List<FeatureColumn> candidates,
    long proposed,
    long computed,
    long kept,
    long eligible) {

  /** Copies the lists. */
  public GeneratedFeatures {
    start = List.copyOf(start);
    candidates = List.copyOf(candidates);
  }

  /** Start features followed by candidates: the columns feature selection sees. */
  public List<FeatureColumn> columns() {
    List<FeatureColumn> all = new ArrayList<>(start.size() + candidates.size());
    all.addAll(start);
    all.addAll(candidates);
    return all;
  }
}
