package io.memguard.autofeat;

import io.memguard.autofeat.internal.CsvScanner;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.TargetCells;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.linear.GramLassoCv;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.StreamedLogistic;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A fit on a {@link CsvSource} that need not fit in memory: a seeded reservoir sample (its size
 * from what the scope has available, at most {@link AutoFeatProcessor#maxSampleRows()}) held for
 * the search, a normal fit on it, then, for regression, the final model refitted over every row of
 * the file in one more streamed pass ({@link GramLassoCv} on per-fold sums of the selected
 * features).
 */
final class StreamFit {

  /**
   * The sample's data takes at most this share of what the scope has available. The search needs
   * many times its data (candidate columns over the same rows: about 30 times for two steps on
   * three columns), and on a small heap the live-heap line counts what a fit reserved since the
   * last collection on top of that collection's reading: measured in a 128 MiB heap, a sample of
   * 1/64 (52,000 rows) was refused mid-search with 72 MiB planned, 1/256 fits.
   */
  static final int SAMPLE_SHARE = 256;

  private StreamFit() {}

  static AutoFeatModel run(AutoFeatProcessor processor, MemoryScope scope, CsvSource source) {
    try {
      return sampleSearchAndRefit(processor, scope, source);
    } catch (MemoryBudgetExceededException e) {
      // the streamed fit's own reservations (the sample, its halving, the final model's sums and
      // pass, the model) are refused as the in-memory fit's are: with the fit's exception
      InsufficientMemoryException refused =
          new InsufficientMemoryException(
              scope.path(),
              e.requestedBytes(),
              e.availableBytes(),
              "streamed fit of "
                  + source.sourceName()
                  + " (a reservation in '"
                  + e.limitingScopePath()
                  + "' was refused: "
                  + e.getMessage()
                  + ")",
              "Give the scope more memory, or lower maxSampleRows.");
      refused.initCause(e);
      throw refused;
    }
  }

  private static AutoFeatModel sampleSearchAndRefit(
      AutoFeatProcessor processor, MemoryScope scope, CsvSource source) {
    if (source.targetName() == null) {
      throw new IllegalArgumentException(
          source.sourceName() + " was opened without a target column; a fit needs one");
    }
    // a name the file lacks is refused before the first pass reads it
    FitRun.engineeredColumns(
        processor.featureEngineeringColumns(), source.names(), source.categories());
    FitRun.dimensions(processor.units(), source.names(), source.categories());
    int d = source.names().size();
    long perRow = 8L * (d + 1);
    long room = Math.min(scope.availableBytes(), heapRoom(scope));
    long budgetRows = Math.max(0, room / SAMPLE_SHARE / perRow);
    int capacity = (int) Math.min(processor.maxSampleRows(), budgetRows);
    if (capacity < 10) {
      throw new InsufficientMemoryException(
          scope.path(),
          10 * perRow * SAMPLE_SHARE,
          room,
          "a sample of at least 10 rows of "
              + source.sourceName()
              + " ("
              + MemorySize.format(10 * perRow)
              + ", 1/"
              + SAMPLE_SHARE
              + " of what the fit may use)",
          "Give the scope more memory.");
    }
    long rowsBefore = source.rowsRead();
    Dataset sample;
    long sourceRows;
    // a classifier's target may be class labels: each kept row's label is coded as it is read,
    // and recoded by the labels' sorted order once every row was read
    boolean classify = processor.problemType() == ProblemType.CLASSIFICATION;
    try (Reservation held =
        scope.reserve(
            HeapBytes.doubles(d + 1, capacity) + (classify ? HeapBytes.ints(capacity) : 0))) {
      double[][] x = new double[d][capacity];
      double[] y = new double[capacity];
      TargetCells cells = classify ? new TargetCells() : null;
      int[] codes = classify ? new int[capacity] : null;
      int kept = reservoir(source, processor.seed(), x, y, cells, codes);
      sourceRows = source.rowsRead() - rowsBefore;
      List<String> labels = cells != null ? cells.recode(y, codes, kept) : List.of();
      if (kept < capacity) {
        for (int j = 0; j < d; j++) {
          x[j] = java.util.Arrays.copyOf(x[j], kept);
        }
        y = java.util.Arrays.copyOf(y, kept);
      }
      sample =
          Dataset.validated(source.names(), x, y, source.targetName(), labels, source.categories());
      // The search runs in a scope of half the live heap's room: what it reserves since a
      // collection counts on top of that collection's reading, so up to twice (measured: in
      // 64 MiB, 27 MiB planned against the budget's room were refused mid-search at "65.7 MiB").
      long searchLimit = Math.max(1, Math.min(scope.availableBytes(), heapRoom(scope) / 2));
      List<String> retries = new ArrayList<>();
      try (MemoryScope searchScope = scope.openChild("search", MemorySize.ofBytes(searchLimit))) {
        AutoFeatModel searched;
        for (; ; ) {
          try {
            searched = processor.fit(searchScope, sample);
            break;
          } catch (InsufficientMemoryException e) {
            // a plan's prediction can fall short of what the search takes: search a seeded half
            // of the sample rather than fail (the final model still sees every row)
            int half = sample.rows() / 2;
            if (half < MIN_SEARCH_ROWS) {
              throw e;
            }
            retries.add(
                "search: not enough memory on "
                    + sample.rows()
                    + " rows ("
                    + e.getMessage()
                    + "); searched again on a seeded half, "
                    + half
                    + " rows");
            // the half is a copy made beside the sample: reserved first, with its index array
            held.grow(HeapBytes.doubles(d + 1, half) + HeapBytes.ints(sample.rows()));
            sample = sample.rows(seededSubset(sample.rows(), half, processor.seed()));
            kept = half;
          }
        }
        try {
          return finish(
              processor, scope, source, sample, searched, kept, sourceRows, held, room, retries);
        } catch (Throwable e) {
          // the searched model's reservation lives in the search's scope, closed next
          searched.close();
          throw e;
        }
      }
    }
  }

  /** The fewest rows a retried search may use. */
  static final int MIN_SEARCH_ROWS = 200;

  /** {@code k} of {@code n} indices, seeded, in increasing order. */
  private static int[] seededSubset(int n, int k, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] out = java.util.Arrays.copyOf(all, k);
    java.util.Arrays.sort(out);
    return out;
  }

  private static AutoFeatModel finish(
      AutoFeatProcessor processor,
      MemoryScope scope,
      CsvSource source,
      Dataset sample,
      AutoFeatModel searched,
      int kept,
      long sourceRows,
      Reservation held,
      long room,
      List<String> retries) {
    List<String> decisions = new ArrayList<>();
    decisions.add(
        String.format(
            Locale.ROOT,
            "stream: a seeded reservoir sample of %d of %d rows for the search (at most %d"
                + " rows, and 1/%d of %s available)",
            kept,
            sourceRows,
            processor.maxSampleRows(),
            SAMPLE_SHARE,
            MemorySize.format(room)));
    decisions.addAll(retries);
    Path file = source.file();
    if (kept == sourceRows || file == null || searched.features().isEmpty() || sourceRows < 5) {
      String why =
          kept == sourceRows
              ? "the sample is the whole source"
              : file == null
                  ? "the source is a reader, which cannot be read twice"
                  : searched.features().isEmpty() ? "no feature was selected" : "fewer than 5 rows";
      decisions.add("final model: on the sample, " + why);
      return withDecisions(
          searched,
          scope,
          decisions,
          new FitRows(sourceRows, kept, searched.report().plan().searchRows(), kept, 0),
          searched.fitted(),
          sample.targetLabels());
    }
    // a source read in part before the fit: the second pass skips the rows the fit did not see
    SecondPass again =
        new SecondPass(
            file,
            source.targetName(),
            source.categories(),
            source.rowsRead() - sourceRows,
            sourceRows);
    if (processor.problemType() != ProblemType.REGRESSION) {
      return refitClassifier(scope, searched, sample, held, again, kept, decisions);
    }
    held.close();
    int p = searched.features().size();
    int folds = PathOptions.forFinalModel(TargetKind.REGRESSION).folds();
    // the sums and the fit on them are reserved before either is allocated
    try (Reservation sums =
        scope.reserve(GramLassoCv.Stats.bytes(p, folds) + GramLassoCv.fitBytes(p, folds))) {
      return refit(processor, scope, searched, again, kept, decisions);
    }
  }

  /**
   * What the live heap has below its line ({@code Long.MAX_VALUE} without one): a budget larger
   * than the heap cannot be honoured, so the fit sizes itself from the smaller of the two.
   */
  private static long heapRoom(MemoryScope scope) {
    io.memguard.core.MemoryManager memory = scope.manager();
    long line = memory.liveHeapLineBytes();
    return line == Long.MAX_VALUE
        ? Long.MAX_VALUE
        : Math.max(0, line - memory.liveHeapEstimateBytes());
  }

  /**
   * Algorithm R over the remaining rows; returns how many rows the sample holds. With {@code
   * cells}, every row's target is read through it (a label in a row not kept is a class all the
   * same) and each kept row's label code goes to {@code codes}.
   */
  private static int reservoir(
      CsvSource source,
      long seed,
      double[][] x,
      double[] y,
      @Nullable TargetCells cells,
      int @Nullable [] codes) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    CsvScanner scanner = source.scanner();
    List<String> columns = source.columns();
    int target = source.targetIndex();
    CsvSource.Features features = source.allFeatures();
    int capacity = y.length;
    long seen = 0;
    int kept = 0;
    while (source.advance()) {
      int slot;
      if (seen < capacity) {
        slot = kept++;
      } else {
        long r = random.nextLong(seen + 1);
        slot = r < capacity ? (int) r : -1;
      }
      seen++;
      double label = 0;
      boolean tracked = cells != null && cells.tracking();
      if (tracked) {
        label =
            cells.read(
                scanner.field(target),
                source.sourceName(),
                scanner.recordLine(),
                columns.get(target));
      }
      if (slot < 0) {
        continue;
      }
      features.read(x, slot);
      if (tracked) {
        y[slot] = label;
        codes[slot] = cells.lastCode();
      } else {
        y[slot] = scanner.targetNumber(target, columns.get(target));
      }
    }
    return kept;
  }

  /**
   * The pass over every row after the search: the file, its target, the rows a caller read before
   * the fit (skipped again) and the rows the fit saw.
   */
  private record SecondPass(
      Path file, String target, Categories categories, long skipRows, long rows) {
    CsvSource open() {
      return CsvSource.openAfter(file, target, categories, skipRows);
    }

    UncheckedIOException unreadable(IOException e) {
      return new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }

    /** Throws when a pass read another number of rows than the fit saw. */
    void checkRowsRead(long read) {
      if (read != rows) {
        throw new IllegalStateException(
            file + " changed between the passes: " + rows + " rows, then " + read);
      }
    }
  }

  private static AutoFeatModel refit(
      AutoFeatProcessor processor,
      MemoryScope scope,
      AutoFeatModel searched,
      SecondPass second,
      int sampleRows,
      List<String> decisions) {
    long start = System.nanoTime();
    FittedAutoFeat fitted = searched.fitted();
    int p = fitted.features().size();
    // the features' mean and spread on the first block shift and scale the sums (any close value
    // keeps them well conditioned)
    FinalModelSums[] sums = new FinalModelSums[1];
    long[] position = {0};
    long staging = HeapBytes.doubles(p + 1, ModelStreams.MAX_BLOCK_ROWS);
    StreamReport pass;
    try (CsvSource again = second.open()) {
      pass =
          ModelStreams.withTarget(
              fitted,
              again,
              scope,
              staging,
              null,
              (rows, features, y) -> {
                if (sums[0] == null) {
                  sums[0] = FinalModelSums.forModel(searched, second.rows(), features, rows);
                }
                sums[0].add(position[0], features, y, rows);
                position[0] += rows;
              });
    } catch (IOException e) {
      throw second.unreadable(e);
    }
    second.checkRowsRead(position[0]);
    FittedAutoFeat refitted = sums[0].refitted(fitted);
    long used = sums[0].rows();
    long skipped = sums[0].skippedRows();
    decisions.add(
        String.format(
            Locale.ROOT,
            "final model: refitted on all %d rows in one more pass of %.1f s (cross-validated lasso"
                + " from the sums of the %d features, blocks of %d rows, %s reserved)%s",
            used,
            (System.nanoTime() - start) / 1e9,
            p,
            pass.blockRows(),
            MemorySize.format(pass.workingSetBytes()),
            skipped > 0 ? "; " + skipped + " rows left out: a feature is not finite on them" : ""));
    return withDecisions(
        searched,
        scope,
        decisions,
        new FitRows(
            second.rows(), sampleRows, searched.report().plan().searchRows(), used, skipped),
        refitted,
        List.of());
  }

  /**
   * The classifier's final model over every row: each class's penalty and starting point from a
   * cross-validated fit on the sample, then Newton passes over the file ({@link StreamedLogistic})
   * until every class has converged.
   */
  private static AutoFeatModel refitClassifier(
      MemoryScope scope,
      AutoFeatModel searched,
      Dataset sample,
      Reservation held,
      SecondPass second,
      int sampleRows,
      List<String> decisions) {
    long start = System.nanoTime();
    FittedAutoFeat fitted = searched.fitted();
    int p = fitted.features().size();
    int m = sample.rows();
    List<String> inputs = fitted.inputNames();
    PathOptions options = PathOptions.forFinalModel(TargetKind.CLASSIFICATION);
    // the sample's inputs, features and labels, their evaluation and the cross-validated fit on
    // them are reserved before any is allocated; the pass sums outlive them
    Reservation sums = null;
    try {
      StreamedLogistic refit;
      try (Reservation work =
          scope.reserve(
              HeapBytes.doubles(inputs.size() + p + 1, m)
                  + fitted.evaluationWorkBytes(m)
                  + StreamedLogistic.sampleFitBytes(p, m, options))) {
        double[] labels = sample.target();
        sums = scope.reserve(StreamedLogistic.sumsBytes(p, L1Models.classes(labels, m).length));
        double[][] columns = new double[inputs.size()][];
        for (int j = 0; j < columns.length; j++) {
          columns[j] = sample.column(inputs.get(j));
        }
        double[][] features = fitted.transformColumns(columns);
        int finite = 0;
        for (int i = 0; i < m; i++) {
          boolean ok = true;
          for (int k = 0; k < p && ok; k++) {
            ok = Double.isFinite(features[k][i]);
          }
          if (ok) {
            for (int k = 0; k < p; k++) {
              features[k][finite] = features[k][i];
            }
            labels[finite++] = labels[i];
          }
        }
        refit = StreamedLogistic.fromSample(features, finite, labels, options);
      }
      held.close();
      long passStart = System.nanoTime();
      StreamReport pass;
      do {
        try (CsvSource again = second.open()) {
          pass =
              ModelStreams.withTarget(
                  fitted,
                  again,
                  scope,
                  0,
                  labelCodes(sample.targetLabels()),
                  (rows, features, y) -> refit.add(features, y, rows));
        } catch (IOException e) {
          throw second.unreadable(e);
        }
        second.checkRowsRead(pass.rows());
      } while (!refit.endPass());
      long used = refit.rowsPerPass();
      long skipped = refit.skippedRowsPerPass();
      long unknown = refit.unknownLabelsPerPass();
      decisions.add(
          String.format(
              Locale.ROOT,
              "final model: refitted on all %d rows in %d more passes of %.1f s in all (L1 logistic"
                  + " one-vs-rest, each class's penalty %s from cross-validation on the sample,"
                  + " Newton steps from the sums of the %d features, %s)%s%s%s",
              used,
              refit.passes(),
              (System.nanoTime() - passStart) / 1e9,
              penalties(refit.lambdas()),
              p,
              refit.converged() ? "converged" : "stopped after " + StreamedLogistic.MAX_PASSES,
              skipped > 0 ? "; " + skipped + " rows left out: a feature is not finite on them" : "",
              unknown > 0
                  ? "; " + unknown + " rows have a label the sample did not have (never predicted)"
                  : "",
              String.format(
                  Locale.ROOT,
                  "; %.1f s with the sample's fit",
                  (System.nanoTime() - start) / 1e9)));
      FittedAutoFeat refitted =
          FittedAutoFeat.restore(
              fitted.inputNames(), fitted.features(), refit.model(), fitted.report());
      return withDecisions(
          searched,
          scope,
          decisions,
          new FitRows(
              second.rows(), sampleRows, searched.report().plan().searchRows(), used, skipped),
          refitted,
          sample.targetLabels());
    } finally {
      if (sums != null) {
        sums.close();
      }
    }
  }

  /** Each label's index in {@code sorted}; null for no labels (a numeric target). */
  private static java.util.@Nullable Map<String, Integer> labelCodes(List<String> sorted) {
    if (sorted.isEmpty()) {
      return null;
    }
    java.util.Map<String, Integer> codes = new java.util.HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      codes.put(sorted.get(i), i);
    }
    return codes;
  }

  private static String penalties(double[] lambdas) {
    StringBuilder sb = new StringBuilder();
    for (double l : lambdas) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", l));
    }
    return sb.toString();
  }

  /**
   * A new model from {@code searched}'s report and the decisions, reserved in {@code scope}, which
   * outlives the search's scope; closes {@code searched}.
   *
   * @param labelsByIndex the sample's class labels, which the classes of {@code fitted} index
   *     (empty for numbers)
   */
  private static AutoFeatModel withDecisions(
      AutoFeatModel searched,
      MemoryScope scope,
      List<String> added,
      FitRows rows,
      FittedAutoFeat fitted,
      List<String> labelsByIndex) {
    FitReport report = searched.report().withDecisionsAdded(added);
    Reservation own = scope.reserve(AutoFeatModel.estimateBytes(fitted));
    searched.close();
    return new AutoFeatModel(
        fitted,
        report.problemType(),
        report,
        own,
        rows,
        AutoFeatModel.labelsOf(fitted.model().classes(), labelsByIndex),
        searched.categories());
  }

  static AutoFeatModel registered(AutoFeatProcessor processor, AutoFeatModel model) {
    ModelRegistry registry = processor.registry();
    if (registry != null) {
      registry.register(model);
    }
    return model;
  }
}
