package io.memguard.autofeat;

import io.memguard.core.MemorySize;
import java.util.Locale;

/**
 * How a fit uses memory: the normal plan or the lightweight one, with the prediction it was chosen
 * by. An immutable value in {@link FitReport#plan()} and {@link LightweightEvent#plan()}.
 * Thread-safe.
 *
 * <p>The normal plan is autofeat's: candidate values in double precision on all training rows,
 * every kept column stored, autofeat's selection chunk widths. The lightweight plan keeps the
 * features of the last generation step (about four fifths of all) as expressions that selection
 * recomputes instead of storing them and, as far as memory requires, also stores values as float,
 * caps selection chunks at {@code maxChunkWidth} columns, and searches for features (generation and
 * selection) on {@code searchRows} rows drawn once with the seed. Either way the selected features
 * are then computed on all rows and the final model is fitted on all rows.
 *
 * <p>Selection's initial L1 fit of each run takes every column, as autofeat's does, only when the
 * plan is normal, there are at most 10 columns per run row, and the plan's prediction with that
 * block (all columns on the run's rows) fits what is usable ({@code initialFitAll}); otherwise it
 * takes the columns that correlate best with the target, as many as a chunk. A run that is then not
 * granted the block falls back to the screened fit.
 *
 * @param lightweight whether this is the lightweight plan
 * @param floatStorage whether candidate values are stored as float (else double)
 * @param rows the training rows
 * @param searchRows the rows generation and selection work on ({@code <= rows})
 * @param recomputeLastStep whether last-step features are recomputed instead of stored
 * @param maxChunkWidth the cap on candidate columns per selection fit, 0 for autofeat's widths
 * @param initialFitAll whether selection's initial L1 fits may take every column (else the columns
 *     screened by their correlation with the target)
 * @param predictedPeakBytes the peak reserved bytes this plan was predicted to need
 * @param usableBytes the memory the plan was made for: available bytes below the CRITICAL
 *     threshold, less the allocator's safety margin
 * @since 0.1.0
 */
public record FitPlan(
    boolean lightweight,
    boolean floatStorage,
    int rows,
    int searchRows,
    boolean recomputeLastStep,
    int maxChunkWidth,
    boolean initialFitAll,
    long predictedPeakBytes,
    long usableBytes) {

  /**
   * One line, e.g. {@code normal: double, all 354 rows, initial fit on all columns, predicted peak
   * 8.1 MiB of 26.7 MiB usable} or {@code lightweight: float, 530 of 1600 rows, last step
   * recomputed, chunks <= 50, predicted peak ...}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(lightweight ? "lightweight: " : "normal: ");
    sb.append(floatStorage ? "float" : "double")
        .append(", ")
        .append(searchRows == rows ? "all " + rows : searchRows + " of " + rows)
        .append(" rows");
    if (recomputeLastStep) {
      sb.append(", last step recomputed");
    }
    if (maxChunkWidth > 0) {
      sb.append(", chunks <= ").append(maxChunkWidth);
    }
    if (initialFitAll) {
      sb.append(", initial fit on all columns");
    }
    sb.append(
        String.format(
            Locale.ROOT,
            ", predicted peak %s of %s usable",
            MemorySize.format(predictedPeakBytes),
            MemorySize.format(usableBytes)));
    return sb.toString();
  }
}
