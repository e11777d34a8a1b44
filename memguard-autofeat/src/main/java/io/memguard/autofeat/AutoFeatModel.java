package io.memguard.autofeat;

import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.Utf8Output;
import io.memguard.autofeat.internal.expr.Add;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Fn;
import io.memguard.autofeat.internal.expr.Mul;
import io.memguard.autofeat.internal.expr.Num;
import io.memguard.autofeat.internal.expr.Pow;
import io.memguard.autofeat.internal.expr.Rational;
import io.memguard.autofeat.internal.expr.Sym;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A fitted AutoFeat model: the selected features (closed-form expressions over the input columns)
 * and the linear model on them. It keeps no training data, so it is small (a few KiB).
 *
 * <p><b>Memory.</b> The model's own bytes stay reserved in the scope the fit was given (or the
 * grant's scope) until {@link #close()}, so a long-lived model is visible in that scope's
 * accounting. Close it when you are done (try-with-resources); closing twice does nothing. A model
 * still open when its scope closes is released by the scope and reported as a leak, and one dropped
 * without close is caught by the reservation's safety net and reported too, which is how memguard
 * tells you about forgotten models. Nothing in memguard keeps a model reachable: registries hold it
 * weakly, listeners and reports never see it.
 *
 * <p>{@code transform}, {@code predict} and {@code score} evaluate the features in double precision
 * on any number of rows. {@code predict} and {@code score} work through the rows a block of 4,096
 * at a time and reserve their temporaries (and {@code score} its predictions) in the model's scope
 * for the length of the call, so they need memory independent of the rows; {@code transform}
 * returns a new array per feature, which is the caller's memory ({@code features x rows x 8} bytes,
 * not reserved); a value outside a feature's training domain (e.g. the log of a negative number)
 * gives NaN for that feature and that row's prediction, never an exception. They throw {@link
 * IllegalStateException} once the model is closed. Thread-safe: the model is immutable apart from
 * its closed flag.
 *
 * @since 0.1.0
 */
public final class AutoFeatModel implements AutoCloseable {

  private final FittedAutoFeat fitted;
  private final ProblemType problemType;
  private final FitReport report;
  private final Reservation reservation;
  private final FitRows rows;
  private final List<String> classLabels;
  private final Categories categories;
  private volatile boolean closed;

  AutoFeatModel(
      FittedAutoFeat fitted,
      ProblemType problemType,
      FitReport report,
      Reservation reservation,
      List<String> classLabels,
      Categories categories) {
    this(
        fitted,
        problemType,
        report,
        reservation,
        FitRows.inMemory(report),
        classLabels,
        categories);
  }

  /**
   * @param classLabels the name of each of the model's classes, in the order of its classes; empty
   *     when they are numbers
   * @param categories the categorical columns of the training data, whose 0/1 columns are among the
   *     inputs
   */
  AutoFeatModel(
      FittedAutoFeat fitted,
      ProblemType problemType,
      FitReport report,
      Reservation reservation,
      FitRows rows,
      List<String> classLabels,
      Categories categories) {
    this.fitted = Objects.requireNonNull(fitted, "fitted");
    this.problemType = Objects.requireNonNull(problemType, "problemType");
    this.report = Objects.requireNonNull(report, "report");
    this.reservation = Objects.requireNonNull(reservation, "reservation");
    this.rows = Objects.requireNonNull(rows, "rows");
    this.classLabels = List.copyOf(classLabels);
    this.categories = Objects.requireNonNull(categories, "categories");
    if (!this.classLabels.isEmpty() && this.classLabels.size() != classes().length) {
      throw new IllegalArgumentException(
          this.classLabels.size() + " class labels for " + classes().length + " classes");
    }
  }

  /**
   * The names of {@code classes} (label indices) in {@code labelsByIndex}, in order; empty when
   * there are no labels.
   */
  static List<String> labelsOf(double[] classes, List<String> labelsByIndex) {
    if (labelsByIndex.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(classes.length);
    for (double c : classes) {
      out.add(labelsByIndex.get((int) c));
    }
    return out;
  }

  FittedAutoFeat fitted() {
    return fitted;
  }

  /** Which rows each phase of the fit saw (the search's sample, the final model's rows). */
  public FitRows rows() {
    return rows;
  }

  /**
   * Heap bytes a fitted model is estimated to take: its expression trees, names and coefficients.
   */
  static long estimateBytes(FittedAutoFeat fitted) {
    long bytes = 1024;
    for (Expr e : fitted.features()) {
      bytes += 64L * e.size() + 2L * e.toString().length() + 64;
    }
    bytes += 8L * fitted.model().coefficients().length * (fitted.features().size() + 1);
    for (String name : fitted.inputNames()) {
      bytes += 48 + 2L * name.length();
    }
    return bytes;
  }

  /** The selected features, printed (e.g. {@code (x2 + log(x1))^3}), in model order. */
  public List<String> features() {
    return fitted.featureNames();
  }

  /**
   * The selected features' formulas, in model order: what {@link #features()} prints, as trees to
   * evaluate elsewhere (see {@link Formula} for the order of operations that gives the same bits).
   */
  public List<Formula> formulas() {
    List<String> names = fitted.inputNames();
    List<Formula> out = new ArrayList<>();
    for (Expr e : fitted.features()) {
      out.add(formula(e, names));
    }
    return List.copyOf(out);
  }

  /** The formula of an engine expression over {@code inputNames}. */
  private static Formula formula(Expr e, List<String> inputNames) {
    if (e instanceof Num n) {
      return new Formula.Constant(n.value().doubleValue());
    } else if (e instanceof Sym s) {
      return new Formula.Input(inputNames.get(s.index()), s.index());
    } else if (e instanceof Fn f) {
      String name = f.kind().name().toLowerCase(Locale.ROOT);
      return new Formula.Function(name, formula(f.arg(), inputNames));
    } else if (e instanceof Pow p) {
      Rational x = p.exponent();
      return new Formula.Power(formula(p.base(), inputNames), x.numerator(), x.denominator());
    } else if (e instanceof Mul m) {
      List<Formula> factors = new ArrayList<>();
      for (Expr f : m.factors()) {
        factors.add(formula(f, inputNames));
      }
      return new Formula.Product(m.coefficient().doubleValue(), factors);
    } else if (e instanceof Add a) {
      List<Double> coefficients = new ArrayList<>();
      for (Rational c : a.coefficients()) {
        coefficients.add(c.doubleValue());
      }
      List<Formula> terms = new ArrayList<>();
      for (Expr t : a.terms()) {
        terms.add(formula(t, inputNames));
      }
      return new Formula.Sum(a.constant().doubleValue(), coefficients, terms);
    }
    throw new AssertionError(e.getClass());
  }

  /**
   * The input columns the model reads, by name, in the order of the training data: for a model
   * fitted on categorical columns, the 0/1 column of each category ({@link #categories()}) among
   * them.
   */
  public List<String> inputNames() {
    return fitted.inputNames();
  }

  /**
   * The categorical columns of the training data and their categories; {@link Categories#none()}
   * when there were none. Read new data with them ({@link Dataset#fromCsv(Path, String,
   * Categories)}, {@link CsvSource#open(Path, String, Categories)}) so that it has the model's
   * columns; {@link #transformCsv} and {@link #predictCsv} do.
   */
  public Categories categories() {
    return categories;
  }

  /** Regression or classification. */
  public ProblemType problemType() {
    return problemType;
  }

  /** What the fit did. */
  public FitReport report() {
    return report;
  }

  /**
   * The coefficients on the raw feature scale: one row for regression and binary classification,
   * one row per class (one-vs-rest) otherwise. A copy.
   */
  public double[][] coefficients() {
    return fitted.model().coefficients();
  }

  /** The intercepts, one per coefficient row. A copy. */
  public double[] intercepts() {
    return fitted.model().intercepts();
  }

  /**
   * The classes in sorted order (classification); empty for regression. A copy. For a model fitted
   * on class labels ({@link Dataset#targetLabels()}) these are the labels' indices in the training
   * data, and {@link #classLabels()} names them.
   */
  public double[] classes() {
    return problemType == ProblemType.CLASSIFICATION ? fitted.model().classes() : new double[0];
  }

  /**
   * The name of each class of {@link #classes()}, in the same order, for a classifier fitted on
   * class labels; empty when its classes are numbers (and for regression).
   */
  public List<String> classLabels() {
    return classLabels;
  }

  /**
   * Computes the selected features for {@code data}, whose columns are matched by name.
   *
   * @return one array per feature ({@code [feature][row]})
   * @throws IllegalArgumentException if an input column is missing
   * @throws IllegalStateException if the model is closed
   */
  public double[][] transform(Dataset data) {
    return fitted.transformColumns(inputs(data));
  }

  /**
   * Computes the selected features of a block of rows given as arrays: {@code inputColumns} one
   * array per {@link #inputNames()} entry in that order, {@code out} one array per feature in model
   * order, each holding at least {@code rows} values; the values are those {@link
   * #transform(Dataset)} gives. For callers that bring their own row blocks (memguard-spark's
   * partitions): apart from a few blocks of temporaries (at most {@code 8 KiB} per nesting level of
   * a formula) it allocates nothing. Thread-safe (each call its own temporaries).
   *
   * @throws IllegalArgumentException if a count is wrong or an array is shorter than {@code rows}
   * @throws IllegalStateException if the model is closed
   */
  public void transformInto(double[][] inputColumns, int rows, double[][] out) {
    checkOpen();
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    fitted.transformInto(inputColumns, rows, out, new ExprEvaluator.Work());
  }

  /**
   * Predicts {@code data}: values for regression, class labels for classification. Its temporaries
   * (the features on {@code data}'s rows) are reserved first in the scope that holds the model.
   *
   * @throws IllegalArgumentException if an input column is missing
   * @throws io.memguard.core.MemoryBudgetExceededException if that scope cannot hold the
   *     temporaries; nothing is allocated then (predict fewer rows at a time, or give the scope
   *     more memory)
   * @throws IllegalStateException if the model is closed
   */
  public double[] predict(Dataset data) {
    double[][] in = inputs(data);
    try (Work work = work(fitted.predictWorkBytes(data.rows()))) {
      return fitted.predictColumns(in);
    }
  }

  /**
   * Predicts the class label of each row of {@code data}, for a classifier fitted on class labels
   * ({@link #classLabels()}); null where the prediction is missing (a feature outside its domain).
   * Reserves as {@link #predict} does.
   *
   * @throws IllegalStateException if the model's classes are numbers (use {@link #predict}) or the
   *     model is closed
   */
  public List<String> predictLabels(Dataset data) {
    if (classLabels.isEmpty()) {
      throw new IllegalStateException(
          "this model's classes are numbers, not labels: use predict(data)"
              + (problemType == ProblemType.REGRESSION ? " (it is a regression)" : ""));
    }
    double[] p = predict(data);
    double[] classes = fitted.model().classes();
    List<String> out = new ArrayList<>(p.length);
    for (double v : p) {
      out.add(labelOf(classes, v));
    }
    return java.util.Collections.unmodifiableList(out);
  }

  /** The label of predicted class value {@code v} among {@code classes}; null for none. */
  private String labelOf(double[] classes, double v) {
    int at = java.util.Arrays.binarySearch(classes, v);
    return at >= 0 ? classLabels.get(at) : null;
  }

  /** A call's temporaries, reserved while it runs. */
  private interface Work extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Reserves a call's temporaries in the scope that holds the model's own bytes; nothing once that
   * scope has released the model (it was reported as a leak then).
   */
  private Work work(long bytes) {
    MemoryScope scope = reservation.scope();
    if (reservation.isReleased() || scope.isClosed()) {
      return () -> {};
    }
    Reservation r = scope.reserve(bytes);
    return r::close;
  }

  /**
   * Scores the model on {@code data} against its target: R^2 for regression, accuracy for
   * classification. Rows whose prediction is NaN count as wrong (accuracy) or are skipped (R^2).
   * Its temporaries are reserved as {@link #predict}'s are, with the predictions beside them.
   *
   * <p>A classifier fitted on class labels compares labels by name, so {@code data} read from
   * another file, whose labels are numbered among its own, scores right.
   *
   * @throws IllegalArgumentException if an input column is missing, {@code data} is empty, or its
   *     target is class labels where the model's classes are numbers (or the reverse)
   * @throws io.memguard.core.MemoryBudgetExceededException if the model's scope cannot hold the
   *     temporaries; nothing is allocated then
   * @throws IllegalStateException if the model is closed
   */
  public double score(Dataset data) {
    checkTargetKind(data);
    double[] y = data.targetUnsafe();
    if (y.length == 0) {
      throw new IllegalArgumentException("cannot score on an empty data set");
    }
    double[] p;
    try (Work predictions = work(8L * y.length + 16)) {
      p = predict(data);
    }
    if (problemType == ProblemType.CLASSIFICATION) {
      int ok = 0;
      if (classLabels.isEmpty()) {
        for (int i = 0; i < y.length; i++) {
          ok += y[i] == p[i] ? 1 : 0;
        }
      } else {
        // by name: data read from another file numbers its labels among its own
        List<String> actual = data.targetLabels();
        double[] classes = fitted.model().classes();
        for (int i = 0; i < y.length; i++) {
          ok += actual.get((int) y[i]).equals(labelOf(classes, p[i])) ? 1 : 0;
        }
      }
      return ok / (double) y.length;
    }
    return r2(y, p);
  }

  /**
   * Throws when {@code data}'s target is labels and the model's classes are not, or the reverse.
   */
  private void checkTargetKind(Dataset data) {
    boolean labelled = !data.targetLabels().isEmpty();
    if (labelled && classLabels.isEmpty()) {
      throw new IllegalArgumentException(
          "the target '"
              + data.targetName()
              + "' holds class labels "
              + data.targetLabels()
              + ", but this model "
              + (problemType == ProblemType.REGRESSION
                  ? "is a regression"
                  : "was fitted on numeric classes " + java.util.Arrays.toString(classes()))
              + ": score it on data with a numeric target");
    }
    if (!labelled && !classLabels.isEmpty()) {
      throw new IllegalArgumentException(
          "the target '"
              + data.targetName()
              + "' holds numbers, but this model predicts class labels "
              + classLabels
              + ": score it on data whose target holds those labels (a file whose labels all look"
              + " like numbers is read as numbers: build that data with Dataset.ofLabels)");
    }
  }

  /**
   * R^2 of {@code predicted} against {@code actual} over the rows where the prediction is finite.
   */
  static double r2(double[] actual, double[] predicted) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < actual.length; i++) {
      if (Double.isFinite(predicted[i])) {
        sum += actual[i];
        n++;
      }
    }
    if (n == 0) {
      return Double.NaN;
    }
    double mean = sum / n;
    double ssr = 0;
    double sst = 0;
    for (int i = 0; i < actual.length; i++) {
      if (Double.isFinite(predicted[i])) {
        double r = actual[i] - predicted[i];
        double t = actual[i] - mean;
        ssr += r * r;
        sst += t * t;
      }
    }
    return sst > 0 ? 1 - ssr / sst : Double.NaN;
  }

  private double[][] inputs(Dataset data) {
    Objects.requireNonNull(data, "data");
    checkOpen();
    List<String> names = fitted.inputNames();
    double[][] cols = data.columnsUnsafe();
    double[][] in = new double[names.size()][];
    Map<String, Integer> columnOf = new HashMap<>();
    for (int j = 0; j < data.names().size(); j++) {
      columnOf.put(data.names().get(j), j);
    }
    for (int j = 0; j < names.size(); j++) {
      Integer at = columnOf.get(names.get(j));
      if (at == null) {
        throw new IllegalArgumentException(
            "the model reads column '"
                + names.get(j)
                + "', which the data set does not have; its columns are "
                + data.names()
                + (categories.isEmpty() || data.categories().equals(categories)
                    ? ""
                    : "; the model was fitted on categorical columns "
                        + categories.columns()
                        + ": read the data with its categories, Dataset.fromCsv(file, target,"
                        + " model.categories())"));
      }
      in[j] = cols[at];
    }
    return in;
  }

  /**
   * Streams {@code input} (a CSV file in {@link Dataset#fromCsv}'s dialect, with or without a
   * target column) to {@code output}: each record as it was written, followed by the model's
   * features (a header with their names; an empty field where a value is outside a feature's
   * domain), except those that are an input column as it is, which the record already holds (so the
   * file has no repeated column name and reads back with {@link Dataset#fromCsv}). The rows go
   * through in blocks sized from what {@code scope} has available, with a working set reserved
   * there that does not grow with the number of rows (StreamReport#workingSetBytes), so a file
   * larger than the heap streams through.
   *
   * @throws IllegalArgumentException naming the file, line and column of a value that is not a
   *     finite number or a record of the wrong width, or a column the model reads that the file
   *     lacks
   * @throws io.memguard.core.MemoryBudgetExceededException if {@code scope} cannot hold the
   *     smallest block's working set
   * @throws IOException if a file cannot be read or written
   * @throws IllegalStateException if the model is closed
   */
  public StreamReport transformCsv(Path input, Path output, MemoryScope scope) throws IOException {
    return toCsv(input, output, scope, ModelStreams.Output.FEATURES, 0);
  }

  /**
   * As {@link #transformCsv(Path, Path, MemoryScope)} with blocks of {@code blockRows} rows instead
   * of a size from the scope's room (0 for that size).
   *
   * @throws IllegalArgumentException if {@code blockRows} is negative
   */
  public StreamReport transformCsv(Path input, Path output, MemoryScope scope, int blockRows)
      throws IOException {
    if (blockRows < 0) {
      throw new IllegalArgumentException(
          "blockRows must be >= 0 (0 = from the scope), got " + blockRows);
    }
    return toCsv(input, output, scope, ModelStreams.Output.FEATURES, blockRows);
  }

  /**
   * As {@link #transformCsv}, but each record is followed by the model's prediction (a value, or a
   * class: its label for a model fitted on class labels), in a column named {@code prediction}.
   */
  public StreamReport predictCsv(Path input, Path output, MemoryScope scope) throws IOException {
    return toCsv(input, output, scope, ModelStreams.Output.PREDICTION, 0);
  }

  /**
   * Streams {@code source}'s remaining rows through the model block by block, handing each block's
   * inputs and features to {@code consumer}; the working set is reserved in {@code scope} as for
   * {@link #transformCsv}. Does not close the source.
   */
  public StreamReport transform(CsvSource source, MemoryScope scope, FeatureBlockConsumer consumer)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(consumer, "consumer");
    checkOpen();
    return ModelStreams.toConsumer(fitted, source, scope, consumer);
  }

  private StreamReport toCsv(
      Path input, Path output, MemoryScope scope, ModelStreams.Output mode, int blockRows)
      throws IOException {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(scope, "scope");
    checkOpen();
    if (Files.exists(output) && Files.isSameFile(input, output)) {
      // writing would empty the file while it is being read
      throw new IllegalArgumentException(
          "cannot write "
              + output
              + " over its own input: write the features to another file, then move it");
    }
    try (CsvSource source = CsvSource.open(input, null, categories);
        Utf8Output out =
            new Utf8Output(Files.newOutputStream(output), ModelStreams.WRITE_BUFFER_BYTES)) {
      return ModelStreams.toCsv(fitted, classLabels, source, out, scope, mode, blockRows);
    }
  }

  /**
   * Writes the model in memguard's versioned text format (docs/autofeat.md, "Saving and loading a
   * model"): input names, feature expressions, coefficients, classes and the fit's figures and
   * decisions, with a checksum. The file is written beside {@code file} and moved into place, so a
   * reader never sees half a model. A model loaded from it predicts bit for bit as this one.
   *
   * @throws IOException if the file cannot be written
   * @throws IllegalStateException if the model is closed
   */
  public void save(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    // created as any new file is (the user's umask), not as a private temporary file, so a saved
    // model keeps the permissions other processes expect to read it with
    Path tmp =
        absolute.resolveSibling(
            absolute.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
    try {
      try (OutputStream out =
          new BufferedOutputStream(
              Files.newOutputStream(
                  tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
        save(out);
      }
      Files.move(
          tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes the model to {@code out} (flushed, not closed); see {@link #save(Path)}.
   *
   * @throws IOException if writing fails
   * @throws IllegalStateException if the model is closed
   */
  public void save(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    checkOpen();
    ModelFile.write(fitted, problemType, report, rows, classLabels, categories, out);
  }

  /**
   * Reads a model saved by {@link #save(Path)}, its bytes reserved in {@code scope} until it is
   * closed. Its report has the saved figures and decisions, without the per-phase and per-batch
   * reports.
   *
   * @throws ModelFormatException if the file is not a saved model, is corrupt or truncated (its
   *     checksum), or was saved by a newer format version; the message names the line
   * @throws IOException if the file cannot be read
   * @throws io.memguard.core.MemoryBudgetExceededException if {@code scope} has no room for it
   */
  public static AutoFeatModel load(Path file, MemoryScope scope) throws IOException {
    Objects.requireNonNull(file, "file");
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return load(in, scope);
    }
  }

  /**
   * Reads a model from {@code in} (not closed); see {@link #load(Path, MemoryScope)}. Reads ahead
   * in blocks, so where {@code in} stands afterwards is unspecified: give each model a stream of
   * its own.
   */
  public static AutoFeatModel load(InputStream in, MemoryScope scope) throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(scope, "scope");
    ModelFile.Parts parts = ModelFile.read(in);
    Reservation own = scope.reserve(estimateBytes(parts.fitted()));
    return new AutoFeatModel(
        parts.fitted(),
        parts.problemType(),
        parts.report(),
        own,
        parts.rows(),
        parts.classLabels(),
        parts.categories());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the model was closed; fit a new one or keep it open while you use it");
    }
  }

  /** The bytes this model holds reserved now; 0 once closed. */
  public long reservedBytes() {
    return reservation.bytes();
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Releases the model's reservation; the model can no longer be used. Idempotent. */
  @Override
  public void close() {
    closed = true;
    reservation.close();
  }

  @Override
  public String toString() {
    return "AutoFeatModel["
        + problemType
        + ", features="
        + features()
        + (classLabels.isEmpty() ? "" : ", classes=" + classLabels)
        + (closed ? ", closed" : "")
        + "]";
  }
}
