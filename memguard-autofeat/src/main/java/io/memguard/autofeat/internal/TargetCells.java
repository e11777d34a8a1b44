package io.memguard.autofeat.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a target column cell by cell: numbers, or class labels once a cell holds text that is not a
 * number. Every distinct cell text is numbered in order of first appearance (up to {@link
 * #MAX_LABELS} of them), so that cells read as numbers before the first label can still be read as
 * labels: a column "1, 2, other" has the labels "1", "2" and "other". A missing cell (empty, {@code
 * NA}, {@code NaN}, {@code null}) and a number out of double's range are errors either way.
 *
 * <p>Labels are coded by their rank in {@link String#compareTo} order ({@link #sortedLabels()}), as
 * scikit-learn orders string classes. Not thread-safe: one reader per column.
 */
public final class TargetCells {

  /** The most distinct texts tracked: more than this many classes is not a classification. */
  public static final int MAX_LABELS = 10_000;

  private Map<String, Integer> codes = new HashMap<>();
  private final List<String> texts = new ArrayList<>();
  private boolean labels;
  private int lastCode = -1;

  /**
   * Reads one cell: returns its number (NaN for a label) and, while texts are tracked, its text's
   * code in order of first appearance (else -1) through {@link #lastCode()}.
   *
   * @param source the input's name, {@code line} and {@code column} for errors
   * @throws IllegalArgumentException for a missing value or a number out of range, or for text once
   *     more than {@link #MAX_LABELS} distinct values were read (a numeric column with a stray
   *     word)
   */
  public double read(String text, String source, long line, String column) {
    lastCode = -1;
    if (codes != null) {
      Integer code = codes.get(text);
      if (code == null && texts.size() < MAX_LABELS) {
        code = texts.size();
        codes.put(text, code);
        texts.add(text);
      }
      if (code == null) {
        if (labels) {
          throw tooManyLabels(source, line, column);
        }
        codes = null; // a numeric column: stop tracking
        texts.clear();
      } else {
        lastCode = code;
      }
    }
    double v = parse(text);
    if (Double.isFinite(v)) {
      return v;
    }
    if (!Double.isNaN(v) || isMissing(text)) {
      throw CsvScanner.notAFiniteNumber(source, line, column, text);
    }
    if (codes == null) {
      throw new IllegalArgumentException(
          CsvScanner.cell(source, line, column, text)
              + " is text in a column of more than "
              + MAX_LABELS
              + " distinct numbers; a target needs a number in every row, or class labels"
              + " (at most "
              + MAX_LABELS
              + " distinct) in every row: fix or drop that row");
    }
    labels = true;
    return Double.NaN;
  }

  /** The code of the last cell read, in order of first appearance; -1 when untracked. */
  public int lastCode() {
    return lastCode;
  }

  /** Whether a cell held a label (text that is not a number): the column is read as labels. */
  public boolean isLabels() {
    return labels;
  }

  /** The distinct texts read, in sorted order: the classes' names when {@link #isLabels()}. */
  public List<String> sortedLabels() {
    String[] sorted = texts.toArray(new String[0]);
    Arrays.sort(sorted);
    return List.of(sorted);
  }

  /**
   * rank[code]: the position of the text with that first-appearance code in {@link
   * #sortedLabels()}.
   */
  public int[] ranks() {
    List<String> sorted = sortedLabels();
    Map<String, Integer> at = new HashMap<>();
    for (int r = 0; r < sorted.size(); r++) {
      at.put(sorted.get(r), r);
    }
    int[] rank = new int[texts.size()];
    for (int c = 0; c < rank.length; c++) {
      rank[c] = at.get(texts.get(c));
    }
    return rank;
  }

  /** Whether {@code text} marks a missing value: empty, NA, N/A, NaN or null (any case). */
  public static boolean isMissing(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    return t.isEmpty() || t.equals("na") || t.equals("nan") || t.equals("n/a") || t.equals("null");
  }

  /** The number {@code text} spells ({@link Double#parseDouble}), or NaN when it is not one. */
  private static double parse(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static IllegalArgumentException tooManyLabels(String source, long line, String column) {
    return new IllegalArgumentException(
        source
            + " line "
            + line
            + ", column '"
            + column
            + "': more than "
            + MAX_LABELS
            + " distinct class labels; a classifier's target needs fewer classes (group the rare"
            + " ones), and a regression's target needs numbers");
  }
}
