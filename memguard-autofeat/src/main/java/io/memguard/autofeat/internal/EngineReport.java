package io.memguard.autofeat.internal;

/**
 * Figures of one fit; an immutable value, thread-safe.
 *
 * @param rows training rows
 * @param startFeatures input columns
 * @param steps feature-engineering steps run
 * @param proposed distinct expressions proposed during generation
 * @param computed proposals whose values were computed
 * @param kept proposals kept as building blocks
 * @param eligible building blocks eligible for the output
 * @param candidates new features after generation's final filter (the "generated" count)
 * @param voted columns picked by at least one selection run
 * @param selected features in the final model (start features and new ones)
 * @param peakStoreBytes the most heap bytes the column store held (values only)
 * @param generateNanos time in feature generation
 * @param selectNanos time in feature selection
 * @param modelNanos time fitting the final model
 * @param searchRows rows feature generation and selection worked on ({@code rows} unless {@link
 *     EngineConfig#searchMaxRows()} limited them)
 */
public record EngineReport(
    int rows,
    int startFeatures,
    int steps,
    long proposed,
    long computed,
    long kept,
    long eligible,
    int candidates,
    int voted,
    int selected,
    long peakStoreBytes,
    long generateNanos,
    long selectNanos,
    long modelNanos,
    int searchRows) {

  /** Total fit time in seconds. */
  public double seconds() {
    return (generateNanos + selectNanos + modelNanos) / 1e9;
  }
}
