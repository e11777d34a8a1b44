package io.memguard.autofeat;

import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.linear.GramLassoCv;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The sufficient statistics of a regression model's final fit over rows that need not be in one
 * place: per cross-validation fold, the sums, cross-products and target products of the selected
 * features (a few kilobytes for any number of rows). Rows are added where they are, in parts, by
 * their position in the whole (the folds are contiguous ranges of positions, as in-process); parts
 * are {@linkplain #merge merged}, in any grouping; {@link #refit} fits the cross-validated lasso on
 * the sums. This is how a streamed fit (and memguard-spark's estimator, on executors) gives the
 * final model every row while the search saw a sample.
 *
 * <p>The features are centred and scaled by fixed values taken from reference rows (for example the
 * search's sample), so that sums over many rows stay well conditioned; any close values give the
 * same model up to rounding. Rows on which a feature is not finite are left out and counted.
 *
 * <p>Serializable; not thread-safe (one instance per part, merged after).
 *
 * @since 0.1.0
 */
public final class FinalModelSums implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long totalRows;
  private final long[] foldEnds;
  private final double[] shift;
  private final double[] scale;

  /**
   * Subtracted from every target before it is summed (the searched model's mean prediction on the
   * reference rows): sums of targets far from 0 would lose the digits of their spread. 0 in sums
   * serialised before it existed, which is what they summed.
   */
  private final double targetShift;

  private final GramLassoCv.Stats stats;
  private long skipped;
  private transient double[][] scaled;
  private transient double[] kept;

  private FinalModelSums(long totalRows, double[] shift, double[] scale, double targetShift) {
    int folds = PathOptions.forFinalModel(TargetKind.REGRESSION).folds();
    if (totalRows < folds) {
      throw new IllegalArgumentException(
          "a final model over " + totalRows + " rows: at least " + folds + " are needed");
    }
    this.totalRows = totalRows;
    this.shift = shift;
    this.scale = scale;
    this.targetShift = targetShift;
    this.stats = new GramLassoCv.Stats(shift.length, folds);
    this.foldEnds = new long[folds];
    long base = totalRows / folds;
    long extra = totalRows % folds;
    long end = 0;
    for (int f = 0; f < folds; f++) {
      end += base + (f < extra ? 1 : 0);
      foldEnds[f] = end;
    }
  }

  /**
   * Empty sums for {@code searched}'s features over {@code totalRows} rows, centred and scaled by
   * the mean and spread of the reference rows' features ({@code referenceFeatures[feature][row]},
   * the first {@code referenceRows} of them, e.g. {@code searched.transform(sample)}).
   *
   * @throws IllegalArgumentException if the model is not a regression, has no feature, or {@code
   *     totalRows} is fewer than the folds (5)
   */
  public static FinalModelSums forModel(
      AutoFeatModel searched, long totalRows, double[][] referenceFeatures, int referenceRows) {
    Objects.requireNonNull(searched, "searched");
    if (searched.problemType() != ProblemType.REGRESSION) {
      throw new IllegalArgumentException(
          "sums give a least-squares model; a classifier's likelihood has no sufficient"
              + " statistics");
    }
    int p = searched.features().size();
    if (p == 0) {
      throw new IllegalArgumentException("the model selected no feature: nothing to refit");
    }
    if (referenceFeatures.length != p) {
      throw new IllegalArgumentException(
          referenceFeatures.length + " reference feature columns for " + p + " features");
    }
    double[] shift = new double[p];
    double[] scale = new double[p];
    shiftAndScale(referenceFeatures, referenceRows, shift, scale);
    LinearModel model = searched.fitted().model();
    double meanPrediction = model.intercepts()[0];
    for (int k = 0; k < p; k++) {
      meanPrediction += model.coefficients()[0][k] * shift[k];
    }
    return new FinalModelSums(
        totalRows, shift, scale, Double.isFinite(meanPrediction) ? meanPrediction : 0);
  }

  /** Heap bytes the sums of {@code features} features take, with one refit on them. */
  public static long bytes(int features) {
    int folds = PathOptions.forFinalModel(TargetKind.REGRESSION).folds();
    return GramLassoCv.Stats.bytes(features, folds) + GramLassoCv.fitBytes(features, folds);
  }

  /**
   * Adds rows at positions {@code [firstRow, firstRow + rows)} of the whole: their features ({@code
   * features[feature][i]} for the row at {@code firstRow + i}) and targets. Rows with a feature
   * that is not finite are left out ({@link #skippedRows()}).
   *
   * @throws IllegalArgumentException if a position is outside {@code [0, totalRows)}
   */
  public void add(long firstRow, double[][] features, double[] target, int rows) {
    int p = shift.length;
    if (features.length != p) {
      throw new IllegalArgumentException(features.length + " feature columns, expected " + p);
    }
    if (firstRow < 0 || firstRow + rows > totalRows) {
      throw new IllegalArgumentException(
          "rows "
              + firstRow
              + " to "
              + (firstRow + rows)
              + " are outside the "
              + totalRows
              + " rows these sums are for");
    }
    if (scaled == null || scaled[0].length < rows) {
      // as long as the caller's block arrays, so a later, fuller block reuses them
      int capacity = Math.max(1, Math.max(rows, features[0].length));
      scaled = new double[p][capacity];
      kept = new double[capacity];
    }
    int folds = foldEnds.length;
    int i = 0;
    while (i < rows) {
      int fold = foldOf(firstRow + i);
      long foldEnd = fold == folds - 1 ? Long.MAX_VALUE : foldEnds[fold];
      int n = 0;
      for (; i < rows && firstRow + i < foldEnd; i++) {
        boolean finite = true;
        for (int k = 0; k < p && finite; k++) {
          finite = Double.isFinite(features[k][i]);
        }
        if (!finite) {
          skipped++;
          continue;
        }
        for (int k = 0; k < p; k++) {
          scaled[k][n] = (features[k][i] - shift[k]) / scale[k];
        }
        kept[n] = target[i] - targetShift;
        n++;
      }
      if (n > 0) {
        stats.add(fold, scaled, kept, 0, n);
      }
    }
  }

  private int foldOf(long row) {
    for (int f = 0; f < foldEnds.length - 1; f++) {
      if (row < foldEnds[f]) {
        return f;
      }
    }
    return foldEnds.length - 1;
  }

  /**
   * Adds {@code other}'s rows (another part of the same whole) to these; returns this.
   *
   * @throws IllegalArgumentException if {@code other} was made for other features, rows or scaling
   */
  public FinalModelSums merge(FinalModelSums other) {
    if (other.totalRows != totalRows
        || Double.compare(other.targetShift, targetShift) != 0
        || !Arrays.equals(other.shift, shift)
        || !Arrays.equals(other.scale, scale)) {
      throw new IllegalArgumentException(
          "these sums were made for another model or another whole ("
              + other.totalRows
              + " rows, "
              + other.shift.length
              + " features; these: "
              + totalRows
              + ", "
              + shift.length
              + ")");
    }
    stats.merge(other.stats);
    skipped += other.skipped;
    return this;
  }

  /** Rows added so far (those left out not counted). */
  public long rows() {
    return stats.rows();
  }

  /** Rows left out because a feature was not finite on them. */
  public long skippedRows() {
    return skipped;
  }

  /** The rows these sums are for. */
  public long totalRows() {
    return totalRows;
  }

  /**
   * A new model: {@code searched}'s features with coefficients from the cross-validated lasso on
   * these sums, its report noting the refit, its rows ({@link AutoFeatModel#rows()}) all that were
   * added. {@code searched} stays open. The fit's temporaries and the new model are reserved in
   * {@code scope}.
   *
   * @throws IllegalArgumentException if {@code searched} has other features than these sums, or not
   *     every position was added once (a fold is empty)
   */
  public AutoFeatModel refit(AutoFeatModel searched, MemoryScope scope) {
    long start = System.nanoTime();
    FittedAutoFeat fitted = searched.fitted();
    if (fitted.features().size() != shift.length) {
      throw new IllegalArgumentException(
          "these sums are for "
              + shift.length
              + " features; the model has "
              + fitted.features().size());
    }
    FittedAutoFeat refitted;
    try (Reservation work =
        scope.reserve(GramLassoCv.fitBytes(shift.length, PathOptions.forFinalModel().folds()))) {
      refitted = refitted(fitted);
    }
    String decision =
        String.format(
            Locale.ROOT,
            "final model: refitted on all %d rows from their sums (cross-validated lasso on the %d"
                + " features' cross-products, %s, %.2f s)%s",
            rows(),
            shift.length,
            MemorySize.format(bytes(shift.length)),
            (System.nanoTime() - start) / 1e9,
            skipped > 0 ? "; " + skipped + " rows left out: a feature is not finite on them" : "");
    FitReport report = searched.report().withDecisionsAdded(List.of(decision));
    FitRows rows =
        new FitRows(
            totalRows, searched.rows().sampleRows(), searched.rows().searchRows(), rows(), skipped);
    Reservation own = scope.reserve(AutoFeatModel.estimateBytes(refitted));
    return new AutoFeatModel(
        refitted,
        report.problemType(),
        report,
        own,
        rows,
        searched.classLabels(),
        searched.categories());
  }

  /** {@code fitted}'s features with the lasso fitted on these sums (allocates its temporaries). */
  FittedAutoFeat refitted(FittedAutoFeat fitted) {
    GramLassoCv.Result r =
        GramLassoCv.fit(stats, shift, scale, PathOptions.forFinalModel(TargetKind.REGRESSION));
    return FittedAutoFeat.restore(
        fitted.inputNames(),
        fitted.features(),
        LinearModel.regression(r.coef(), r.intercept() + targetShift),
        fitted.report());
  }

  /** Each feature's mean and standard deviation over its finite values (1 when it has none). */
  static void shiftAndScale(double[][] features, int rows, double[] shift, double[] scale) {
    for (int k = 0; k < features.length; k++) {
      double sum = 0;
      int n = 0;
      for (int i = 0; i < rows; i++) {
        if (Double.isFinite(features[k][i])) {
          sum += features[k][i];
          n++;
        }
      }
      double mean = n > 0 ? sum / n : 0;
      double ss = 0;
      for (int i = 0; i < rows; i++) {
        if (Double.isFinite(features[k][i])) {
          ss += (features[k][i] - mean) * (features[k][i] - mean);
        }
      }
      double sd = n > 0 ? Math.sqrt(ss / n) : 0;
      shift[k] = mean;
      scale[k] = sd > 0 ? sd : 1;
    }
  }
}
