package io.memguard.autofeat;

import io.memguard.autofeat.internal.CsvRecords;
import io.memguard.autofeat.internal.CsvScanner;
import io.memguard.autofeat.internal.TargetCells;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Training or test data: named numeric feature columns and a target, all finite. The target is
 * numbers, or class labels ({@link #targetLabels()}): then each row's target value is its label's
 * index in that sorted list. Immutable and thread-safe: the factories copy what they are given and
 * accessors return copies.
 *
 * <p>Values are held column-major as {@code double[]}, so a data set costs about {@code rows *
 * (features + 1) * 8} bytes ({@link #estimatedBytes()}). That memory belongs to the caller: a fit
 * reserves what it allocates itself, not its input (reserve the data set in a scope of your own if
 * you want it accounted).
 *
 * <pre>{@code
 * Dataset all = Dataset.fromCsv(Path.of("diabetes.csv"), "target");
 * Dataset.Split split = all.split(Dataset.readIndices(Path.of("diabetes_test_idx.txt")));
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Dataset {

  private final List<String> names;
  private final double[][] columns;
  private final double[] target;
  private final String targetName;
  private final List<String> targetLabels;
  private final Categories categories;

  private Dataset(
      List<String> names,
      double[][] columns,
      double[] target,
      String targetName,
      List<String> targetLabels,
      Categories categories) {
    this.names = names;
    this.columns = columns;
    this.target = target;
    this.targetName = targetName;
    this.targetLabels = targetLabels;
    this.categories = categories;
  }

  /**
   * A data set from column-major values, copied.
   *
   * @param names one name per feature column, non-blank and distinct
   * @param columns {@code columns[j][i]} is feature j of row i
   * @param target one value per row
   * @throws IllegalArgumentException naming the column and row of a value that is not finite, or
   *     when shapes or names disagree
   */
  public static Dataset of(List<String> names, double[][] columns, double[] target) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(target, "target");
    if (names.size() != columns.length) {
      throw new IllegalArgumentException(
          names.size() + " names for " + columns.length + " columns: " + names);
    }
    double[][] copy = new double[columns.length][];
    for (int j = 0; j < columns.length; j++) {
      Objects.requireNonNull(columns[j], "columns[" + j + "]");
      copy[j] = columns[j].clone();
    }
    return validated(List.copyOf(names), copy, target.clone(), "target");
  }

  /**
   * A data set whose target is class labels, copied: the classes are the distinct labels in sorted
   * ({@link String#compareTo}) order, {@link #targetLabels()}, and each row's target value is its
   * label's index there. Fit it with a classifier ({@link ProblemType#CLASSIFICATION}).
   *
   * @param names one name per feature column, non-blank and distinct
   * @param columns {@code columns[j][i]} is feature j of row i
   * @param labels one class label per row, non-blank
   * @throws IllegalArgumentException naming the column and row of a value that is not finite, the
   *     row of a blank label, or when shapes or names disagree or there are more than 10,000
   *     distinct labels
   */
  public static Dataset ofLabels(List<String> names, double[][] columns, List<String> labels) {
    Objects.requireNonNull(labels, "labels");
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i) == null || labels.get(i).isBlank()) {
        throw new IllegalArgumentException(
            "label of row " + i + " is blank; every row needs its class (drop the rows without)");
      }
    }
    String[] sorted = new java.util.TreeSet<>(labels).toArray(new String[0]);
    if (sorted.length > TargetCells.MAX_LABELS) {
      throw new IllegalArgumentException(
          sorted.length
              + " distinct class labels; a classifier's target needs at most "
              + TargetCells.MAX_LABELS
              + " (group the rare ones)");
    }
    double[] codes = new double[labels.size()];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = Arrays.binarySearch(sorted, labels.get(i));
    }
    Dataset numeric = of(names, columns, codes);
    return validated(numeric.names, numeric.columns, numeric.target, "target", List.of(sorted));
  }

  static Dataset validated(
      List<String> names, double[][] columns, double[] target, String targetName) {
    return validated(names, columns, target, targetName, List.of());
  }

  static Dataset validated(
      List<String> names,
      double[][] columns,
      double[] target,
      String targetName,
      List<String> targetLabels) {
    return validated(names, columns, target, targetName, targetLabels, Categories.none());
  }

  static Dataset validated(
      List<String> names,
      double[][] columns,
      double[] target,
      String targetName,
      List<String> targetLabels,
      Categories categories) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a data set needs at least one feature column");
    }
    for (int j = 0; j < names.size(); j++) {
      String n = names.get(j);
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("feature column " + j + " has a blank name");
      }
      if (names.indexOf(n) != j) {
        throw new IllegalArgumentException("feature name '" + n + "' appears twice");
      }
    }
    int rows = target.length;
    for (int j = 0; j < columns.length; j++) {
      if (columns[j].length != rows) {
        throw new IllegalArgumentException(
            "column '"
                + names.get(j)
                + "' has "
                + columns[j].length
                + " values but the target has "
                + rows);
      }
      for (int i = 0; i < rows; i++) {
        if (!Double.isFinite(columns[j][i])) {
          throw new IllegalArgumentException(
              "column '"
                  + names.get(j)
                  + "' row "
                  + i
                  + " is "
                  + columns[j][i]
                  + "; every value must be finite (impute or drop that row first)");
        }
      }
    }
    int classes = targetLabels.size();
    for (int i = 0; i < rows; i++) {
      double v = target[i];
      boolean labelIndex = v == Math.rint(v) && v >= 0 && v < classes;
      if (!Double.isFinite(v) || (classes > 0 && !labelIndex)) {
        throw new IllegalArgumentException(
            "target '"
                + targetName
                + "' row "
                + i
                + " is "
                + v
                + (Double.isFinite(v)
                    ? ", which is not the index of one of its " + classes + " class labels"
                    : "; every value must be finite (drop that row first)"));
      }
    }
    return new Dataset(names, columns, target, targetName, targetLabels, categories);
  }

  /**
   * Reads a CSV file (UTF-8) with a header row; every column but {@code target} is a feature.
   *
   * <p>The dialect is RFC 4180's, read leniently: comma-separated fields; records ended by CRLF, LF
   * or CR; fields may be quoted with {@code "} (then they may hold commas and line breaks, and
   * {@code ""} stands for one quote); a UTF-8 byte order mark at the start is ignored; spaces
   * around unquoted fields are ignored; blank lines are skipped. Every feature value must be a
   * finite number as {@link Double#parseDouble} reads it ({@code 1e-3}, {@code -0.5}, {@code 3});
   * column names must be distinct and non-blank, and the target column must appear exactly once.
   *
   * <p>The target is numbers, or class labels when one of its cells holds text that is not a number
   * (then every cell is a label as written, {@code 1} and {@code 1.0} two labels): {@link
   * #targetLabels()}, for a classifier. A missing target cell (empty, {@code NA}, {@code NaN}) is
   * an error either way.
   *
   * @throws IllegalArgumentException naming the file, line and column of a value that is not a
   *     finite number, a record with the wrong number of fields, malformed quoting, or a target
   *     column that is missing or appears twice
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Dataset fromCsv(Path path, String target) {
    return fromCsv(path, target, Categories.none());
  }

  /**
   * Reads a CSV file as {@link #fromCsv(Path, String)} does, with {@code categoricalColumns} read
   * as categories (autofeat's {@code categorical_cols}): each column's distinct cells are its
   * categories, in the order {@link Categories} describes, and each becomes a 0/1 feature column
   * named {@code cat_<column>_<category>}, after the numeric feature columns; {@link #categories()}
   * keeps them for the test data and the model. Cells of those columns may hold any text.
   *
   * @throws IllegalArgumentException also if a categorical column is missing, is the target, is
   *     named twice, or has more than {@value Categories#MAX_CATEGORIES} distinct cells, or a
   *     numeric column has the name of a category's 0/1 column
   */
  public static Dataset fromCsv(Path path, String target, Collection<String> categoricalColumns) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(categoricalColumns, "categoricalColumns");
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return read(r, target, path.toString(), List.copyOf(categoricalColumns), null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a CSV file as {@link #fromCsv(Path, String)} does, with the columns of {@code categories}
   * read as those categories' 0/1 columns, whatever categories the file's own rows hold: a cell
   * that is none of its column's categories is 0 in each. Read test data with the training data's
   * or the model's categories ({@link AutoFeatModel#categories()}), so that it has the model's
   * columns.
   *
   * @throws IllegalArgumentException also if a categorical column is missing or is the target, or a
   *     numeric column has the name of a category's 0/1 column
   */
  public static Dataset fromCsv(Path path, String target, Categories categories) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(categories, "categories");
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return read(r, target, path.toString(), null, categories);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads CSV text with a header row, in the dialect of {@link #fromCsv(Path, String)}. Does not
   * close the reader.
   *
   * @param source how to name the input in error messages
   */
  public static Dataset readCsv(Reader reader, String target, String source) {
    return readCsv(reader, target, Categories.none(), source);
  }

  /**
   * Reads CSV text as {@link #fromCsv(Path, String, Collection)} does: {@code categoricalColumns}
   * are read as the categories found there. Does not close the reader.
   *
   * @param source how to name the input in error messages
   */
  public static Dataset readCsv(
      Reader reader, String target, Collection<String> categoricalColumns, String source) {
    Objects.requireNonNull(categoricalColumns, "categoricalColumns");
    return read(reader, target, source, List.copyOf(categoricalColumns), null);
  }

  /**
   * Reads CSV text as {@link #fromCsv(Path, String, Categories)} does. Does not close the reader.
   *
   * @param source how to name the input in error messages
   */
  public static Dataset readCsv(
      Reader reader, String target, Categories categories, String source) {
    Objects.requireNonNull(categories, "categories");
    return read(reader, target, source, null, categories);
  }

  /** Reads CSV text; categories found in {@code discover}'s columns, or else the given ones. */
  private static Dataset read(
      Reader reader,
      String target,
      String source,
      @Nullable List<String> discover,
      @Nullable Categories given) {
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(source, "source");
    CsvRecords in =
        new CsvRecords(reader instanceof BufferedReader b ? b : new BufferedReader(reader), source);
    try {
      String[] cols = in.next();
      while (cols != null && isBlank(cols)) {
        cols = in.next();
      }
      if (cols == null) {
        throw new IllegalArgumentException(source + " is empty; expected a header row");
      }
      int t = targetColumn(cols, target, source);
      List<String> header = List.of(cols);
      CategoryColumns categorical =
          discover != null
              ? CategoryColumns.discover(discover, header, target, source)
              : CategoryColumns.given(given, header, target, source);
      if (given != null) {
        given.featureNames(header, target); // a column named as a 0/1 column: refused up front
      }
      List<String> names = new ArrayList<>();
      int[] numericField = new int[cols.length];
      for (int j = 0; j < cols.length; j++) {
        if (j != t && !categorical.isCategorical(j)) {
          numericField[names.size()] = j;
          names.add(cols[j]);
        }
      }
      int d = names.size();
      double[][] values = new double[d][64];
      double[] y = new double[64];
      int[] codes = new int[64];
      TargetCells cells = new TargetCells();
      int rows = 0;
      for (String[] f = in.next(); f != null; f = in.next()) {
        if (isBlank(f)) {
          continue;
        }
        int line = in.recordLine();
        if (f.length != cols.length) {
          throw new IllegalArgumentException(
              source
                  + " line "
                  + line
                  + " has "
                  + f.length
                  + " fields, the header has "
                  + cols.length);
        }
        if (rows == y.length) {
          int cap = y.length * 2;
          y = Arrays.copyOf(y, cap);
          codes = Arrays.copyOf(codes, cap);
          for (int j = 0; j < d; j++) {
            values[j] = Arrays.copyOf(values[j], cap);
          }
        }
        for (int c = 0; c < d; c++) {
          int j = numericField[c];
          values[c][rows] = number(f[j], source, line, cols[j]);
        }
        categorical.read(f, rows, line);
        if (cells.tracking()) {
          y[rows] = cells.read(f[t], source, line, cols[t]);
          codes[rows] = cells.lastCode();
        } else {
          y[rows] = TargetCells.untrackedNumber(f[t], source, line, cols[t]);
        }
        rows++;
      }
      for (int j = 0; j < d; j++) {
        values[j] = Arrays.copyOf(values[j], rows);
      }
      y = Arrays.copyOf(y, rows);
      List<String> labels = cells.recode(y, codes, rows);
      Categories categories = categorical.finish(rows);
      List<String> features = categories.featureNames(header, target);
      double[][] all = Arrays.copyOf(values, features.size());
      categorical.encode(all, d, rows);
      return validated(List.copyOf(features), all, y, target, labels, categories);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw CsvScanner.notUtf8(source, Math.max(1, in.recordLine()), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  private static boolean isBlank(String[] record) {
    return record.length == 1 && record[0].isEmpty();
  }

  private static int targetColumn(String[] cols, String target, String source) {
    int t = -1;
    for (int j = 0; j < cols.length; j++) {
      if (cols[j].equals(target)) {
        if (t >= 0) {
          throw new IllegalArgumentException(
              source
                  + " has two columns named '"
                  + target
                  + "' (columns "
                  + (t + 1)
                  + " and "
                  + (j + 1)
                  + "); the target must appear once,"
                  + " rename or drop the other so that a copy of the label cannot become a feature");
        }
        t = j;
      }
    }
    if (t < 0) {
      throw new IllegalArgumentException(
          source
              + " has no column '"
              + target
              + "'; its columns are "
              + Arrays.toString(cols)
              + CsvScanner.separatorHint(cols));
    }
    return t;
  }

  private static double number(String field, String source, int line, String column) {
    try {
      double v = Double.parseDouble(field);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw CsvScanner.notAFiniteNumber(source, line, column, field);
  }

  /**
   * Reads 0-based row indices, one per line (blank lines ignored): the format of the shared {@code
   * splits/*_test_idx.txt} files.
   *
   * @throws IllegalArgumentException naming the line of an entry that is not a non-negative integer
   * @throws UncheckedIOException if the file cannot be read
   */
  public static int[] readIndices(Path path) {
    Objects.requireNonNull(path, "path");
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return readIndices(r, path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads row indices; see {@link #readIndices(Path)}. Does not close the reader. */
  public static int[] readIndices(Reader reader, String source) {
    BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    int[] out = new int[64];
    int n = 0;
    int line = 0;
    try {
      for (String s = in.readLine(); s != null; s = in.readLine()) {
        line++;
        if (s.isBlank()) {
          continue;
        }
        int v;
        try {
          v = Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
          v = -1;
        }
        if (v < 0) {
          throw new IllegalArgumentException(
              source + " line " + line + ": '" + s + "' is not a non-negative row index");
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = v;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
    return Arrays.copyOf(out, n);
  }

  /** A train/test split of a data set. */
  public record Split(Dataset train, Dataset test) {}

  /**
   * Splits into test rows ({@code testIndices}, in the given order) and training rows (all others,
   * in their original order).
   *
   * @throws IllegalArgumentException if an index is out of range or repeated
   */
  public Split split(int[] testIndices) {
    Objects.requireNonNull(testIndices, "testIndices");
    boolean[] test = new boolean[rows()];
    for (int i : testIndices) {
      checkIndex(i);
      if (test[i]) {
        throw new IllegalArgumentException("test row index " + i + " appears twice");
      }
      test[i] = true;
    }
    int[] train = new int[rows() - testIndices.length];
    int k = 0;
    for (int i = 0; i < rows(); i++) {
      if (!test[i]) {
        train[k++] = i;
      }
    }
    return new Split(rows(train), rows(testIndices));
  }

  /**
   * The rows at {@code indices}, in that order (repeats allowed).
   *
   * @throws IllegalArgumentException if an index is out of range
   */
  public Dataset rows(int[] indices) {
    Objects.requireNonNull(indices, "indices");
    for (int i : indices) {
      checkIndex(i);
    }
    double[][] c = new double[columns.length][indices.length];
    double[] y = new double[indices.length];
    for (int k = 0; k < indices.length; k++) {
      for (int j = 0; j < columns.length; j++) {
        c[j][k] = columns[j][indices[k]];
      }
      y[k] = target[indices[k]];
    }
    return new Dataset(names, c, y, targetName, targetLabels, categories);
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= rows()) {
      throw new IllegalArgumentException(
          "row index " + i + " is out of range for " + rows() + " rows");
    }
  }

  /** The feature names, in column order. */
  public List<String> names() {
    return names;
  }

  /** The target's name ({@code "target"} for {@link #of}). */
  public String targetName() {
    return targetName;
  }

  /** The number of rows. */
  public int rows() {
    return target.length;
  }

  /** The number of feature columns. */
  public int featureCount() {
    return columns.length;
  }

  /**
   * A copy of the feature column named {@code name}.
   *
   * @throws IllegalArgumentException if there is no such column
   */
  public double[] column(String name) {
    return columns[indexOf(name)].clone();
  }

  /**
   * A copy of the target: its values, or for class labels each row's index in {@link
   * #targetLabels()}.
   */
  public double[] target() {
    return target.clone();
  }

  /**
   * The target's class labels in sorted order, which {@link #target()} indexes; empty when the
   * target is numbers.
   */
  public List<String> targetLabels() {
    return targetLabels;
  }

  /**
   * The categorical columns this data set was read with and their categories, whose 0/1 columns are
   * among {@link #names()}; {@link Categories#none()} when there were none. A fit keeps them
   * ({@link AutoFeatModel#categories()}): read test data with them.
   */
  public Categories categories() {
    return categories;
  }

  /** Heap bytes the values take: {@code rows * (features + 1) * 8}. */
  public long estimatedBytes() {
    return (long) rows() * (columns.length + 1) * Double.BYTES;
  }

  int indexOf(String name) {
    int j = names.indexOf(name);
    if (j < 0) {
      throw new IllegalArgumentException("no feature column '" + name + "'; columns are " + names);
    }
    return j;
  }

  /** The columns without copying; callers must not modify them. */
  double[][] columnsUnsafe() {
    return columns;
  }

  /** The target without copying; callers must not modify it. */
  double[] targetUnsafe() {
    return target;
  }

  @Override
  public String toString() {
    return "Dataset["
        + rows()
        + " rows, features "
        + names
        + ", target '"
        + targetName
        + "'"
        + (targetLabels.isEmpty() ? "" : " with class labels " + targetLabels)
        + "]";
  }
}
