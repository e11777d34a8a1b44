package io.memguard.autofeat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The categorical columns of a data set and the categories of each, frozen: autofeat's {@code
 * categorical_cols}. Each categorical column is read as one 0/1 column per category, named {@code
 * cat_<column>_<category>} ({@link #encodedName}), placed after the numeric feature columns in the
 * order of {@link #columns()}; the text column itself is not a feature. A cell is a category as
 * written (an empty cell is the category {@code ""}); a cell that is none of a column's categories
 * (data read after the fit) is 0 in every one of its columns.
 *
 * <p>Reading training data with {@link Dataset#fromCsv(java.nio.file.Path, String, Collection)}
 * finds the categories: each column's distinct cells, in numeric order when all are numbers and in
 * {@link String#compareTo} order otherwise, as scikit-learn's one-hot encoder orders them. A fitted
 * model keeps them ({@link AutoFeatModel#categories()}), and data read with them ({@link
 * Dataset#fromCsv(java.nio.file.Path, String, Categories)}, {@link
 * CsvSource#open(java.nio.file.Path, String, Categories)}) has the model's columns whatever
 * categories its own rows hold, where autofeat refits the encoder on the new data (its quirk Q5).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Categories {

  /**
   * The most categories a column may have: each is a column of the data set, 8 bytes a row, and a
   * start feature of the search.
   */
  public static final int MAX_CATEGORIES = 1_000;

  private static final Categories NONE = new Categories(Map.of());

  private final Map<String, List<String>> byColumn;
  private final Map<String, Origin> byEncodedName = new java.util.HashMap<>();

  private Categories(Map<String, List<String>> byColumn) {
    this.byColumn = byColumn;
    byColumn.forEach(
        (column, categories) -> {
          for (int i = 0; i < categories.size(); i++) {
            String name = encodedName(column, categories.get(i));
            Origin clash = byEncodedName.put(name, new Origin(column, i));
            if (clash != null) {
              throw new IllegalArgumentException(
                  "category '"
                      + categories.get(i)
                      + "' of '"
                      + column
                      + "' and category '"
                      + byColumn.get(clash.column()).get(clash.category())
                      + "' of '"
                      + clash.column()
                      + "' would both be the column '"
                      + name
                      + "': rename one of the columns");
            }
          }
        });
  }

  /** No categorical column. */
  public static Categories none() {
    return NONE;
  }

  /**
   * The given categories, in the map's iteration order of columns (use a {@link LinkedHashMap} to
   * choose it) and each list's order of categories.
   *
   * @throws IllegalArgumentException if a column name is blank, or a column has no category,
   *     repeats one, or has more than {@value #MAX_CATEGORIES}, or two categories would have the
   *     same 0/1 column name
   */
  public static Categories of(Map<String, ? extends List<String>> categoriesByColumn) {
    Objects.requireNonNull(categoriesByColumn, "categoriesByColumn");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    categoriesByColumn.forEach(
        (column, categories) -> {
          if (column == null || column.isBlank()) {
            throw new IllegalArgumentException("a categorical column has a blank name");
          }
          Objects.requireNonNull(categories, () -> "categories of '" + column + "'");
          if (categories.isEmpty()) {
            throw new IllegalArgumentException(
                "categorical column '" + column + "' has no category; give it at least one");
          }
          checkCount(column, categories.size());
          Set<String> seen = new HashSet<>();
          for (String c : categories) {
            Objects.requireNonNull(c, () -> "a category of '" + column + "'");
            if (!seen.add(c)) {
              throw new IllegalArgumentException(
                  "categorical column '" + column + "' lists category '" + c + "' twice");
            }
          }
          copy.put(column, List.copyOf(categories));
        });
    return copy.isEmpty() ? NONE : new Categories(java.util.Collections.unmodifiableMap(copy));
  }

  /**
   * Finds the categories of {@code columns} in a CSV file ({@link Dataset#fromCsv}'s dialect) in
   * one streamed pass that holds only the categories (for a file larger than the heap, before
   * {@link CsvSource#open(java.nio.file.Path, String, Categories)}): each column's distinct cells,
   * ordered as {@link Dataset#fromCsv(java.nio.file.Path, String, Collection)} orders them.
   *
   * @throws IllegalArgumentException if a column is missing or named twice, has more than {@value
   *     #MAX_CATEGORIES} distinct cells, or a record has the wrong number of fields
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static Categories scan(java.nio.file.Path file, Collection<String> columns) {
    Objects.requireNonNull(file, "file");
    List<String> wanted = List.copyOf(columns);
    checkNamedOnce(wanted);
    try (CsvSource source = CsvSource.open(file, null)) {
      int[] field = new int[wanted.size()];
      List<Set<String>> found = new ArrayList<>();
      for (int k = 0; k < field.length; k++) {
        String column = wanted.get(k);
        checkColumn(column, source.columns(), null, source.sourceName());
        field[k] = source.columns().indexOf(column);
        found.add(new HashSet<>());
      }
      while (source.advance()) {
        for (int k = 0; k < field.length; k++) {
          Set<String> set = found.get(k);
          if (set.add(source.scanner().field(field[k])) && set.size() > MAX_CATEGORIES) {
            throw new IllegalArgumentException(
                file + " line " + source.scanner().recordLine() + ": " + tooMany(wanted.get(k)));
          }
        }
      }
      return found(wanted, found);
    }
  }

  /**
   * The categories of {@code columns} whose distinct cells are {@code texts} (one collection per
   * column, in any order), each sorted ({@link #sorted}); a column without a cell (no rows) has the
   * one category {@code ""}, since a column needs one.
   */
  static Categories found(List<String> columns, List<? extends Collection<String>> texts) {
    Map<String, List<String>> byColumn = new LinkedHashMap<>();
    for (int k = 0; k < columns.size(); k++) {
      Collection<String> t = texts.get(k);
      byColumn.put(columns.get(k), sorted(t.isEmpty() ? List.of("") : t));
    }
    return of(byColumn);
  }

  /** Checks that no column is named twice (or is null) among {@code columns} named categorical. */
  static void checkNamedOnce(List<String> columns) {
    Set<String> seen = new HashSet<>();
    for (String c : columns) {
      if (c == null || !seen.add(c)) {
        throw new IllegalArgumentException(
            "categorical column '" + c + "' is named twice; name each once");
      }
    }
  }

  /** The error text for a column with more than {@value #MAX_CATEGORIES} categories. */
  static String tooMany(String column) {
    return "categorical column '"
        + column
        + "' has more than "
        + MAX_CATEGORIES
        + " distinct values, and each would become a column: group the rare values into one"
        + " (\"other\"), or leave the column out of the categorical columns";
  }

  static void checkCount(String column, int categories) {
    if (categories > MAX_CATEGORIES) {
      throw new IllegalArgumentException(tooMany(column));
    }
  }

  /**
   * The name of the 0/1 column of {@code category} in {@code column}: {@code
   * cat_<column>_<category>}.
   */
  public static String encodedName(String column, String category) {
    return "cat_" + column + "_" + category;
  }

  /** The categorical columns, in order. */
  public List<String> columns() {
    return List.copyOf(byColumn.keySet());
  }

  /** True when no column is categorical. */
  public boolean isEmpty() {
    return byColumn.isEmpty();
  }

  /** True when {@code column} is one of {@link #columns()}. */
  public boolean isCategorical(String column) {
    return byColumn.containsKey(column);
  }

  /**
   * The categories of {@code column}, in order.
   *
   * @throws IllegalArgumentException if it is not a categorical column
   */
  public List<String> categories(String column) {
    List<String> c = byColumn.get(column);
    if (c == null) {
      throw new IllegalArgumentException(
          "'" + column + "' is not a categorical column; they are " + byColumn.keySet());
    }
    return c;
  }

  /**
   * The 0/1 columns' names of {@code column}, in the order of its categories.
   *
   * @throws IllegalArgumentException if it is not a categorical column
   */
  public List<String> encodedNames(String column) {
    return categories(column).stream().map(c -> encodedName(column, c)).toList();
  }

  /** Every 0/1 column's name, column by column, each column's in the order of its categories. */
  public List<String> encodedNames() {
    List<String> out = new ArrayList<>();
    byColumn.forEach(
        (column, categories) -> categories.forEach(c -> out.add(encodedName(column, c))));
    return out;
  }

  /** The category of {@code encoded} (a name of {@link #encodedNames()}), or null. */
  @Nullable Origin origin(String encoded) {
    return byEncodedName.get(encoded);
  }

  /** A 0/1 column's text column and its category's index there. */
  record Origin(String column, int category) {}

  /**
   * Checks that each categorical column is one of {@code header}'s and is not the target.
   *
   * @param source how to name the input in errors
   */
  void checkColumns(List<String> header, @Nullable String target, String source) {
    for (String column : byColumn.keySet()) {
      checkColumn(column, header, target, source);
    }
  }

  /** Checks that a categorical {@code column} is one of {@code header}'s and not the target. */
  static void checkColumn(
      String column, List<String> header, @Nullable String target, String source) {
    if (column.equals(target)) {
      throw new IllegalArgumentException(
          "'"
              + column
              + "' is the target of "
              + source
              + " and cannot also be a categorical feature column (a classifier's target may"
              + " hold class labels as it is)");
    }
    if (!header.contains(column)) {
      throw new IllegalArgumentException(
          source
              + " has no column '"
              + column
              + "' (named as a categorical column); its columns are "
              + header);
    }
  }

  /**
   * The feature names of a file with columns {@code header}: the numeric columns but the target, in
   * order, then {@link #encodedNames()}.
   */
  List<String> featureNames(List<String> header, @Nullable String target) {
    List<String> out = new ArrayList<>();
    for (String c : header) {
      if (!c.equals(target) && !isCategorical(c)) {
        if (byEncodedName.containsKey(c)) {
          Origin o = byEncodedName.get(c);
          throw new IllegalArgumentException(
              "column '"
                  + c
                  + "' has the name of category '"
                  + byColumn.get(o.column()).get(o.category())
                  + "' of '"
                  + o.column()
                  + "''s 0/1 column: rename it");
        }
        out.add(c);
      }
    }
    out.addAll(encodedNames());
    return out;
  }

  /**
   * The categories found in a column, {@code texts} in any order: in numeric order when every one
   * is a finite number (ties in text order), in {@link String#compareTo} order otherwise.
   */
  static List<String> sorted(Collection<String> texts) {
    List<String> out = new ArrayList<>(texts);
    boolean numbers = true;
    for (String t : out) {
      if (!isFiniteNumber(t)) {
        numbers = false;
        break;
      }
    }
    if (numbers) {
      out.sort(
          java.util.Comparator.comparingDouble((String t) -> Double.parseDouble(t))
              .thenComparing(java.util.Comparator.naturalOrder()));
    } else {
      out.sort(null);
    }
    return out;
  }

  private static boolean isFiniteNumber(String text) {
    try {
      return Double.isFinite(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Categories other
        && byColumn.equals(other.byColumn)
        && columns().equals(other.columns());
  }

  @Override
  public int hashCode() {
    return byColumn.hashCode();
  }

  @Override
  public String toString() {
    return "Categories" + byColumn;
  }
}
