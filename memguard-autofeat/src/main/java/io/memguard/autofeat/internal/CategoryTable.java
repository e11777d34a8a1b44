package io.memguard.autofeat.internal;

import java.util.List;

/**
 * A column's categories, each mapped to its index, looked up by a string or by a range of
 * characters (a CSV field in its buffer, without making a string of it): open addressing on {@link
 * String#hashCode}'s hash. Immutable and thread-safe once built.
 */
public final class CategoryTable {

  private final char[][] keys;
  private final int[] codes;
  private final int mask;

  /** A table of {@code categories}, distinct, each mapped to its index in the list. */
  public CategoryTable(List<String> categories) {
    int size = Integer.highestOneBit(Math.max(4, categories.size() * 2 - 1)) << 1;
    keys = new char[size][];
    codes = new int[size];
    mask = size - 1;
    for (int c = 0; c < categories.size(); c++) {
      char[] key = categories.get(c).toCharArray();
      int at = spread(hash(key, 0, key.length)) & mask;
      while (keys[at] != null) {
        at = (at + 1) & mask;
      }
      keys[at] = key;
      codes[at] = c;
    }
  }

  /** The index of {@code text}, or -1. */
  public int code(String text) {
    char[] chars = text.toCharArray();
    return code(chars, 0, chars.length);
  }

  /** The index of the text {@code chars[from..to)}, or -1. */
  public int code(char[] chars, int from, int to) {
    for (int at = spread(hash(chars, from, to)) & mask; keys[at] != null; at = (at + 1) & mask) {
      if (java.util.Arrays.equals(keys[at], 0, keys[at].length, chars, from, to)) {
        return codes[at];
      }
    }
    return -1;
  }

  private static int hash(char[] chars, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + chars[i];
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
