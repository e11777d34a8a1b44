package io.memguard.autofeat;

/**
 * Which rows each phase of a fit saw. A fit on a {@link Dataset} sees all of them in every phase
 * (the search may use a seeded subset when memory is short: {@link FitPlan#searchRows()}); a fit on
 * a {@link CsvSource} larger than memory allows searches a seeded sample and fits the final model
 * over every row in one more streamed pass. An immutable value.
 *
 * @param sourceRows rows in the input
 * @param sampleRows rows held in memory for the search (a seeded reservoir sample of the source, or
 *     all of it)
 * @param searchRows rows feature generation and selection worked on (of the sample)
 * @param finalModelRows rows the final model's coefficients were fitted on
 * @param skippedRows rows the final model left out because a selected feature was not finite on
 *     them (e.g. the log of a negative value the sample did not have)
 * @since 0.1.0
 */
public record FitRows(
    long sourceRows, long sampleRows, long searchRows, long finalModelRows, long skippedRows) {

  /** A fit on {@code report}'s rows, all in memory. */
  static FitRows inMemory(FitReport report) {
    return new FitRows(report.rows(), report.rows(), report.plan().searchRows(), report.rows(), 0);
  }
}
