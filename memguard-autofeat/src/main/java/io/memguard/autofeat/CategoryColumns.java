package io.memguard.autofeat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The categorical columns of one CSV read into memory: each row's category per column, found as the
 * rows arrive or looked up among given categories, then written out as 0/1 columns. Not
 * thread-safe.
 */
final class CategoryColumns {

  private final String source;
  private final List<String> columns;
  private final int[] field;
  private final boolean[] categoricalField;
  private final @Nullable Categories given;
  private final List<Map<String, Integer>> codeOf = new ArrayList<>();
  private final List<List<String>> found = new ArrayList<>();
  private final int[][] codes;
  private @Nullable Categories categories;

  private CategoryColumns(
      List<String> columns, List<String> header, String source, @Nullable Categories given) {
    this.source = source;
    this.columns = columns;
    this.given = given;
    this.field = columns.stream().mapToInt(header::indexOf).toArray();
    this.categoricalField = new boolean[header.size()];
    this.codes = new int[columns.size()][64];
    for (int k = 0; k < columns.size(); k++) {
      categoricalField[field[k]] = true;
      Map<String, Integer> byText = new HashMap<>();
      if (given != null) {
        List<String> list = given.categories(columns.get(k));
        for (int c = 0; c < list.size(); c++) {
          byText.put(list.get(c), c);
        }
      }
      codeOf.add(byText);
      found.add(new ArrayList<>());
    }
  }

  /** Columns whose categories are found in the rows read. */
  static CategoryColumns discover(
      List<String> columns, List<String> header, String target, String source) {
    Categories.checkNamedOnce(columns);
    for (String c : columns) {
      Categories.checkColumn(c, header, target, source);
    }
    return new CategoryColumns(columns, header, source, null);
  }

  /** The columns of {@code given}, their categories fixed. */
  static CategoryColumns given(
      Categories given, List<String> header, String target, String source) {
    given.checkColumns(header, target, source);
    return new CategoryColumns(given.columns(), header, source, given);
  }

  boolean isCategorical(int field) {
    return categoricalField[field];
  }

  /** Reads the categorical cells of {@code record}, row {@code row} (at file line {@code line}). */
  void read(String[] record, int row, int line) {
    for (int k = 0; k < field.length; k++) {
      if (row == codes[k].length) {
        codes[k] = Arrays.copyOf(codes[k], row * 2);
      }
      String text = record[field[k]];
      Map<String, Integer> byText = codeOf.get(k);
      Integer code = byText.get(text);
      if (code == null) {
        if (given != null) {
          code = -1; // not a category of the fit: 0 in every 0/1 column
        } else {
          List<String> texts = found.get(k);
          if (texts.size() == Categories.MAX_CATEGORIES) {
            throw new IllegalArgumentException(
                source + " line " + line + ": " + Categories.tooMany(columns.get(k)));
          }
          code = texts.size();
          texts.add(text);
          byText.put(text, code);
        }
      }
      codes[k][row] = code;
    }
  }

  /**
   * The categories, once the last of {@code rows} rows was read: the given ones, or those found,
   * sorted ({@link Categories#sorted}), the rows' codes renumbered in that order.
   */
  Categories finish(int rows) {
    if (categories != null) {
      return categories;
    }
    if (given != null) {
      categories = given;
      return categories;
    }
    categories = Categories.found(columns, found);
    for (int k = 0; k < field.length; k++) {
      // each row's code is its text's first appearance; renumber by the sorted order
      List<String> sorted = categories.categories(columns.get(k));
      Map<String, Integer> firstSeen = codeOf.get(k);
      int[] rank = new int[sorted.size()];
      for (int c = 0; c < sorted.size(); c++) {
        rank[firstSeen.getOrDefault(sorted.get(c), 0)] = c;
      }
      int[] column = codes[k];
      for (int i = 0; i < rows; i++) {
        column[i] = rank[column[i]];
      }
    }
    return categories;
  }

  /**
   * Writes each category's 0/1 column into {@code out}, from index {@code from} on, in the order of
   * {@link Categories#encodedNames()} (after {@link #finish}).
   */
  void encode(double[][] out, int from, int rows) {
    if (categories == null) {
      throw new IllegalStateException("finish(rows) first");
    }
    int at = from;
    for (int k = 0; k < field.length; k++) {
      int count = categories.categories(columns.get(k)).size();
      for (int cat = 0; cat < count; cat++) {
        out[at + cat] = new double[rows];
      }
      int[] column = codes[k];
      for (int i = 0; i < rows; i++) {
        if (column[i] >= 0) {
          out[at + column[i]][i] = 1.0; // -1: a category the given ones lack, 0 in every column
        }
      }
      at += count;
    }
  }
}
