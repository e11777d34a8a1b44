package io.memguard.autofeat.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a target column cell by cell: numbers, or class labels once a cell holds text that is not a
 * number. Every distinct cell text is numbered in order of first appearance (up to {@link
 * #MAX_LABELS} of them, each parsed once), so that cells read as numbers before the first label can
 * still be read as labels: a column "1, 2, other" has the labels "1", "2" and "other". Past that
 * many distinct texts the column is numbers ({@link #tracking()} turns false: read the rest with
 * {@link CsvScanner#targetNumber}). A missing cell ({@link #isMissing}) and a number out of
 * double's range are errors either way.
 *
 * <p>Labels are coded by their rank in {@link String#compareTo} order ({@link #recode}), as
 * scikit-learn orders string classes. Not thread-safe: one reader per column.
 */
public final class TargetCells {

  /** The most distinct texts tracked: more than this many classes is not a classification. */
  public static final int MAX_LABELS = 10_000;

  private Map<String, Integer> codes = new HashMap<>();
  private String[] texts = new String[16];
  private double[] values = new double[16];
  private int distinct;
  private boolean labels;
  private int lastCode = -1;

  /**
   * Reads one cell: returns its number (NaN for a label) and its text's code in order of first
   * appearance through {@link #lastCode()}. Call only while {@link #tracking()}.
   *
   * @param source the input's name, {@code line} and {@code column} for errors
   * @throws IllegalArgumentException for a missing value or a number out of range, or for the
   *     {@value #MAX_LABELS}+1st distinct label
   */
  public double read(String text, String source, long line, String column) {
    Integer code = codes.get(text);
    if (code == null) {
      if (distinct == MAX_LABELS) {
        if (labels) {
          throw new IllegalArgumentException(
              CsvScanner.cell(source, line, column, text)
                  + " is one class label more than the "
                  + MAX_LABELS
                  + " a target may have: group the rare classes (a regression's target needs"
                  + " numbers)");
        }
        codes = null; // a numeric column: the caller reads the rest as numbers
        texts = null;
        values = null;
        lastCode = -1;
        return untrackedNumber(text, source, line, column);
      }
      code = add(text, source, line, column);
    }
    lastCode = code;
    return values[code];
  }

  private int add(String text, String source, long line, String column) {
    double v = parse(text);
    if (!Double.isFinite(v)) {
      if (!Double.isNaN(v) || isMissing(text)) {
        throw CsvScanner.notAFiniteTarget(source, line, column, text);
      }
      labels = true;
    }
    if (distinct == texts.length) {
      texts = Arrays.copyOf(texts, distinct * 2);
      values = Arrays.copyOf(values, distinct * 2);
    }
    texts[distinct] = text;
    values[distinct] = v;
    codes.put(text, distinct);
    return distinct++;
  }

  /**
   * A cell of a column no longer {@link #tracking()} (more than {@value #MAX_LABELS} distinct
   * numbers) as a finite number.
   *
   * @throws IllegalArgumentException naming the cell when it is not one
   */
  public static double untrackedNumber(String text, String source, long line, String column) {
    double v = parse(text);
    if (Double.isFinite(v)) {
      return v;
    }
    if (!Double.isNaN(v) || isMissing(text)) {
      throw CsvScanner.notAFiniteTarget(source, line, column, text);
    }
    throw new IllegalArgumentException(
        CsvScanner.cell(source, line, column, text)
            + " is text in a column of more than "
            + MAX_LABELS
            + " distinct numbers; a target needs a number in every row, or class labels (at most "
            + MAX_LABELS
            + " distinct) in every row: fix or drop that row");
  }

  /** Whether cells are still read through {@link #read}: false once the column is numbers. */
  public boolean tracking() {
    return codes != null;
  }

  /** The code of the last cell read, in order of first appearance. */
  public int lastCode() {
    return lastCode;
  }

  /**
   * Finishes a column read through this reader: when it is class labels, replaces {@code y[i]} for
   * {@code i < n} by the position, among the distinct labels in sorted order, of the label with
   * first-appearance code {@code codes[i]}, and returns those sorted labels; for numbers leaves
   * {@code y} as read and returns an empty list.
   */
  public List<String> recode(double[] y, int[] codes, int n) {
    if (!labels) {
      return List.of();
    }
    // the codes sorted by their texts: sortedCodes[r] is the code of the r-th label
    Integer[] sortedCodes = new Integer[distinct];
    for (int c = 0; c < distinct; c++) {
      sortedCodes[c] = c;
    }
    Arrays.sort(sortedCodes, (a, b) -> texts[a].compareTo(texts[b]));
    int[] rank = new int[distinct];
    String[] sorted = new String[distinct];
    for (int r = 0; r < distinct; r++) {
      rank[sortedCodes[r]] = r;
      sorted[r] = texts[sortedCodes[r]];
    }
    for (int i = 0; i < n; i++) {
      y[i] = rank[codes[i]];
    }
    return List.of(sorted);
  }

  /**
   * Whether {@code text} marks a missing value: empty, {@code NA}, {@code N/A}, {@code NaN} (with
   * or without a sign), {@code null} or {@code ?}, in any case.
   */
  public static boolean isMissing(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("+") || t.startsWith("-")) {
      t = t.substring(1);
    }
    return t.isEmpty()
        || t.equals("na")
        || t.equals("nan")
        || t.equals("n/a")
        || t.equals("null")
        || t.equals("?");
  }

  /** Whether {@code text} spells a number as {@link Double#parseDouble} reads one. */
  public static boolean isNumber(String text) {
    try {
      Double.parseDouble(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The number {@code text} spells ({@link Double#parseDouble}), or NaN when it is not one. */
  private static double parse(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
